"""Reaching Telegram without ever taking the server down with it: every call the bot needs before it
can work (who am I, the webhook) is retried with a growing pause while Telegram cannot be reached, each
failure logged with what is wrong; an invalid token stops the bot (never the server). `BotStatus` is
what `/readyz` reports of the bot."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from telegram.error import InvalidToken, RetryAfter, TelegramError

log = logging.getLogger(__name__)
FIRST_PAUSE, LONGEST_PAUSE = 0.5, 5.0  # seconds between two attempts: doubling from the first to the longest
T = TypeVar("T")


@dataclass
class BotStatus:
    """Where the bot stands: `starting`, `connecting` (Telegram not reachable yet; `problem` says why),
    `running`, `invalid_token` (Telegram refused the token; the bot stays off) or `stopped`."""

    state: str = "starting"
    problem: str = ""
    attempts: int = 0
    since: float = field(default_factory=time.time)

    def move(self, state: str, problem: str = "") -> None:
        """Record a new state."""
        if state != self.state:
            self.since = time.time()
        self.state, self.problem = state, problem

    def report(self) -> dict:
        """The status as `/readyz` shows it."""
        return {"state": self.state, "problem": self.problem, "attempts": self.attempts,
                "since": round(self.since, 3)}


def describe(exc: BaseException) -> str:
    """What went wrong, in one line (the network error under Telegram's wrapper included)."""
    cause = exc.__cause__ or exc.__context__
    text = f"{type(exc).__name__}: {exc}"
    if cause is not None and str(cause) and str(cause) not in text:
        text += f" ({type(cause).__name__}: {cause})"
    return text


async def with_backoff(action: Callable[[], Awaitable[T]], status: BotStatus, what: str, where: str) -> T:
    """`action`'s result once it succeeds. Until then every failure to reach Telegram (no DNS, refused,
    timed out, a server error) is logged as a warning with `what` was tried at `where`, and tried again
    after a pause doubling up to LONGEST_PAUSE seconds. InvalidToken is logged and raised."""
    pause = FIRST_PAUSE
    while True:
        status.attempts += 1
        try:
            return await action()
        except InvalidToken as exc:
            status.move("invalid_token", f"Telegram refused the bot token: {exc}")
            log.error("Telegram (%s) refused the bot token while %s: %s. Check CNHT_TELEGRAM_TOKEN; the bot stays off.",
                      where, what, exc)
            raise
        except RetryAfter as exc:
            retry = exc.retry_after
            wait = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
            status.move("connecting", f"{what}: Telegram asks to wait {wait:.0f} s")
            log.warning("Telegram (%s) asks to wait %.0f s before %s", where, wait, what)
            await asyncio.sleep(wait)
            continue
        except TelegramError as exc:
            status.move("connecting", f"{what}: {describe(exc)}")
            log.warning("Telegram cannot be reached at %s while %s (%s); trying again in %.1f s",
                        where, what, describe(exc), pause)
        await asyncio.sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE)
