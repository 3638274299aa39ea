"""Issue 12 #11: durability of the bot itself, not only of the storage layer. The bot's own
SQLite connection syncs every commit (synchronous=FULL), and a bot process killed with SIGKILL
right after it said "Saved as ..." still has every note it acknowledged."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from tests.botapi import FakeBotAPI, plain
from tests.support import ADMIN, Harness, bot_env, start_bot_process
from tests.test_notes_telegram import button, skip_to_confirm


async def test_the_bots_own_connection_syncs_every_commit(bot: Harness) -> None:
    def pragmas() -> tuple[int, str]:
        db = bot.services.store.db
        synchronous = db.execute_sql("PRAGMA synchronous").fetchone()[0]
        journal = db.execute_sql("PRAGMA journal_mode").fetchone()[0]
        return synchronous, journal

    assert await bot.services.store.run(pragmas) == (2, "wal")  # 2 is FULL


def start(api: FakeBotAPI, tmp_path: Path) -> subprocess.Popen:
    return start_bot_process(env=bot_env(api, tmp_path), stderr=subprocess.DEVNULL)


async def test_sigkill_right_after_saved_loses_no_note(botapi: FakeBotAPI, tmp_path: Path) -> None:
    bot = Harness(botapi, app=None)  # type: ignore[arg-type]  # the bot is another process
    process = start(botapi, tmp_path)
    saved: list[str] = []
    try:
        await botapi.wait("deleteWebhook", timeout=30)
        for n in range(3):
            [_, category] = await bot.say(ADMIN, f"/note observation {n} at Example Park", count=2)
            confirm = await skip_to_confirm(bot, ADMIN, category)
            mark = botapi.mark()
            botapi.press(ADMIN, confirm, button(confirm, "✅ Save"))
            [ack] = await botapi.wait("answerCallbackQuery", after=mark, timeout=10)
            assert ack.params["text"].startswith("Saved as ")
            saved.append(ack.params["text"].removeprefix("Saved as ").rstrip("."))
        os.kill(process.pid, signal.SIGKILL)  # at once: no shutdown, no flush
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    restarted = start(botapi, tmp_path)
    try:
        mark = botapi.mark()
        await botapi.wait("deleteWebhook", after=mark, timeout=30)
        [listing] = await bot.say(ADMIN, "/mynotes")
        for ref in saved:
            assert ref in plain(listing.text)
    finally:
        restarted.send_signal(signal.SIGINT)
        restarted.wait(timeout=30)
