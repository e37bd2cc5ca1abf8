"""Engine, sessions and migrations for one database URL."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from assistant.db.legacy_state import migrate_legacy_state

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x636E6874  # PostgreSQL advisory lock key ("cnht"): one process migrates at a time


class Database:
    """A database brought to the latest schema on open."""

    def __init__(self, url: str):
        connect_args: dict = {"check_same_thread": False, "timeout": 30} if url.startswith("sqlite") else {}
        if url.startswith("postgresql"):  # times come back in UTC, as SQLite's do, whatever the server's zone
            connect_args = {"options": "-c timezone=UTC"}
        self.url = url
        self.engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def _config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", self.url)
        return config

    def migrate(self, revision: str = "head") -> None:
        """Apply every pending migration (alembic upgrade head), or those up to `revision`. On PostgreSQL
        the migrations run in one transaction under an advisory lock, so replicas starting together take
        turns and the later ones find the schema done."""
        config = self._config()
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def revision(self) -> str | None:
        """The schema revision the database is at (None before the first migration)."""
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head(self) -> str | None:
        """The newest revision the code knows."""
        return ScriptDirectory.from_config(self._config()).get_current_head()

    def insert(self, table: Table | type) -> postgresql.Insert | sqlite.Insert:
        """An INSERT in this database's dialect, so it can say ON CONFLICT … DO UPDATE / DO NOTHING (an
        upsert, atomic in SQLite and PostgreSQL alike) and RETURNING."""
        if self.engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def close(self) -> None:
        """Close the pooled connections (a process that opened several databases, a test)."""
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success, rolled back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, no fsync per answer
    cursor.close()


def database_url(settings) -> str:
    """The configured database's URL: CNHT_DATABASE_URL, else SQLite under the data directory."""
    return settings.database_url or f"sqlite:///{Path(settings.data_dir).resolve() / 'assistant.sqlite'}"


def open_database(settings, migrate: bool = True) -> Database:
    """The configured database (SQLite under the data directory by default), migrated, with the state
    files of the earlier layout under the data directory moved into it."""
    url = database_url(settings)
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    database = Database(url)
    if migrate:
        database.migrate()
        migrate_legacy_state(database, Path(settings.data_dir))
    return database
