"""Engine, sessions and migrations for one database URL."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x636E6874  # PostgreSQL advisory lock key held while migrating ("cnht")


class Database:
    """A database brought to the latest schema on open."""

    def __init__(self, url: str):
        connect_args = {"check_same_thread": False, "timeout": 30} if url.startswith("sqlite") else {}
        self.url = url
        self.engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        """Whether this is an SQLite file (the embedded default) rather than a server."""
        return self.engine.dialect.name == "sqlite"

    def close(self) -> None:
        """Close the pooled connections (the Database can still be used: it reconnects)."""
        self.engine.dispose()

    def migrate(self, revision: str = "head") -> None:
        """Apply every pending migration (alembic upgrade head), or those up to `revision`."""

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", self.url)
        with self.engine.begin() as connection:
            # one process migrates at a time (two `cnht ingest` or `--workers` starting on a new database):
            # the others wait, then find the schema at head
            if self.is_sqlite:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            elif self.engine.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

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

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A Core connection inside one transaction, committed on success, rolled back on any error. On
        SQLite it takes the write lock at once (BEGIN IMMEDIATE), so reading then writing never fails
        because another connection wrote in between; PostgreSQL locks the rows it changes."""
        with self.engine.connect() as connection:
            if self.is_sqlite:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.rollback()
                raise
            connection.commit()


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, no fsync per answer
    cursor.close()


def sqlite_url(data_dir: Path) -> str:
    """The URL of a data directory's own database, the embedded default: `assistant.sqlite` in it."""
    return f"sqlite:///{Path(data_dir).resolve() / 'assistant.sqlite'}"


def open_database_url(url: str) -> Database:
    """The database at `url` (an SQLite file's folder is created), migrated."""
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    database = Database(url)
    database.migrate()
    return database


def local_database(data_dir: Path) -> Database:
    """A data directory's own SQLite database, migrated (for tools and tests that build a knowledge base
    on a data directory without settings)."""
    return open_database_url(sqlite_url(data_dir))


def open_database(settings) -> Database:
    """The configured database (SQLite under the data directory by default), migrated."""
    return open_database_url(settings.database_url or sqlite_url(settings.data_dir))
