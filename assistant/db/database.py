"""Engine, sessions and migrations for one database URL."""
from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x636E6874  # PostgreSQL advisory lock key held while migrating ("cnht")


CONNECT_SECONDS = 5  # how long a connection to a database server may take to open (CNHT_DATABASE_TIMEOUT)
SQLITE_BUSY_SECONDS = 30  # how long an SQLite connection waits for another process's lock


class Database:
    """A database brought to the latest schema on open."""

    def __init__(self, url: str, connect_timeout: int = CONNECT_SECONDS):
        connect_args: dict = {"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS} if url.startswith("sqlite") else {}
        if url.startswith("postgresql"):  # times come back in UTC, as SQLite's do, whatever the server's zone
            # a server that is down or hung costs a request `connect_timeout` seconds, never a hang
            connect_args = {"options": "-c timezone=UTC", "connect_timeout": connect_timeout}
        self.url = url
        self.engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        """Whether this is an SQLite file (the embedded default) rather than a server."""
        return self.engine.dialect.name == "sqlite"

    def _config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", self.url)
        return config

    def migrate(self, revision: str = "head") -> None:
        """Apply every pending migration (alembic upgrade head), or those up to `revision`, in one
        transaction that holds the migration lock (SQLite: its write lock, BEGIN IMMEDIATE; PostgreSQL: an
        advisory lock), so processes starting together take turns and the later ones find the schema done."""
        config = self._config()
        with self.engine.begin() as connection:
            # one process migrates at a time (replicas, two `cnht ingest` or `--workers` starting on a new
            # database): the others wait, then find the schema at head
            if self.is_sqlite:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
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


def database_unavailable(exc: BaseException) -> bool:
    """Whether an error means the database does not answer (down, restarting, unreachable, out of
    connections) rather than a fault of the statement: such a request may succeed once it is back."""
    if isinstance(exc, (OperationalError, PoolTimeout)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    _write_ahead_log(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, no fsync per answer
    cursor.close()


def _write_ahead_log(cursor) -> None:
    """Put the file in WAL mode. While another process creates the same new file (two `cnht ingest` started
    together), SQLite answers a change of journal mode with "database is locked" at once, without waiting
    out the busy timeout: try again, for at most SQLITE_BUSY_SECONDS."""
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def sqlite_url(data_dir: Path) -> str:
    """The URL of a data directory's own database, the embedded default: `assistant.sqlite` in it."""
    return f"sqlite:///{Path(data_dir).resolve() / 'assistant.sqlite'}"


def database_url(settings) -> str:
    """The configured database's URL: CNHT_DATABASE_URL, else SQLite under the data directory."""
    return settings.database_url or sqlite_url(settings.data_dir)


def open_database_url(url: str, data_dir: Path | None = None, migrate: bool = True,
                      connect_timeout: int = CONNECT_SECONDS) -> Database:
    """The database at `url` (an SQLite file's folder is created), migrated, with the files of the earlier
    layout under `data_dir` (when given) moved into it."""
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    database = Database(url, connect_timeout)
    if migrate:
        database.migrate()
        if data_dir is not None:
            from assistant.db.legacy import migrate_legacy_files  # noqa: PLC0415 — it imports this module

            migrate_legacy_files(database, Path(data_dir))
    return database


def local_database(data_dir: Path) -> Database:
    """A data directory's own SQLite database, migrated (for tools and tests that build a knowledge base
    on a data directory without settings)."""
    return open_database_url(sqlite_url(data_dir), data_dir)


def open_database(settings, migrate: bool = True) -> Database:
    """The configured database (SQLite under the data directory by default), migrated, with the files of
    the earlier layout under the data directory moved into it."""
    return open_database_url(database_url(settings), Path(settings.data_dir), migrate, settings.database_timeout)
