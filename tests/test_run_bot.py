"""`python run_bot.py` as it is deployed, configured only by its environment: a real process where
the start-up itself is under test, `main` in-process where only its refusal is."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.botapi import FakeBotAPI, plain
from tests.support import ADMIN, bot_env, cli, start_bot_process


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
    out = cli("--webhook", "https://bot.example.invalid/t", **bot_env(botapi, tmp_path))
    assert out.returncode == 2
    assert "WEBHOOK_SECRET is required" in out.stderr
    assert botapi.calls == []  # refused before touching Telegram


def test_malformed_settings_are_named(botapi: FakeBotAPI, tmp_path: Path) -> None:
    env = bot_env(botapi, tmp_path, WEBHOOK_PORT="eighty", ADMIN_IDS="alice")
    out = cli(**env)
    assert out.returncode == 2
    assert "WEBHOOK_PORT" in out.stderr and "ADMIN_IDS" in out.stderr
