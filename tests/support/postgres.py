"""Throw-away PostgreSQL databases on the machine's server (127.0.0.1:5432, user postgres, trust auth): each
is created through the `test` database with a unique name and dropped afterwards; nothing else there is
touched. Without a server the tests that need one skip, or fail under CI=true."""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

# the maintenance database the throw-away ones are created from (never written)
ADMIN_URL = os.environ.get("CNHT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


def postgres_missing() -> str | None:
    """Why no PostgreSQL can be used here (None when it can)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (make setup installs it)"
    engine = create_engine(ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:
        return f"PostgreSQL at {make_url(ADMIN_URL).render_as_string(hide_password=True)} is not reachable ({type(exc).__name__})"
    finally:
        engine.dispose()
    return None


def require_postgres() -> None:
    """Skip the test without a PostgreSQL server; fail it under CI (which always has one)."""
    problem = postgres_missing()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)


@contextmanager
def throwaway_database(prefix: str = "cnht_test") -> Iterator[str]:
    """A new empty database (`<prefix>_<pid>_<random>`) for the block; its URL is yielded, and it is dropped
    at the end even while connections to it are still open."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def make_database(url: str):
    """The assistant's database at `url`, migrated to the latest schema."""
    from assistant.db.database import open_database_url

    return open_database_url(url)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a throw-away PostgreSQL database for the test session (migrate it with `make_database`)."""
    require_postgres()
    with throwaway_database() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The relational store a storage test runs on: each such test runs on SQLite and on PostgreSQL."""
    if request.param == "postgresql":
        require_postgres()
    return request.param


@pytest.fixture
def databases(backend, tmp_path) -> Iterator[Callable[..., Any]]:
    """`open(name)`: the fresh, migrated database of data directory `tmp_path/name` on the test's backend
    (an SQLite file in it, or a throw-away PostgreSQL database), the same one for the same name; all
    closed (and dropped) when the test ends."""
    from assistant.db.database import local_database

    opened: dict[str, Any] = {}
    with ExitStack() as stack:

        def open_database(name: str = "data"):
            if name not in opened:
                if backend == "postgresql":
                    opened[name] = make_database(stack.enter_context(throwaway_database()))
                else:
                    opened[name] = local_database(tmp_path / name)
                stack.callback(opened[name].close)
            return opened[name]

        yield open_database
