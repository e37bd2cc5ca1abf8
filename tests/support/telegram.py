"""The Telegram Bot API emulator (npm telegram-test-api behind `telegram_emulator.js`), a client that
plays Telegram users against it, and a runner that polls it with a real python-telegram-bot Application."""
from __future__ import annotations

import asyncio
import itertools
import shutil
import subprocess
import threading
import time
from pathlib import Path

import httpx

from tests.support.processes import free_port

SUPPORT = Path(__file__).resolve().parent
EMULATOR_JS = SUPPORT / "telegram_emulator.js"
TOKEN = "123456:CNHT-TEST"
BOT_USERNAME = "CnhtTestBot"


def emulator_missing() -> str | None:
    """Why the emulator cannot run here (None when it can)."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (SUPPORT / "node_modules" / "telegram-test-api").is_dir():
        return "telegram-test-api is not installed: run `make emulator` (npm ci in tests/support)"
    return None



class Emulator:
    """A running emulator on loopback; `url` is what the bot's `telegram_api_url` points at. `down()` and
    `up()` stop it and start it again on the same port (an outage of Telegram; its memory is lost)."""

    def __init__(self, port: int | None = None, start: bool = True) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.http = httpx.Client(base_url=self.url, timeout=10)
        self._message_ids = itertools.count(10_000)
        self._process = None
        if start:
            self.up()

    def up(self) -> None:
        """Start the emulator (again) on its port."""
        self._process = subprocess.Popen(
            ["node", str(EMULATOR_JS), str(self.port)], cwd=SUPPORT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        line = self._process.stdout.readline()
        if not line.startswith("READY"):
            self._process.kill()
            raise RuntimeError(f"the Telegram emulator did not start: {line}{self._process.stderr.read()}")

    def down(self) -> None:
        """Stop the emulator process (Telegram unreachable: connections are refused)."""
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def stop(self) -> None:
        """Stop the emulator."""
        self.down()
        self.http.close()

    def users(self, token: str = TOKEN) -> TelegramUsers:
        """Users of the bot with this token (each bot under test gets its own token)."""
        return TelegramUsers(self.http, token, self._message_ids)

    def calls(self, method: str) -> list[dict]:
        """The bot's calls of a method the emulator only remembers (setMyCommands, sendChatAction,
        answerCallbackQuery)."""
        return [c for c in self.http.get("/testing/calls").json() if c["method"] == method]

    def block(self, chat_id: int) -> None:
        """The user of this chat blocks the bot: Telegram answers the bot's messages with 403."""
        self.http.post("/testing/block", json={"chatId": chat_id}).raise_for_status()


class BotRunner:
    """A python-telegram-bot Application polling the emulator from its own thread and event loop."""

    def __init__(self, application, poll_interval: float = 0.02):
        self.application = application
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._run(self._start(poll_interval))

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(60)

    async def _start(self, poll_interval: float) -> None:
        app = self.application
        await app.initialize()
        if app.post_init:
            await app.post_init(app)
        await app.updater.start_polling(poll_interval=poll_interval, timeout=0)
        await app.start()

    async def _stop(self) -> None:
        app = self.application
        await app.updater.stop()
        await app.stop()
        if app.post_stop:
            await app.post_stop(app)
        await app.shutdown()

    def stop(self) -> None:
        """Stop polling and close the bot (what a restart does first)."""
        self._run(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)



