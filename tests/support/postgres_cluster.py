"""A PostgreSQL cluster of a test's own, made with the PostgreSQL 15 binaries (`initdb`, `pg_ctl`) in a
temporary folder and listening on a free loopback port, so the test may stop and start it (never the
machine's shared service). Run as root, the binaries run as the `postgres` account (initdb refuses root),
in a folder outside pytest's root-only temporary folder. Under CI=true missing binaries, or a cluster that
cannot start, fail the test; elsewhere they skip it."""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.support.processes import free_port

BINARIES = Path(os.environ.get("CNHT_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
SYSTEM_USER = os.environ.get("CNHT_TEST_PG_OS_USER", "postgres")  # who runs the binaries when the tests run as root
START_SECONDS = 60


class PostgresCluster:
    """One cluster (database `postgres`, user `postgres`, trust authentication on loopback); `stop` and
    `start` again keep its port and data (a restart)."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = folder
        self.port = port or free_port()
        self.data = folder / "data"
        self.log = folder / "postgres.log"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        command = [str(BINARIES / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SYSTEM_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=START_SECONDS, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}): {(done.stderr or done.stdout)[-2000:]} {self._log_tail()}")

    def create(self) -> PostgresCluster:
        """initdb the data folder (RuntimeError when the binaries or the account are missing or it fails)."""
        if not (BINARIES / "initdb").exists() or not (BINARIES / "pg_ctl").exists():
            raise RuntimeError(f"the PostgreSQL 15 binaries are not in {BINARIES} (apt-get install postgresql-15;"
                               " CNHT_TEST_PG_BIN names another folder)")
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam(SYSTEM_USER)
            except KeyError:
                raise RuntimeError(f"running as root, initdb needs the account {SYSTEM_USER!r}"
                                   " (CNHT_TEST_PG_OS_USER names another)") from None
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        return self

    def start(self) -> PostgresCluster:
        """Start the server and wait until it accepts connections (RuntimeError with its log if it does not)."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", str(START_SECONDS),
                  "-o", options, "start")
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown: open connections are cut) and wait until it is down."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop")

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-2000:]
        except OSError:
            return ""


@pytest.fixture
def own_postgres():
    """A started cluster of this test's own, removed at the end (fails under CI when it cannot be made,
    skips elsewhere)."""
    folder = Path(tempfile.mkdtemp(prefix="cnht-pg-"))
    cluster = PostgresCluster(folder)
    try:
        cluster.create().start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        if os.environ.get("CI") == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    yield cluster
    try:
        cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
