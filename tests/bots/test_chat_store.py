"""The Telegram bot's chat store in the one database (SQLite and PostgreSQL): languages, blocked chats,
subscribers, eligibility checks with stale steps refused, votes, slow-down notices, webhook updates taken
once across replicas; and the store of the
earlier layout (`telegram.sqlite`) moved into the database without loss."""
from __future__ import annotations

import shutil
import sqlite3
import threading
import time

import pytest

BIG = -1001234567890  # a supergroup's id: more than 32 bits


@pytest.fixture
def store(database_url):
    from assistant.db.database import Database
    from bots.telegram.chats import ChatStore

    database = Database(database_url)
    database.migrate()
    yield ChatStore(database)
    database.close()


def test_language_and_blocked_chats_and_subscribers(store):
    assert store.lang(BIG) is None and not store.blocked(BIG)
    store.set_lang(BIG, "en")
    store.set_blocked(BIG, True)
    assert store.lang(BIG) == "en" and store.blocked(BIG)
    store.set_blocked(BIG, False)
    assert store.lang(BIG) == "en" and not store.blocked(BIG)
    for chat_id in (7, BIG, 9, 7):
        store.subscribe(chat_id)
        time.sleep(0.002)  # subscribers come back in the order they subscribed
    store.set_blocked(9, True)
    assert store.subscribers() == [(7, "vi"), (BIG, "en")]
    store.unsubscribe(7)
    assert store.subscribers() == [(BIG, "en")]


def test_a_check_moves_one_version_at_a_time_and_a_stale_step_is_refused(store):
    user = 6_000_000_001  # user ids exceed 32 bits too
    assert store.check(BIG, user) == (0, None, None)
    assert store.save_check(BIG, user, 0, [{"sector": "cnht"}]) == 1
    assert store.save_check(BIG, user, 0, [{"sector": "other"}]) is None  # a second first step: stale
    assert store.set_check_message(BIG, user, 4_000_000_000) is None
    assert store.set_check_message(BIG, user, 4_000_000_001) == 4_000_000_000
    assert store.save_check(BIG, user, 1, [{"sector": "cnht"}, {"size": "small"}]) == 2
    assert store.check(BIG, user) == (2, [{"sector": "cnht"}, {"size": "small"}], 4_000_000_001)
    assert store.save_check(BIG, user, 1, None) is None  # a button of the earlier step
    assert store.save_check(BIG, user, 2, None) == 3  # the check ended; its version lives on
    assert store.check(BIG, user) == (3, None, 4_000_000_001)
    assert store.set_check_message(BIG, 1, 5) is None  # no check: nothing remembered


