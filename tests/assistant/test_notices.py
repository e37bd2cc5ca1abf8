"""The announcements outbox: each notice once, and only one worker sends it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from assistant.db.models import Notice
from assistant.workspace import notices


def test_an_old_notice_claimed_by_one_worker_is_not_taken_by_another(tmp_path, database_url):
    from assistant.db.database import open_database
    from assistant.settings import Settings

    database = open_database(Settings(data_dir=tmp_path, database_url=database_url))
    assert notices.announce(database, "notice", "tb-1", "Thông báo 1")
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    with database.session() as session:  # announced while no bot was running
        session.execute(update(Notice).values(created_at=hour_ago))
    assert [n["ref"] for n in notices.claim(database, "worker-a")] == ["tb-1"]
    assert notices.claim(database, "worker-b") == []
    with database.session() as session:  # worker-a died mid-send long ago
        session.execute(update(Notice).values(claimed_at=hour_ago))
    assert [n["ref"] for n in notices.claim(database, "worker-b")] == ["tb-1"]
    notices.mark_sent(database, 1)
    assert notices.claim(database, "worker-c") == []