class TelegramUsers:
    """Telegram users writing to one bot through the emulator, and what the bot writes back."""

    def __init__(self, http: httpx.Client, token: str, message_ids):
        self.http = http
        self.token = token
        self._message_ids = message_ids

    @staticmethod
    def _people(chat_id: int, user_id: int, chat_type: str, language: str) -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "username": f"user{user_id}",
                "language_code": language}
        chat = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat.update(first_name=user["first_name"], username=user["username"])
        else:
            chat["title"] = f"Group {chat_id}"
        return {"from": user, "chat": chat}

    def say(self, chat_id: int, text: str, user_id: int | None = None, chat_type: str = "private",
            language: str = "vi", reply_to: dict | None = None, **extra) -> None:
        """A user writes `text` in a chat (a command when it starts with '/'), replying to the bot's
        message `reply_to` when given."""
        message = {"botToken": self.token, "date": int(time.time()), "text": text,
                   **self._people(chat_id, user_id or chat_id, chat_type, language), **extra}
        if reply_to is not None:
            message["reply_to_message"] = self._bot_message(chat_id, chat_type, reply_to)
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
            self.http.post("/sendCommand", json=message).raise_for_status()
        else:
            self.http.post("/sendMessage", json=message).raise_for_status()

    def send(self, chat_id: int, user_id: int | None = None, chat_type: str = "private", language: str = "vi",
             **content) -> None:
        """A user sends something that is not text (`sticker=…`, `photo=…`, `location=…`, …)."""
        message = {"botToken": self.token, "date": int(time.time()),
                   **self._people(chat_id, user_id or chat_id, chat_type, language), **content}
        self.http.post("/sendMessage", json=message).raise_for_status()

    def _bot_message(self, chat_id: int, chat_type: str, message: dict) -> dict:
        chat = {"id": chat_id, "type": chat_type, **({"title": f"Group {chat_id}"} if chat_type != "private" else {})}
        bot = {"id": 666, "is_bot": True, "first_name": "CNHT Test", "username": BOT_USERNAME}
        return {"message_id": message["message_id"], "date": int(time.time()), "chat": chat, "from": bot,
                "text": message.get("text", "")}

    def press(self, chat_id: int, data: str, user_id: int | None = None, language: str = "vi",
              message: dict | None = None, chat_type: str = "private") -> None:
        """A user presses an inline button carrying `data` under the bot's `message` (one the test did not
        keep when None)."""
        people = self._people(chat_id, user_id or chat_id, chat_type, language)
        pressed = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": people["chat"], "text": "…"}
        if message is not None:
            pressed = self._bot_message(chat_id, chat_type, message)
            if message.get("reply_markup"):
                pressed["reply_markup"] = message["reply_markup"]
        body = {"botToken": self.token, "from": people["from"], "message": pressed, "data": data}
        self.http.post("/sendCallback", json=body).raise_for_status()

    def replies(self, chat_id: int, count: int = 1, timeout: float = 30) -> list[dict]:
        """The bot's next `count` messages to a chat (waits for them; fails after `timeout` seconds)."""
        found: list[dict] = []
        deadline = time.monotonic() + timeout
        while len(found) < count:
            result = self.http.post("/getUpdates", json={"token": self.token, "chatId": chat_id}).json()["result"]
            found += [update["message"] | {"time": update["time"], "message_id": update["messageId"]} for update in result]
            if len(found) >= count:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"chat {chat_id}: expected {count} bot messages, got {len(found)}: {found}")
            time.sleep(0.05)
        return found

    def silence(self, chat_id: int, seconds: float = 1.5) -> list[dict]:
        """Whatever the bot writes to a chat within `seconds` (expected empty)."""
        time.sleep(seconds)
        return [u["message"] for u in self.http.post("/getUpdates", json={"token": self.token, "chatId": chat_id}).json()["result"]]

    def message(self, chat_id: int, message_id: int) -> dict:
        """One of the bot's messages as it is now (after any edits)."""
        messages = self.http.get("/testing/messages", params={"token": self.token, "chatId": chat_id}).json()
        return next(m for m in messages if m["message_id"] == message_id)

    def popup(self, after: int = 0, timeout: float = 10) -> list[str]:
        """The texts the bot showed on pressed buttons (answerCallbackQuery) after the first `after`
        answers, waiting until there is at least one more."""
        deadline = time.monotonic() + timeout
        while True:
            calls = [c for c in self.http.get("/testing/calls").json() if c["method"] == "answerCallbackQuery"]
            if len(calls) > after or time.monotonic() > deadline:
                return [c["body"].get("text", "") for c in calls[after:]]
            time.sleep(0.05)
