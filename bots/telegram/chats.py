"""What the bot remembers of each chat across restarts: its language, whether it blocked the bot, each
member's eligibility check in progress, whether it subscribed to announcements, each user's vote on an
answer, and when a user was last told to slow down.

The state lives in the one database (SQLite or PostgreSQL), so every replica's bot sees the same chats.
Each change is one atomic statement (an upsert, or an UPDATE guarded by what it expects), never a read
followed by a write, so two processes handling updates of one chat at once cannot undo each other.
Every method is blocking: handlers call them through `BotContext.call`, off the event loop."""
from __future__ import annotations

import json
import time

from sqlalchemy import Executable, delete, func, select, update

from assistant.db.database import Database
from assistant.db.models import (
    TelegramChat,
    TelegramCheck,
    TelegramSlowDown,
    TelegramSubscriber,
    TelegramUpdate,
    TelegramVote,
    utcnow,
)

UPDATES_KEPT = 7 * 86400  # seconds an update_id is remembered (Telegram gives up redelivering within a day)
PRUNE_EVERY = 500  # updates between prunings of the remembered ones


class ChatStore:
    """Per-chat settings in the database."""

    def __init__(self, database: Database):
        self.database = database

    def lang(self, chat_id: int) -> str | None:
        """The language chosen in this chat, if any."""
        with self.database.engine.begin() as connection:
            return connection.scalar(select(TelegramChat.lang).where(TelegramChat.chat_id == chat_id))

    def _set_chat(self, chat_id: int, **values) -> None:
        """Insert the chat with these values, or change them on the stored chat."""
        insert = self.database.insert(TelegramChat).values(chat_id=chat_id, updated_at=utcnow(), **values)
        changed = {name: insert.excluded[name] for name in (*values, "updated_at")}
        with self.database.engine.begin() as connection:
            connection.execute(insert.on_conflict_do_update(index_elements=["chat_id"], set_=changed))

    def set_lang(self, chat_id: int, lang: str) -> None:
        """Remember the chat's language."""
        self._set_chat(chat_id, lang=lang)

    def set_blocked(self, chat_id: int, blocked: bool) -> None:
        """Remember that the user blocked (or unblocked) the bot, or removed it from the chat."""
        self._set_chat(chat_id, blocked=blocked)

    def blocked(self, chat_id: int) -> bool:
        """Whether the bot can no longer write to this chat."""
        with self.database.engine.begin() as connection:
            return bool(connection.scalar(select(TelegramChat.blocked).where(TelegramChat.chat_id == chat_id)))

    def check(self, chat_id: int, user_id: int) -> tuple[int, list[dict] | None, int | None]:
        """This user's eligibility check in this chat: (version, the answers so far as one profile per
        step or None when no check is in progress, the message id of the question asked last)."""
        with self.database.engine.begin() as connection:
            row = connection.execute(
                select(TelegramCheck.version, TelegramCheck.history, TelegramCheck.message_id)
                .where(TelegramCheck.chat_id == chat_id, TelegramCheck.user_id == user_id)
            ).first()
        if row is None:
            return 0, None, None
        return row.version, (json.loads(row.history) if row.history is not None else None), row.message_id

    def save_check(self, chat_id: int, user_id: int, version: int, history: list[dict] | None) -> int | None:
        """Move the check from `version` to the next one with these steps (None: the check ended).
        Returns the new version, or None when another update moved the check on first (the caller's
        step is then stale)."""
        values = {"version": version + 1, "history": json.dumps(history, ensure_ascii=False) if history is not None else None,
                  "updated_at": utcnow()}
        if version == 0:  # the first check of this user in this chat: only if no other update created it
            statement: Executable = (
                self.database.insert(TelegramCheck).values(chat_id=chat_id, user_id=user_id, **values)
                .on_conflict_do_nothing().returning(TelegramCheck.version))
        else:
            statement = (update(TelegramCheck).values(**values)
                         .where(TelegramCheck.chat_id == chat_id, TelegramCheck.user_id == user_id,
                                TelegramCheck.version == version).returning(TelegramCheck.version))
        with self.database.engine.begin() as connection:
            moved = connection.execute(statement).first() is not None
        return version + 1 if moved else None

    def set_check_message(self, chat_id: int, user_id: int, message_id: int) -> int | None:
        """Remember the message that asks the check's current question; returns the one it replaces."""
        statement = (
            update(TelegramCheck)
            .values(replaced_message_id=TelegramCheck.message_id, message_id=message_id)  # SET reads the row before
            .where(TelegramCheck.chat_id == chat_id, TelegramCheck.user_id == user_id)
            .returning(TelegramCheck.replaced_message_id)
        )
        with self.database.engine.begin() as connection:
            return connection.scalar(statement)

    def vote(self, answer_id: str, user_id: int, rating: str) -> tuple[str | None, int | None]:
        """Record a user's vote on an answer (one per user, changeable). Returns the user's previous
        rating and the feedback row it was stored as (None, None for a first vote)."""
        insert = self.database.insert(TelegramVote).values(answer_id=answer_id, user_id=user_id, rating=rating)
        statement = insert.on_conflict_do_update(
            index_elements=["answer_id", "user_id"],
            set_={"previous_rating": TelegramVote.rating, "rating": insert.excluded.rating},  # SET reads the row before
        ).returning(TelegramVote.previous_rating, TelegramVote.feedback_id)
        with self.database.engine.begin() as connection:
            previous, feedback_id = connection.execute(statement).one()
        return previous, feedback_id

    def set_vote_feedback(self, answer_id: str, user_id: int, feedback_id: int) -> None:
        """Remember the feedback row a user's vote is stored as."""
        with self.database.engine.begin() as connection:
            connection.execute(update(TelegramVote).values(feedback_id=feedback_id)
                               .where(TelegramVote.answer_id == answer_id, TelegramVote.user_id == user_id))

    def tally(self, answer_id: str) -> dict[str, int]:
        """The votes on an answer: {"up": n, "down": m}."""
        with self.database.engine.begin() as connection:
            rows = connection.execute(select(TelegramVote.rating, func.count()).where(TelegramVote.answer_id == answer_id)
                                      .group_by(TelegramVote.rating)).all()
        return {"up": 0, "down": 0, **{rating: count for rating, count in rows}}

    def first_notice(self, client: str, until: float) -> bool:
        """Whether a user over the rate limit should be told so now: True once per window (then silent
        until `until`, when their next question is allowed)."""
        insert = self.database.insert(TelegramSlowDown).values(client=client, until=until)
        statement = insert.on_conflict_do_update(
            index_elements=["client"], set_={"until": insert.excluded.until}, where=TelegramSlowDown.until <= time.time(),
        ).returning(TelegramSlowDown.client)
        with self.database.engine.begin() as connection:
            return connection.execute(statement).first() is not None

    def claim_update(self, update_id: int) -> bool:
        """Whether this process is the first to take this update (it then handles it); False when any
        replica took it before (its webhook got it too, or Telegram delivered it again). One atomic
        insert, so of two replicas claiming at once exactly one wins."""
        now = time.time()
        statement = (self.database.insert(TelegramUpdate).values(update_id=update_id, received_at=now)
                     .on_conflict_do_nothing().returning(TelegramUpdate.update_id))
        with self.database.engine.begin() as connection:
            claimed = connection.execute(statement).first() is not None
            if claimed and update_id % PRUNE_EVERY == 0:
                connection.execute(delete(TelegramUpdate).where(TelegramUpdate.received_at < now - UPDATES_KEPT))
        return claimed

    def subscribe(self, chat_id: int) -> None:
        """The chat wants announcements of new notices, plans and programs."""
        insert = self.database.insert(TelegramSubscriber).values(chat_id=chat_id, since=utcnow())
        with self.database.engine.begin() as connection:
            connection.execute(insert.on_conflict_do_nothing())

    def unsubscribe(self, chat_id: int) -> None:
        """No more announcements to this chat."""
        with self.database.engine.begin() as connection:
            connection.execute(delete(TelegramSubscriber).where(TelegramSubscriber.chat_id == chat_id))

    def subscribers(self) -> list[tuple[int, str]]:
        """(chat_id, language) of every subscribed chat that has not blocked the bot."""
        query = (
            select(TelegramSubscriber.chat_id, func.coalesce(TelegramChat.lang, "vi"))
            .outerjoin(TelegramChat, TelegramChat.chat_id == TelegramSubscriber.chat_id)
            .where(TelegramChat.blocked.is_not(True))
            .order_by(TelegramSubscriber.since, TelegramSubscriber.chat_id)
        )
        with self.database.engine.begin() as connection:
            return [(chat_id, lang) for chat_id, lang in connection.execute(query).all()]
