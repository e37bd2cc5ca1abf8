"""The database layer itself: what PostgreSQL and SQLite must agree on."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta


def test_times_come_back_in_utc_whatever_the_zone_of_the_postgresql_server():
    """A server (or database) set to Vietnam's zone must not move an answer to another day in analytics."""
    from sqlalchemy import create_engine, text

    from assistant.db.database import Database
    from assistant.db.models import EligibilityCheck
    from tests.support.postgres import scratch_postgres

    with scratch_postgres() as url:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("ALTER DATABASE " + url.rsplit("/", 1)[1] + " SET timezone TO 'Asia/Ho_Chi_Minh'"))
        engine.dispose()
        database = Database(url)
        database.migrate()
        late = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)  # already 21 November in Hanoi
        with database.session() as session:
            session.add(EligibilityCheck(channel="web", lang="vi", results="{}", at=late))
        with database.session() as session:
            stored = session.query(EligibilityCheck).one().at
        assert stored == late and stored.utcoffset() == timedelta(0) and stored.day == 20
        database.close()
