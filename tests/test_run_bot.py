"""`python run_bot.py` as it is deployed: a real process, configured only by its environment."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tests.botapi import FakeBotAPI, plain
from tests.support import ADMIN, ROOT, bot_env, start_bot_process


async def test_token_runs_long_polling_and_answers(botapi: FakeBotAPI, tmp_path: Path) -> None:
    bot = start_bot_process(env=bot_env(botapi, tmp_path))
    try:
        await botapi.wait("deleteWebhook", timeout=30)
        assert botapi.sent(method="setMyCommands")
        mark = botapi.mark()
        botapi.send(ADMIN, "what is a ddtro")
        [reply] = await botapi.wait("sendMessage", chat_id=ADMIN, after=mark, timeout=10)
        assert plain(reply.text).startswith("Drug Dealing Telecommunications Restriction Orders")
    finally:
        bot.send_signal(signal.SIGINT)
        _, stderr = bot.communicate(timeout=30)
    assert bot.returncode == 0, stderr
    assert (tmp_path / "bot.db").exists()


def test_webhook_needs_a_secret(botapi: FakeBotAPI, tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), "--webhook", "https://bot.example.invalid/t"],
        cwd=ROOT,
        env=bot_env(botapi, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "WEBHOOK_SECRET is required" in out.stderr
    assert botapi.calls == []  # refused before touching Telegram


def test_malformed_settings_are_named(botapi: FakeBotAPI, tmp_path: Path) -> None:
    env = bot_env(botapi, tmp_path, WEBHOOK_PORT="eighty", ADMIN_IDS="alice")
    out = subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "WEBHOOK_PORT" in out.stderr and "ADMIN_IDS" in out.stderr
