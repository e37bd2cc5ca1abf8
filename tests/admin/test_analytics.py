"""Analytics figures checked against seeded events, and their CSV export."""
from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from assistant.db.models import AnswerRecord, Conversation, EligibilityCheck, Feedback
from assistant.workspace import analytics

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def seed(database):
    """Known events: 6 answers over two days, two channels, two languages; 3 feedbacks; 2 checks; one
    answer too old to count."""
    def at(days, hour=9):
        return NOW - timedelta(days=days) + timedelta(hours=hour - 12)

    rows = [
        ("a1", "Tỉnh có bao nhiêu khu công nghiệp?", "web", "vi", True, ["khu-cong-nghiep"], at(1)),
        ("a2", "Tinh co bao nhieu khu cong nghiep?", "web", "vi", True, ["khu-cong-nghiep", "investor-guide"], at(1)),
        ("a3", "How many industrial parks are there?", "telegram", "en", True, ["investor-guide"], at(1)),
        ("a4", "Giá điện công nghiệp là bao nhiêu?", "telegram", "vi", False, [], at(0)),
        ("a5", "Tỉnh có bao nhiêu khu công nghiệp?", "telegram", "vi", True, ["khu-cong-nghiep"], at(0)),
        ("a6", "What is the price of water?", "web", "en", False, [], at(0)),
        ("old", "Tỉnh có bao nhiêu khu công nghiệp?", "web", "vi", True, ["khu-cong-nghiep"], at(45)),
    ]
    with database.session() as session:
        session.add(Conversation(id="c", channel="web", lang="vi"))
        for answer_id, question, channel, lang, grounded, docs, when in rows:
            citations = [{"n": i + 1, "doc_id": d, "title": d.upper(), "doc_number": "", "section": "", "page": None, "quote": ""}
                         for i, d in enumerate(docs)]
            session.add(AnswerRecord(id=answer_id, conversation_id="c", channel=channel, question=question, answer="…",
                                     lang=lang, grounded=grounded, source="documents" if grounded else "none",
                                     citations=json.dumps(citations), created_at=when))
        session.flush()
        session.add_all([Feedback(answer_id="a1", rating="up", created_at=at(1)), Feedback(answer_id="a3", rating="up", created_at=at(1)),
                         Feedback(answer_id="a4", rating="down", created_at=at(0))])
        session.add_all([
            EligibilityCheck(channel="web", lang="vi", results=json.dumps({"kaizen": "eligible", "iso": "not_eligible"}), at=at(0)),
            EligibilityCheck(channel="telegram", lang="en", results=json.dumps({"kaizen": "closed", "iso": "eligible"}), at=at(0)),
        ])


def test_figures_match_the_seeded_events(tmp_path, database_url):
    from assistant.db.database import open_database
    from assistant.settings import Settings

    database = open_database(Settings(data_dir=tmp_path, database_url=database_url))
    seed(database)
    report = analytics.report(database, days=30, now=NOW)
    per_day = {(r["day"], r["channel"], r["lang"]): r["questions"] for r in report["questions_per_day"]}
    assert per_day == {("2026-11-19", "web", "vi"): 2, ("2026-11-19", "telegram", "en"): 1,
                       ("2026-11-20", "telegram", "vi"): 2, ("2026-11-20", "web", "en"): 1}
    assert report["answered_vs_refused"] == [{"day": "2026-11-19", "answered": 3, "refused": 0},
                                             {"day": "2026-11-20", "answered": 1, "refused": 2}]
    assert report["satisfaction"] == [{"up": 2, "down": 1, "satisfaction": 0.667}]
    assert report["top_questions"][0] == {"question": "Tỉnh có bao nhiêu khu công nghiệp?", "count": 3}  # with and without diacritics
    assert report["top_documents"][:2] == [{"doc_id": "khu-cong-nghiep", "label": "KHU-CONG-NGHIEP", "citations": 3},
                                           {"doc_id": "investor-guide", "label": "INVESTOR-GUIDE", "citations": 2}]
    assert report["eligibility"] == [
        {"program": "iso", "checks": 2, "eligible": 1, "not_eligible": 1, "unknown": 0, "closed": 0},
        {"program": "kaizen", "checks": 2, "eligible": 1, "not_eligible": 0, "unknown": 0, "closed": 1},
    ]
    rows = list(csv.DictReader(io.StringIO(analytics.to_csv(report["answered_vs_refused"]))))
    assert rows == [{"day": "2026-11-19", "answered": "3", "refused": "0"}, {"day": "2026-11-20", "answered": "1", "refused": "2"}]
    assert sum(r["questions"] for r in analytics.report(database, days=60, now=NOW)["questions_per_day"]) == 7


def test_csv_export_through_the_workspace(workspace, staff):
    client, _ = staff
    response = client.get("/admin/api/analytics/satisfaction.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines()[0] == "up,down,satisfaction"
    assert client.get("/admin/api/analytics/secrets.csv").status_code == 404


def test_csv_cells_that_would_run_as_spreadsheet_formulas_are_inert():
    rows = [{"question": '=HYPERLINK("http://evil","x")', "count": -3}, {"question": "+1+1", "count": 2},
            {"question": "@SUM(A1)", "count": 1}, {"question": "-2+3", "count": 0}, {"question": "ưu đãi = ?", "count": 1}]
    parsed = list(csv.DictReader(io.StringIO(analytics.to_csv(rows))))
    assert [r["question"] for r in parsed] == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+1+1", "'@SUM(A1)", "'-2+3", "ưu đãi = ?"]
    assert parsed[0]["count"] == "-3"  # numbers stay numbers
