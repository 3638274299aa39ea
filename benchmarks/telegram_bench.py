"""Updates per second through the whole stack, and update-to-reply latency.

The bot runs as its own process (`run_bot.py`, the production entry point) and long-polls the
Bot API stand-in of the tests, which runs here on 127.0.0.1 and timestamps every call. 200
enrolled officers first send a burst of 2,000 questions (throughput), then 600 questions at a
steady 100 a second (latency, from an update being queued to its reply arriving). Telegram
itself caps a bot near 30 messages a second; this measures what our own stack can carry.

A long card goes out as several messages; the first quotes the question (`reply_parameters`),
so that is what ties a reply to its question, not the order or number of messages in a chat.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.report import figure
from bot.core.access.users import User
from bot.core.answers.evaluation import percentile, read_queries
from bot.core.clock import now
from bot.core.storage.db import open_database
from bot.core.storage.schema import MODELS
from tests.botapi import TOKEN, Call, FakeBotAPI
from tests.support import KNOWLEDGE, ROOT, command_env

OFFICERS = 200
UPDATES = 2000
PACED = 600
PACED_RATE = 100


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _answers(
    api: FakeBotAPI, questions: dict[int, object], after: int, timeout: float
) -> dict[int, Call]:
    """Each question's answer (its first message, quoting it), by question message id."""
    deadline = time.monotonic() + timeout
    found: dict[int, Call] = {}
    while True:
        calls = api.calls[after:]
        after += len(calls)
        for call in calls:
            quoted = (call.params.get("reply_parameters") or {}).get("message_id")
            if call.method == "sendMessage" and quoted in questions:
                found.setdefault(quoted, call)
        if len(found) == len(questions):
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(questions) - len(found)} of {len(questions)} unanswered")
        await asyncio.sleep(0.02)


async def _burst(api: FakeBotAPI, officers: list[int], queries: list[str], pid: int) -> float:
    """Queue UPDATES questions at once; updates per second until the last answer."""
    mark = api.mark()
    cpu = _cpu_seconds(pid)
    start = time.perf_counter()
    questions: dict[int, object] = {}
    for n in range(UPDATES):
        msg = api.send(officers[n % len(officers)], queries[n % len(queries)])
        questions[msg["message_id"]] = None
    await _answers(api, questions, mark, timeout=120)
    elapsed = time.perf_counter() - start
    used = _cpu_seconds(pid) - cpu
    print(
        f"  bot process: {used / UPDATES * 1000:.2f} ms CPU per update, "
        f"{used / elapsed * 100:.0f}% of a core during the burst"
    )
    return UPDATES / elapsed


async def _paced(api: FakeBotAPI, officers: list[int], queries: list[str]) -> list[float]:
    """PACED_RATE questions a second; milliseconds from each update to its reply.

    Answers are matched to their questions by the message they quote, using the stand-in's own
    timestamps.
    """
    mark = api.mark()
    sent: dict[int, float] = {}
    begin = time.monotonic()
    for n in range(PACED):
        uid = officers[n % len(officers)]
        await asyncio.sleep(max(0.0, begin + n / PACED_RATE - time.monotonic()))
        at = time.monotonic()
        sent[api.send(uid, queries[n % len(queries)])["message_id"]] = at
    answers = await _answers(api, dict(sent), mark, timeout=60)
    return [(answers[mid].at - at) * 1000 for mid, at in sent.items()]


async def _measure(db_url: str, api: FakeBotAPI, officers: list[int]) -> tuple[float, list[float]]:
    env = command_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        DATABASE_URL=db_url,
        RATE_LIMIT_PER_MINUTE="100000",
        TELEGRAM_MAX_RATE="100000",
        LOG_LEVEL="WARNING",
    )
    bot = subprocess.Popen([sys.executable, str(ROOT / "run_bot.py")], cwd=ROOT, env=env)
    try:
        await api.wait("deleteWebhook", timeout=30)  # polling has started
        queries = [q.query for q in read_queries(KNOWLEDGE / "eval" / "queries.jsonl")]
        rate = await _burst(api, officers, queries, bot.pid)
        latencies = await _paced(api, officers, queries)
    finally:
        bot.send_signal(signal.SIGINT)
        bot.wait(timeout=30)
    return rate, latencies


def run() -> int:
    officers = list(range(500_000, 500_000 + OFFICERS))
    api = FakeBotAPI().start()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/bench.db"
        db = open_database(db_url, MODELS)
        User.insert_many(
            [{"id": u, "name": "Bench", "role": "officer", "enrolled_at": now()} for u in officers]
        ).execute()
        db.close()
        try:
            rate, latencies = asyncio.run(_measure(db_url, api, officers))
        finally:
            api.stop()
    print(f"  burst of {UPDATES:,} questions from {OFFICERS} officers, {PACED} at {PACED_RATE}/s")
    missed = figure("updates per second, whole stack", rate, "/s", 300, True)
    missed += figure(
        f"update to reply p50 at {PACED_RATE}/s", percentile(latencies, 50), "ms", 50, False
    )
    missed += figure(
        f"update to reply p99 at {PACED_RATE}/s", percentile(latencies, 99), "ms", 50, False
    )
    return missed
