"""Issue 12, webhook: the secret header is checked first and big bodies are never read.
The real Application behind the bot's webhook server, posted to over real sockets."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from bot.config import Settings
from tests.botapi import FakeBotAPI, plain
from tests.support import Harness, settings_for, start_bot_process, stop_bot

OFFICER = 730001
SECRET = "right-secret"
HUGE = 90 * 1024 * 1024


@asynccontextmanager
async def webhook_bot(botapi, knowledge, sqlite_url, port: int) -> AsyncIterator[Harness]:
    from bot.telegram.app import build_application
    from bot.telegram.webhook import start_webhook

    app = build_application(settings_for(botapi, sqlite_url), knowledge=knowledge)
    await app.initialize()
    await app.start()
    runner = await start_webhook(
        app, listen="127.0.0.1", port=port, path="telegram", secret=SECRET
    )
    try:
        yield Harness(botapi, app)
    finally:
        await runner.cleanup()
        await stop_bot(app)


async def raw_post(port: int, headers: dict[str, str], body: bytes = b"") -> tuple[int, float]:
    """Send the headers (and `body`, maybe far shorter than announced); the status line's code
    and how long it took to come."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    head = "POST /telegram HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    writer.write(head.encode() + body)
    await writer.drain()
    try:
        line = await asyncio.wait_for(reader.readline(), timeout=3)
    finally:
        writer.close()
    return int(line.split()[1]), time.monotonic() - started


async def test_webhook_refuses_before_reading_the_body(
    botapi: FakeBotAPI, knowledge, sqlite_url, unused_tcp_port
) -> None:
    port = unused_tcp_port
    async with webhook_bot(botapi, knowledge, sqlite_url, port) as bot:
        await bot.enrol(OFFICER)
        # 90 MiB announced, none sent: without the secret, refused at once.
        status, took = await raw_post(port, {"Content-Length": str(HUGE)})
        assert status == 403 and took < 1
        status, took = await raw_post(
            port, {"Content-Length": str(HUGE), "X-Telegram-Bot-Api-Secret-Token": "wrong"}
        )
        assert status == 403 and took < 1
        # With the secret but over 1 MiB: refused without reading it either.
        status, took = await raw_post(
            port,
            {"Content-Length": str(2 * 1024 * 1024), "X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        assert status == 413 and took < 1
        # Chunked, with no length announced: cut off at 1 MiB.
        async with httpx.AsyncClient() as client:

            async def chunks() -> AsyncIterator[bytes]:
                for _ in range(3):
                    yield b" " * (1024 * 1024)

            too_big = await client.post(
                f"http://127.0.0.1:{port}/telegram",
                content=chunks(),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert too_big.status_code == 413
            # And a real update with the secret is answered.
            update = botapi.make_update("message", botapi.message(OFFICER, "what is a cawn"))
            accepted = await client.post(
                f"http://127.0.0.1:{port}/telegram",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert accepted.status_code == 200
        [reply] = await botapi.wait("sendMessage", chat_id=OFFICER)
        assert "Child Abduction" in plain(reply.text)


async def test_a_malformed_update_is_dropped_without_logging_it(
    botapi: FakeBotAPI, knowledge, sqlite_url, unused_tcp_port, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    marker = "Zebedee Quixote born 01/02/2012"
    async with (
        webhook_bot(botapi, knowledge, sqlite_url, unused_tcp_port),
        httpx.AsyncClient() as client,
    ):
        for body in (
            json.dumps({"update_id": "x", "message": {"text": marker}}),
            "{" + marker,
            json.dumps([marker]),
        ):
            refused = await client.post(
                f"http://127.0.0.1:{unused_tcp_port}/telegram",
                content=body.encode(),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert refused.status_code == 400
    logged = [r.getMessage() + (r.exc_text or "") for r in caplog.records]
    assert not any("Zebedee" in line for line in logged), logged
    assert any("dropped a body" in line for line in logged)


def test_the_webhook_listens_on_localhost_by_default() -> None:
    assert Settings(_env_file=None).webhook_listen == "127.0.0.1"


@pytest.fixture
def unused_tcp_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_run_bot_serves_the_webhook_on_localhost(
    botapi: FakeBotAPI, tmp_path, unused_tcp_port
) -> None:
    """`run_bot.py --webhook URL` as deployed: sets the webhook with its secret, answers a
    posted update, refuses one without the secret, and stops cleanly on SIGINT."""
    import signal

    from tests.support import ADMIN, bot_env

    env = bot_env(botapi, tmp_path, WEBHOOK_SECRET=SECRET, WEBHOOK_PORT=str(unused_tcp_port))
    bot = start_bot_process("--webhook", "https://bot.example.invalid/t", env=env)
    try:
        await botapi.wait("setWebhook", timeout=30)
        assert botapi.webhook["secret_token"] == SECRET
        url = f"http://127.0.0.1:{unused_tcp_port}/telegram"
        update = botapi.make_update("message", botapi.message(ADMIN, "what is a cawn"))
        async with httpx.AsyncClient() as client:
            assert (await client.post(url, json=update)).status_code == 403
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            assert (await client.post(url, json=update, headers=headers)).status_code == 200
        [reply] = await botapi.wait("sendMessage", chat_id=ADMIN, timeout=10)
        assert "Child Abduction" in plain(reply.text)
    finally:
        bot.send_signal(signal.SIGINT)
        _, stderr = bot.communicate(timeout=30)
    assert bot.returncode == 0, stderr
