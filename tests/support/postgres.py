"""PostgreSQL for the tests, on the machine's server (127.0.0.1:5432, user postgres, trust): throw-away
databases named `cnht_test_<pid>_<random>`, created through the `test` database and dropped when done.
Nothing else on the server is touched. A missing PostgreSQL skips the tests that need it, or fails them
under CI=true.

- `postgres_url`: one database for the whole session;
- `database_url`: per test, a new SQLite file, then the session's PostgreSQL database with every table emptied;
- `empty_database_url`: per test, an empty database of each kind (for tests of the migrations themselves);
- `backend` and `databases(name)`: per test, a backend of each kind and the fresh, migrated database of
  each data directory `tmp_path/name` on it;
- `scratch_postgres()`: a database of its own, for a fixture whose data must outlive one test."""
from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest

BACKENDS = ("sqlite", "postgresql")
SERVER = os.environ.get("CNHT_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _admin(statement: str) -> None:
    """Run a statement on the server's `test` database, outside a transaction (CREATE/DROP DATABASE)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.pool import NullPool

    engine = create_engine(f"{SERVER}/test", isolation_level="AUTOCOMMIT", poolclass=NullPool, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    except OperationalError as exc:
        message = f"PostgreSQL is not reachable at {SERVER}/test: {exc.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    finally:
        engine.dispose()


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """The URL of a new, empty database, dropped (with any connection still open to it) on exit."""
    name = f"cnht_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{SERVER}/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of an empty database for the whole session."""
    with scratch_postgres() as url:
        yield url


def reset_postgres(url: str) -> None:
    """Empty every table of a database (the schema and its revision stay) and close the connections that
    earlier tests left open, so each test starts from nothing, as on a new SQLite file."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            tables = connection.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                                             " AND tablename <> 'alembic_version'")).all()
            if tables:
                names = ", ".join(f'"{table}"' for table in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    """A database URL for a test that touches storage, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'assistant.sqlite'}"
    url = request.getfixturevalue("postgres_url")
    reset_postgres(url)
    return url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path) -> Iterator[str]:
    """The URL of a database with nothing in it, not even the schema, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    with scratch_postgres() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The relational store a storage test runs on: each such test runs on SQLite and on PostgreSQL (a
    missing server skips it, or fails it under CI=true)."""
    if request.param == "postgresql":
        request.getfixturevalue("postgres_url")
    return request.param


@pytest.fixture
def databases(backend, tmp_path) -> Iterator[Callable[..., Any]]:
    """`open(name)`: the fresh, migrated database of data directory `tmp_path/name` on the test's backend
    (an SQLite file in it, or a database of its own on the PostgreSQL server), the same one for the same
    name; all closed (and dropped) when the test ends."""
    from assistant.db.database import open_database_url, sqlite_url

    opened: dict[str, Any] = {}
    with ExitStack() as stack:

        def open_database(name: str = "data"):
            if name not in opened:
                url = stack.enter_context(scratch_postgres()) if backend == "postgresql" else sqlite_url(tmp_path / name)
                opened[name] = open_database_url(url)
                stack.callback(opened[name].close)
            return opened[name]

        yield open_database
