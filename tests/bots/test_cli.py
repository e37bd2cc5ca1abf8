"""`cnht ingest`, `cnht docs`, `search`, `ask` and `eval` as a staff member runs them (in process, through
typer's runner: what a real process adds is covered by the kill -9 and served-process tests)."""
import json
import shutil
import sqlite3

from typer.testing import CliRunner

from bots.cli import app
from tests.conftest import FIXTURES


def run(data_dir, *args, **env):
    result = CliRunner().invoke(app, list(args), env={"CNHT_DATA_DIR": str(data_dir), **env})
    return result.exit_code, result.output


def test_ingest_reports_each_file_and_a_summary_and_fails_with_status_1(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(FIXTURES / "decision.docx", docs / "qd-3164.docx")
    shutil.copy(FIXTURES / "scanned.pdf", docs / "scan.pdf")
    (docs / "notes.xlsx").write_bytes(b"PK\x03\x04")
    (docs / "ok.txt").write_text("Thông tin về cụm công nghiệp.", encoding="utf-8")
    code, out = run(tmp_path / "data", "ingest", "--no-ocr", str(docs), str(tmp_path / "missing"))
    assert code == 1
    assert f"+ {docs / 'qd-3164.docx'}: added" in out
    assert f"{docs / 'scan.pdf'}: no text layer: needs OCR" in out and "--no-ocr" in out
    assert f"{tmp_path / 'missing'}: no such file or folder" in out
    assert f"- {docs / 'notes.xlsx'}: skipped, unsupported file type .xlsx" in out
    assert "2 added, 0 replaced, 0 unchanged, 2 failed, 1 skipped" in out

    (docs / "scan.pdf").unlink()
    code, out = run(tmp_path / "data", "ingest", str(docs))
    assert code == 0
    assert "0 added, 0 replaced, 2 unchanged, 0 failed" in out


def test_docs_list_json_and_remove(tmp_path):
    data = tmp_path / "data"
    shutil.copy(FIXTURES / "decision.docx", tmp_path / "qd-3164.docx")
    assert run(data, "ingest", str(tmp_path / "qd-3164.docx"))[0] == 0
    code, out = run(data, "docs", "list", "--json")
    assert code == 0
    [document] = json.loads(out)
    assert document["doc_id"] == "qd-3164"
    assert document["doc_number"] == "3164/QĐ-UBND"
    assert document["issued_date"] == "2021-10-29"
    assert document["chunk_count"] >= 4
    code, out = run(data, "docs", "remove", "nope")
    assert code == 1 and "no document with doc_id 'nope'" in out
    assert run(data, "docs", "remove", "qd-3164") == (0, "removed qd-3164\n")
    assert json.loads(run(data, "docs", "list", "--json")[1]) == []


def test_unknown_embedder_path_is_a_clear_error(tmp_path):
    code, out = run(tmp_path / "data", "ingest", str(FIXTURES / "decision.docx"), CNHT_EMBEDDER=str(tmp_path / "no-model"))
    assert code == 2
    assert "not found on disk" in out and "no-model" in out


def test_search_ask_and_eval_commands(tmp_path):
    data = tmp_path / "data"
    shutil.copy(FIXTURES / "decision.docx", tmp_path / "qd-3164.docx")
    assert run(data, "ingest", str(tmp_path / "qd-3164.docx"))[0] == 0
    code, out = run(data, "search", "Quyết định 3164 Điều 3", "--json", "-k", "2")
    hits = json.loads(out)
    assert code == 0 and len(hits) == 2
    assert set(hits[0]) == {"doc_id", "chunk_id", "title", "doc_number", "section", "page", "score", "text"}
    assert hits[0]["section"].startswith("Điều 3")
    code, out = run(data, "ask", "Quyết định này có hiệu lực từ khi nào?", "--json")
    answer = json.loads(out)
    assert code == 0 and answer["grounded"] and answer["source"] == "documents" and answer["lang"] == "vi"
    assert answer["citations"][0]["section"] == "Điều 3 › Khoản 1"
    assert set(answer["citations"][0]) == {"n", "doc_id", "title", "doc_number", "section", "page", "quote"}
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "1", "question": "hiệu lực thi hành", "gold_passage_ids": ["qd-3164"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out = run(data, "eval", str(questions), "--json", "--rankings", str(tmp_path / "r.jsonl"))
    assert code == 0 and json.loads(out)["overall"]["recall@1"] == 1.0
    assert json.loads((tmp_path / "r.jsonl").read_text())["ranked_doc_ids"] == ["qd-3164"]
    assert run(data, "ask", "   ")[0] == 2


def test_db_upgrade_migrates_the_configured_database_and_db_current_reports_it(tmp_path, empty_database_url):
    from assistant.db.database import Database

    head = Database(empty_database_url).head()
    data = tmp_path / "data"
    data.mkdir()
    sqlite3.connect(data / "limits.sqlite").close()  # a file of the earlier layout: moved on upgrade
    code, out = run(data, "db", "current", CNHT_DATABASE_URL=empty_database_url)
    assert code == 1 and f"empty (behind: the newest is {head}; run `cnht db upgrade`)" in out
    code, out = run(data, "db", "upgrade", CNHT_DATABASE_URL=empty_database_url)
    assert code == 0 and out.strip() == f"database at revision {head} (newest)"
    assert (data / "limits.sqlite.migrated").exists() and not (data / "limits.sqlite").exists()
    code, out = run(data, "db", "current", CNHT_DATABASE_URL=empty_database_url)
    assert code == 0 and out.strip() == f"{head} (newest)"


def test_an_unreachable_database_is_a_clear_error(tmp_path):
    code, out = run(tmp_path, "db", "upgrade", CNHT_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:9/none")
    assert code == 2 and "error: the database cannot be reached (CNHT_DATABASE_URL)" in out


def test_eval_answers_with_an_llm_configured_gives_the_same_report(tmp_path):
    """`cnht eval --answers` in LLM mode (settings from the environment) against a local OpenAI-compatible
    server whose honest completion repeats the chosen evidence: the model is asked, and the report is the
    extractive one (the plumbing only: there is no model offline)."""
    from tests.support.chat_server import chat_server, chosen_first_line

    data = tmp_path / "data"
    shutil.copy(FIXTURES / "decision.docx", tmp_path / "qd-3164.docx")
    assert run(data, "ingest", str(tmp_path / "qd-3164.docx"))[0] == 0
    questions = tmp_path / "q.jsonl"
    question = {"id": "1", "question": "Quyết định này có hiệu lực từ khi nào?", "gold_passage_ids": ["qd-3164"],
                "expected_answers": ["hiệu lực"]}
    questions.write_text(json.dumps(question, ensure_ascii=False) + "\n", encoding="utf-8")
    code, extractive = run(data, "eval", str(questions), "--answers", "--half", "all", "--json")
    assert code == 0 and json.loads(extractive)["by_kind"]["vi"]["fact_and_document"] == 1.0
    with chat_server(chosen_first_line) as server:
        code, llm = run(data, "eval", str(questions), "--answers", "--half", "all", "--json",
                        CNHT_LLM_BASE_URL=server.url, CNHT_LLM_MODEL="fixed-completions")
    assert code == 0 and json.loads(llm) == json.loads(extractive)
    assert len(server.requests) == 1 and "<chosen_evidence>" in server.user_message()
