"""Telegram bot latency: `cnht telegram` (extractive mode) polling the Bot API emulator while simulated
users ask mixed Vietnamese and English questions at the same time.

    CNHT_DATA_DIR=D .venv/bin/python bench/bench_telegram.py [--mode polling|webhook] [--workers 2]
        [--users 20] [--questions-per-user 10] QUESTIONS.jsonl [...]

`polling` runs `cnht telegram` (one process polling every 20 ms: the emulator cannot long-poll);
`webhook` runs `cnht serve --workers N` with the webhook registered with the emulator, which then
posts each update to it with the secret token, as Telegram does.

Each user starts within the first --ramp seconds, asks a question, waits for the reply, reads for
--think seconds (uniform between the two values) and asks the next. With `--popularity distinct` every
question asked is a different one (the worst case); with `zipf` (the default, as in bench_web.py) they are
drawn with popularity falling as 1/rank, the way questions to a help desk repeat.
Latency is measured by the emulator's own clocks: from the user's update being stored (what the bot
receives with its next poll) to the bot's reply being stored, so the bot's polling delay is included.
The shared answer cache of D is emptied first, so every question is new to the bot.
Needs node and `make emulator`.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import schedule  # noqa: E402
from report import emit, forget_answers, percentile, question_pool  # noqa: E402

from tests.support.telegram import TOKEN, Emulator, emulator_missing  # noqa: E402


async def simulate(url: str, questions: list[list[str]], ramp: float, think: tuple[float, float]) -> None:
    """Every user asks its questions one after the other, waiting for each reply."""
    replies: dict[int, int] = {}
    arrived: dict[int, asyncio.Event] = {}
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        done = asyncio.Event()

        async def watch() -> None:
            while not done.is_set():
                history = (await client.post("/getUpdatesHistory", json={"token": TOKEN})).json()["result"]
                counts: dict[int, int] = {}
                for item in history:
                    if "chat_id" in item["message"]:
                        chat = int(item["message"]["chat_id"])
                        counts[chat] = counts.get(chat, 0) + 1
                for chat, count in counts.items():
                    if chat in arrived and count > replies.get(chat, 0):
                        replies[chat] = count
                        arrived[chat].set()
                await asyncio.sleep(0.25)  # the emulator clocks the latency; this only paces the users

        async def user(index: int, asks: list[str]) -> None:
            chat = 70_000 + index
            rng = random.Random(index)
            arrived[chat] = asyncio.Event()
            await asyncio.sleep(rng.uniform(0, ramp))
            for question in asks:
                arrived[chat].clear()
                before = replies.get(chat, 0)
                person = {"id": chat, "is_bot": False, "first_name": f"U{index}", "language_code": "vi"}
                await client.post("/sendMessage", json={
                    "botToken": TOKEN, "date": int(time.time()), "text": question, "from": person,
                    "chat": {"id": chat, "type": "private", "first_name": f"U{index}"}})
                while replies.get(chat, 0) <= before:
                    await asyncio.wait_for(arrived[chat].wait(), timeout=60)
                    arrived[chat].clear()
                await asyncio.sleep(rng.uniform(*think))

        watcher = asyncio.create_task(watch())
        await asyncio.gather(*(user(i, asks) for i, asks in enumerate(questions)))
        done.set()
        await watcher


WARM_UP_CHAT = 69_999


def latencies(url: str) -> list[float]:
    """Per question: the emulator's time of the bot's last reply minus that of the user's message."""
    history = httpx.post(url + "/getUpdatesHistory", json={"token": TOKEN}, timeout=30).json()["result"]
    events: dict[int, list[tuple[float, str]]] = {}
    for item in history:
        message = item["message"]
        if "chat_id" in message:
            events.setdefault(int(message["chat_id"]), []).append((item["time"], "bot"))
        else:
            events.setdefault(int(message["chat"]["id"]), []).append((item["time"], "user"))
    out: list[float] = []
    events.pop(WARM_UP_CHAT, None)
    for timeline in events.values():
        timeline.sort()
        asked = None
        for i, (stamp, who) in enumerate(timeline):
            if who == "user":
                asked = stamp
            elif asked is not None and (i + 1 == len(timeline) or timeline[i + 1][1] == "user"):
                out.append(stamp - asked)
                asked = None
    return out


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_listening(emulator: Emulator, mode: str, workers: int, bot: subprocess.Popen) -> None:
    """Polling: the bot has asked for the command menu. Webhook: every worker has registered it."""
    deadline = time.time() + 240
    needed = 1 if mode == "polling" else workers
    while len(emulator.calls("setMyCommands")) < 3 * needed:
        if time.time() > deadline or bot.poll() is not None:
            raise SystemExit("the bot did not start")
        time.sleep(0.5)
    if mode == "webhook":
        time.sleep(2)  # set_webhook comes right after the command menu