def test_updates_racing_on_one_step_move_the_check_once(store):
    store.save_check(1, 1, 0, [])
    start = threading.Barrier(6)
    moved: list[int | None] = []

    def press() -> None:
        start.wait()
        moved.append(store.save_check(1, 1, 1, [{"step": 2}]))

    threads = [threading.Thread(target=press) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(moved, key=str) == [2] + [None] * 5


def test_votes_one_per_user_changeable_with_their_feedback_row(store):
    assert store.vote("a1", 1, "up") == (None, None)
    store.set_vote_feedback("a1", 1, 41)
    assert store.vote("a1", 1, "down") == ("up", 41)
    assert store.vote("a1", 1, "down") == ("down", 41)
    assert store.vote("a1", 2, "down") == (None, None)
    assert store.tally("a1") == {"up": 0, "down": 2} and store.tally("a2") == {"up": 0, "down": 0}


def test_a_user_over_the_limit_is_told_once_per_window(store):
    assert store.first_notice("telegram:1", time.time() + 0.3)
    assert not store.first_notice("telegram:1", time.time() + 0.3)
    assert store.first_notice("telegram:2", time.time() + 0.3)
    time.sleep(0.35)
    assert store.first_notice("telegram:1", time.time() + 0.3)


# telegram.sqlite as the store of the earlier layout created it (bots/telegram/chats.py before the move),
# plus the per-chat `checks` table of the layout before that.
LEGACY_TELEGRAM = """
CREATE TABLE chats (chat_id INTEGER PRIMARY KEY, lang TEXT, blocked INTEGER NOT NULL DEFAULT 0, updated REAL NOT NULL);
CREATE TABLE subscribers (chat_id INTEGER PRIMARY KEY, since REAL NOT NULL);
CREATE TABLE eligibility (chat_id INTEGER NOT NULL, user_id INTEGER NOT NULL, version INTEGER NOT NULL, history TEXT,
    message_id INTEGER, updated REAL NOT NULL, PRIMARY KEY (chat_id, user_id));
CREATE TABLE votes (answer_id TEXT NOT NULL, user_id INTEGER NOT NULL, rating TEXT NOT NULL, feedback_id INTEGER,
    PRIMARY KEY (answer_id, user_id));
CREATE TABLE slow_down (client TEXT PRIMARY KEY, until REAL NOT NULL);
CREATE TABLE checks (chat_id INTEGER PRIMARY KEY, history TEXT, updated REAL NOT NULL);
INSERT INTO chats VALUES (101, 'en', 0, 1767225600.0), (-1001234567890, 'vi', 0, 1767225601.0), (103, NULL, 1, 1767225602.5);
INSERT INTO subscribers VALUES (101, 1767225600.0), (-1001234567890, 1767225700.0), (103, 1767225800.0);
INSERT INTO eligibility VALUES (101, 101, 4, '[{"sector": "cnht"}, {"size": "small"}]', 555, 1767225600.0),
    (-1001234567890, 6000000001, 2, NULL, NULL, 1767225600.0);
INSERT INTO checks VALUES (101, '[{"sector": "old"}]', 1767000000.0), (104, '[{"sector": "cnht"}]', 1767000000.0);
INSERT INTO votes VALUES ('a1', 101, 'up', 7), ('a1', 6000000001, 'down', NULL);
INSERT INTO slow_down VALUES ('telegram:101', 4102444800.0);
"""
LEGACY_LIMITS = """
CREATE TABLE buckets (name TEXT NOT NULL, client TEXT NOT NULL, tokens REAL NOT NULL, stamp REAL NOT NULL,
    PRIMARY KEY (name, client));
INSERT INTO buckets VALUES ('web', '10.0.0.1', 0.5, 1767225600.0);
"""


def _legacy_file(path, script: str) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(script)
    db.commit()
    db.close()


def test_the_stores_of_the_earlier_layout_move_into_the_database_without_loss(tmp_path, database_url):
    from assistant.db.database import open_database
    from assistant.settings import Settings
    from bots.telegram.chats import ChatStore

    data = tmp_path / "data"
    data.mkdir()
    _legacy_file(data / "telegram.sqlite", LEGACY_TELEGRAM)
    _legacy_file(data / "limits.sqlite", LEGACY_LIMITS)
    settings = Settings(data_dir=data, database_url="" if database_url.startswith("sqlite") else database_url)
    database = open_database(settings)
    store = ChatStore(database)
    assert store.subscribers() == [(101, "en"), (BIG, "vi")]  # 103 blocked the bot: kept, not announced to
    assert store.blocked(103) and store.lang(103) is None and store.lang(BIG) == "vi"
    assert store.check(101, 101) == (4, [{"sector": "cnht"}, {"size": "small"}], 555)  # the newer layout's check wins
    assert store.check(104, 104) == (1, [{"sector": "cnht"}], None)  # the older layout's check is the user's
    assert store.check(BIG, 6000000001) == (2, None, None)
    assert store.vote("a1", 101, "down") == ("up", 7) and store.tally("a1") == {"up": 0, "down": 2}
    assert not store.first_notice("telegram:101", time.time() + 1)  # still told to slow down until 2100
    assert not (data / "telegram.sqlite").exists() and not (data / "limits.sqlite").exists()
    assert (data / "telegram.sqlite.migrated").exists() and (data / "limits.sqlite.migrated").exists()
    kept = sqlite3.connect(data / "telegram.sqlite.migrated")
    assert kept.execute("SELECT COUNT(*) FROM chats").fetchone() == (3,)  # the old file is left whole
    kept.close()

    database.close()
    database = open_database(settings)  # the next start finds nothing to move, and nothing moved is lost
    assert ChatStore(database).subscribers() == [(101, "en"), (BIG, "vi")]
    assert not (data / "telegram.sqlite.migrated.2").exists()
    ChatStore(database).set_lang(101, "vi")
    database.close()

    # A process that died between the copy and the rename finds the file again: copying it twice loses
    # nothing, what the bot wrote since wins, and the earlier copy is not overwritten.
    shutil.copy(data / "telegram.sqlite.migrated", data / "telegram.sqlite")
    database = open_database(settings)
    assert ChatStore(database).lang(101) == "vi" and ChatStore(database).check(104, 104)[0] == 1
    assert (data / "telegram.sqlite.migrated").exists() and (data / "telegram.sqlite.migrated.2").exists()
    database.close()


def test_an_update_is_claimed_once_even_by_replicas_claiming_together(store):
    from sqlalchemy import select

    from assistant.db.models import TelegramUpdate
    from bots.telegram.chats import PRUNE_EVERY, UPDATES_KEPT, ChatStore

    assert store.claim_update(2**40 + 1) and not store.claim_update(2**40 + 1)
    replicas = [ChatStore(store.database) for _ in range(8)]
    barrier = threading.Barrier(len(replicas))
    won: list[bool] = []

    def claim(replica) -> None:
        barrier.wait()
        won.append(replica.claim_update(77))

    threads = [threading.Thread(target=claim, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False] * 7 + [True]
    with store.database.engine.begin() as connection:  # an old row is forgotten at the next pruning
        connection.execute(store.database.insert(TelegramUpdate).values(update_id=5, received_at=time.time() - UPDATES_KEPT - 1))
    assert store.claim_update(PRUNE_EVERY * 3)
    with store.database.engine.begin() as connection:
        kept = set(connection.scalars(select(TelegramUpdate.update_id)))
    assert kept == {2**40 + 1, 77, PRUNE_EVERY * 3}
