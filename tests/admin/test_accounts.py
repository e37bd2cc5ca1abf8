"""Accounts under attack: lockout by client and account with backoff, atomic counting, one message for
every refusal, bounded argon2 work, unlock, disabled accounts, password changes, safe usernames."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from bots.cli import app as cli

PASSWORD = "correct-horse-battery"


@pytest.fixture()
def database(tmp_path, monkeypatch, database_url):
    """A fresh, migrated database with one staff account `alice`, for the CLI too (CNHT_DATA_DIR, CNHT_DATABASE_URL). Hashes
    are real argon2 with light parameters, so the tests that sign in 30 or 40 times stay quick."""
    from argon2 import PasswordHasher

    from assistant.db.database import open_database
    from assistant.settings import Settings
    from assistant.workspace import accounts

    monkeypatch.setenv("CNHT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CNHT_DATABASE_URL", database_url)
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    database = open_database(Settings(data_dir=tmp_path, database_url=database_url))
    accounts.create_user(database, "alice", PASSWORD)
    return database


def _refusal(database, username: str, password: str, client: str) -> str:
    from assistant.workspace import accounts

    with pytest.raises(accounts.AccountError) as refused:
        accounts.log_in(database, username, password, client=client)
    return str(refused.value)


def test_failures_from_one_client_hold_back_that_client_only_and_only_for_a_while(database, monkeypatch):
    from assistant.workspace import accounts

    for _ in range(accounts.MAX_FAILED_LOGINS):
        _refusal(database, "alice", "wrong-password!", "10.0.0.66")
    assert _refusal(database, "alice", PASSWORD, "10.0.0.66") == accounts.SIGN_IN_REFUSED  # the attacker waits
    token, who = accounts.log_in(database, "alice", PASSWORD, client="10.0.0.7")  # alice, elsewhere, does not
    assert who.username == "alice" and token
    for _ in range(accounts.MAX_FAILED_LOGINS):
        _refusal(database, "alice", "wrong-password!", "10.0.0.66")
    later = accounts._now() + accounts.CLIENT_BACKOFF_CAP + timedelta(seconds=1)
    monkeypatch.setattr(accounts, "_now", lambda: later)  # no lock outlasts its backoff
    assert accounts.log_in(database, "alice", PASSWORD, client="10.0.0.66")[1].username == "alice"


def test_unknown_locked_disabled_and_wrong_get_one_message(database):
    from assistant.workspace import accounts

    accounts.create_user(database, "bob", PASSWORD)
    for _ in range(accounts.MAX_FAILED_LOGINS):
        _refusal(database, "bob", "wrong-password!", "10.0.0.1")
    locked = _refusal(database, "bob", PASSWORD, "10.0.0.1")
    unknown = _refusal(database, "nobody", PASSWORD, "10.0.0.2")
    wrong = _refusal(database, "alice", "wrong-password!", "10.0.0.2")
    accounts.set_disabled(database, "alice", True)
    disabled = _refusal(database, "alice", PASSWORD, "10.0.0.3")
    assert locked == unknown == wrong == disabled == accounts.SIGN_IN_REFUSED


def test_concurrent_failures_are_all_counted_and_unlock_clears_them(database):
    from assistant.workspace import accounts

    def attempt(i: int) -> None:
        try:
            accounts.log_in(database, "alice", "wrong-password!", client=f"10.1.0.{i}")
        except accounts.AccountError:
            pass

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 30 clients, one failure each: only an exact count reaches the account-wide threshold
    assert _refusal(database, "alice", PASSWORD, "10.2.0.1") == accounts.SIGN_IN_REFUSED
    assert any(e["action"] == "account.throttled" for e in accounts.audit_log(database))
    result = CliRunner().invoke(cli, ["admin", "unlock", "alice"])
    assert result.exit_code == 0 and "unlocked 'alice'" in result.stdout
    assert accounts.log_in(database, "alice", PASSWORD, client="10.2.0.1")[1].username == "alice"


def test_argon2_work_is_bounded_under_40_concurrent_sign_ins(database, monkeypatch):
    from assistant.workspace import accounts

    real, state, guard = accounts._hasher, {"now": 0, "most": 0}, threading.Lock()

    class Counting:
        def _run(self, work):
            with guard:
                state["now"] += 1
                state["most"] = max(state["most"], state["now"])
            try:
                time.sleep(0.02)  # hold the slot long enough for the others to pile up if they can
                return work()
            finally:
                with guard:
                    state["now"] -= 1

        def hash(self, password):
            return self._run(lambda: real.hash(password))

        def verify(self, digest, password):
            return self._run(lambda: real.verify(digest, password))

    monkeypatch.setattr(accounts, "_hasher", Counting())
    threads = [threading.Thread(target=_refusal, args=(database, "alice", "wrong-password!", f"10.3.0.{i}"))
               for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 1 <= state["most"] <= accounts.HASH_SLOTS


def test_a_disabled_account_loses_its_sessions_and_tokens(database):
    from assistant.workspace import accounts

    token, who = accounts.log_in(database, "alice", PASSWORD, client="10.0.0.1")
    api = accounts.create_api_token(database, who.user_id, "robot")
    result = CliRunner().invoke(cli, ["admin", "disable", "alice"])
    assert result.exit_code == 0
    assert accounts.session_principal(database, token) is None and accounts.token_principal(database, api) is None
    assert CliRunner().invoke(cli, ["admin", "enable", "alice"]).exit_code == 0
    assert accounts.token_principal(database, api).username == "alice"
    assert CliRunner().invoke(cli, ["admin", "disable", "nobody"]).exit_code == 2


def test_tokens_expire_and_can_be_revoked(database, monkeypatch):
    from assistant.workspace import accounts

    who = accounts.log_in(database, "alice", PASSWORD, client="10.0.0.1")[1]
    short = accounts.create_api_token(database, who.user_id, "short", days=1)
    kept = accounts.create_api_token(database, who.user_id, "kept", days=30)
    later = accounts._now() + timedelta(days=2)
    monkeypatch.setattr(accounts, "_now", lambda: later)
    assert accounts.token_principal(database, short) is None
    assert accounts.token_principal(database, kept).username == "alice"
    kept_id = next(t["id"] for t in accounts.api_tokens(database, who.user_id) if t["name"] == "kept")
    assert not accounts.revoke_api_token(database, kept_id, user_id=who.user_id + 1)  # not someone else's
    assert accounts.revoke_api_token(database, kept_id, user_id=who.user_id)
    assert accounts.token_principal(database, kept) is None


def test_passwords_change_from_the_cli_and_weak_ones_are_refused(database):
    from assistant.workspace import accounts

    token, _ = accounts.log_in(database, "alice", PASSWORD, client="10.0.0.1")
    spaces = CliRunner().invoke(cli, ["admin", "set-password", "alice", "--password-stdin"], input=" " * 12 + "\n")
    assert spaces.exit_code == 2 and "only spaces" in spaces.stderr
    changed = CliRunner().invoke(cli, ["admin", "set-password", "alice", "--password-stdin"], input="another-long-secret\n")
    assert changed.exit_code == 0
    assert accounts.session_principal(database, token) is None  # the old sessions ended
    _refusal(database, "alice", PASSWORD, "10.0.0.1")
    assert accounts.log_in(database, "alice", "another-long-secret", client="10.0.0.1")[1].username == "alice"


@pytest.mark.parametrize("username", ["\u0430dmin", "ad\u200bmin", "bob\x00", "x y", "-lead", "a" * 65, "ünïcode"])
def test_usernames_with_look_alike_control_or_space_characters_are_refused(database, username):
    from assistant.workspace import accounts

    with pytest.raises(accounts.AccountError, match="Latin letters"):
        accounts.create_user(database, username, PASSWORD)
    with pytest.raises(accounts.AccountError, match="only spaces"):
        accounts.create_user(database, "carol", " " * 10)
