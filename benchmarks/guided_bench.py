"""Guided decisions as an officer at a scene uses them: how long from a tap (or a keystroke in
inline mode) to the bot's answer reaching the Bot API.

The real Application long-polls the Bot API stand-in of the tests on 127.0.0.1, one action at a
time (an officer waits for each redraw before the next tap). Latency runs from the update being
queued to the stand-in receiving the bot's reply, on the stand-in's clock.
"""

from __future__ import annotations

import asyncio
import copy
import tempfile
import time
from collections.abc import Callable

from benchmarks.report import figure
from bot.core.answers.evaluation import percentile, read_queries
from bot.core.guided.flows import CODES
from bot.core.services import load_knowledge
from tests.botapi import Call, FakeBotAPI
from tests.support import KNOWLEDGE, Harness, settings_for, start_bot, stop_bot

OFFICER = 600001
ROUNDS = 20  # checklists ticked through and referral paths walked
INLINE = 300  # inline queries (typed prefixes of real questions)


async def _timed(
    api: FakeBotAPI, method: str, push: Callable, *args: object
) -> tuple[float, Call]:
    mark = api.mark()
    start = time.monotonic()
    push(OFFICER, *args)
    [call] = await api.wait(method, after=mark, timeout=10)
    return (call.at - start) * 1000, call


def _message(api: FakeBotAPI, call: Call) -> dict:
    chat = int(call.params["chat_id"])
    message_id = int(call.params.get("message_id") or api.result_of(call)["message_id"])
    return copy.deepcopy(api.messages[(chat, message_id)])


async def _measure(api: FakeBotAPI, db_url: str) -> dict[str, list[float]]:
    knowledge = load_knowledge(KNOWLEDGE)
    app = await start_bot(settings_for(api, db_url, rate_limit_per_minute=100_000), knowledge)
    bot = Harness(api, app)
    times: dict[str, list[float]] = {"tap": [], "refer": [], "inline": []}
    try:
        await bot.enrol(OFFICER)
        flow = app.bot_data["referral"]
        paths = list(flow.paths())
        for n in range(ROUNDS):
            [sheet] = await bot.say(OFFICER, f"/check {('child', 'cuckooing', 'adult')[n % 3]}")
            shown = sheet
            for item in range(0, len(sheet.buttons) - 2, 2):
                message = _message(api, shown)
                data = shown.buttons[item][1]
                ms, shown = await _timed(api, "editMessageText", api.press, message, data)
                times["tap"].append(ms)
            [question] = await bot.say(OFFICER, "/refer")
            shown = question
            for code in paths[n % len(paths)]:
                message = _message(api, shown)
                index = CODES.index(code)
                data = shown.buttons[index][1]
                ms, shown = await _timed(api, "editMessageText", api.press, message, data)
                times["refer"].append(ms)
        queries = [q.query for q in read_queries(KNOWLEDGE / "eval" / "queries.jsonl")]
        for n in range(INLINE):
            words = queries[n % len(queries)]
            typed = words[: max(3, len(words) * (1 + n % 3) // 3)]  # as if mid-typing
            ms, _ = await _timed(api, "answerInlineQuery", api.inline, typed)
            times["inline"].append(ms)
    finally:
        await stop_bot(app)
    return times


def run() -> int:
    api = FakeBotAPI().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            times = asyncio.run(_measure(api, f"sqlite:///{tmp}/bench.db"))
    finally:
        api.stop()
    print(
        f"  {len(times['tap'])} checklist taps, {len(times['refer'])} referral answers, "
        f"{len(times['inline'])} inline queries, one at a time"
    )
    missed = 0
    for key, name in (
        ("tap", "checklist tap to redraw"),
        ("refer", "referral answer to next step"),
        ("inline", "inline query to results"),
    ):
        missed += figure(f"{name} p50", percentile(times[key], 50), "ms", 30, False)
        missed += figure(f"{name} p95", percentile(times[key], 95), "ms", 50, False)
    return missed
