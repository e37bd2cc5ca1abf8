"""Stored questions: personal data masked before storing, and deleted after the retention period."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update


def _database(tmp_path, url):
    from assistant.db.database import open_database
    from assistant.settings import Settings

    return open_database(Settings(data_dir=tmp_path, database_url=url))


def test_a_stored_question_has_its_personal_data_masked(tmp_path, database_url):
    from assistant.answering.models import Answer
    from assistant.db.models import AnswerRecord
    from assistant.db.records import record_answer

    database = _database(tmp_path, database_url)
    question = "Tôi là Lan, CCCD 001085012345, SĐT (091) 2345678, hồ sơ hỗ trợ gửi đâu?"
    answer_id = record_answer(database, question, Answer("…", "vi", False, "none"), "s-1", "web")
    with database.session() as session:
        stored = session.get(AnswerRecord, answer_id).question
    assert "001085012345" not in stored and "2345678" not in stored
    assert stored.startswith("Tôi là Lan, CCCD [***]") and stored.endswith("hồ sơ hỗ trợ gửi đâu?")


def test_questions_older_than_the_retention_period_are_deleted(tmp_path, database_url):
    from assistant.answering.models import Answer
    from assistant.db.models import AnswerRecord, Conversation, Feedback
    from assistant.db.records import forget_old_questions, record_answer, record_feedback
    from assistant.settings import Settings

    database = _database(tmp_path, database_url)
    old = record_answer(database, "câu hỏi cũ", Answer("…", "vi", False, "none"), "s-old", "web")
    record_feedback(database, old, "down", "không rõ")
    new = record_answer(database, "câu hỏi mới", Answer("…", "vi", False, "none"), "s-new", "web")
    long_ago = datetime.now(UTC) - timedelta(days=181)
    with database.session() as session:
        session.execute(update(AnswerRecord).where(AnswerRecord.id == old).values(created_at=long_ago))
        session.execute(update(Conversation).where(Conversation.id == "s-old").values(updated_at=long_ago))
    assert Settings(data_dir=tmp_path).question_retention_days == 180
    assert forget_old_questions(database, 0) == 0  # 0 keeps everything
    assert forget_old_questions(database, Settings(data_dir=tmp_path).question_retention_days) == 1
    with database.session() as session:
        assert session.scalars(select(AnswerRecord.id)).all() == [new]
        assert session.scalars(select(Feedback.id)).all() == []
        assert session.scalars(select(Conversation.id)).all() == ["s-new"]