def main() -> None:
    """Start the emulator and the bot, run the users, print the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("questions", nargs="+")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--questions-per-user", type=int, default=10)
    parser.add_argument("--ramp", type=float, default=2.0)
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0))
    parser.add_argument("--popularity", choices=["zipf", "distinct"], default="zipf")
    parser.add_argument("--mode", choices=["polling", "webhook"], default="webhook")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out")
    args = parser.parse_args()
    if problem := emulator_missing():
        raise SystemExit(problem)
    pool = question_pool(args.questions, seed=11)
    need = args.users * args.questions_per_user
    if args.popularity == "distinct" and len(pool) < need:
        raise SystemExit(f"{need} distinct questions needed, {len(pool)} given")
    asked = schedule(pool, need, "cycle" if args.popularity == "distinct" else "zipf", 1.0)
    per_user = [asked[i * args.questions_per_user : (i + 1) * args.questions_per_user] for i in range(args.users)]
    forget_answers()

    emulator = Emulator()
    env = {**os.environ, "OMP_WAIT_POLICY": "passive", "CNHT_TELEGRAM_TOKEN": TOKEN,
           "CNHT_TELEGRAM_API_URL": emulator.url, "CNHT_TELEGRAM_RATE_PER_MINUTE": "10000"}
    if args.mode == "polling":
        command = ["telegram", "--poll-interval", "0.02"]
    else:
        port = _free_port()
        env["CNHT_TELEGRAM_WEBHOOK_URL"] = f"http://127.0.0.1:{port}/telegram/webhook"
        command = ["serve", "--port", str(port), "--workers", str(args.workers)]
    bot = subprocess.Popen([sys.executable, "-m", "bots", *command], env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        # Ready when it answers a warm-up question (with words no measured question has).
        users = emulator.users(TOKEN)
        _wait_until_listening(emulator, args.mode, args.workers, bot)
        users.say(WARM_UP_CHAT, "/start")
        users.replies(WARM_UP_CHAT, timeout=180)
        users.say(WARM_UP_CHAT, "Xin chào, đây là câu hỏi khởi động?")
        users.replies(WARM_UP_CHAT, timeout=60)
        started = time.perf_counter()
        asyncio.run(simulate(emulator.url, per_user, args.ramp, tuple(args.think)))
        elapsed = time.perf_counter() - started
        measured = latencies(emulator.url)
    finally:
        bot.terminate()
        bot.wait(timeout=30)
        emulator.stop()
    report = {
        "popularity": args.popularity, "distinct_questions": len(set(asked)), "mode": args.mode, "workers": args.workers if args.mode == "webhook" else 1, "users": args.users, "questions_per_user": args.questions_per_user, "ramp_s": args.ramp,
        "think_s": list(args.think), "questions_in_pool": len(pool), "answered": len(measured),
        "seconds": round(elapsed, 1), "p50_ms": round(statistics.median(measured), 1),
        "p95_ms": round(percentile(measured, 95), 1), "max_ms": round(max(measured), 1),
    }
    emit(report, args.out)


if __name__ == "__main__":
    main()
