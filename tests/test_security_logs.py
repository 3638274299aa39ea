"""Issue 12, secrets and logs: the bot token, note texts and questions never reach the log.
Real processes (`run_bot.py`) with their whole standard error read line by line."""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from pathlib import Path

from tests.botapi import TOKEN, FakeBotAPI
from tests.support import bot_env, run_bot, start_bot_process

SECRET_PART = TOKEN.split(":", 1)[1]


class NotHTTP:
    """A server on 127.0.0.1 that answers every connection with bytes that are not HTTP."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with contextlib.suppress(OSError):
                conn.recv(65536)
                conn.sendall(b"SSH-2.0-OpenSSH_9.0 this is not HTTP\r\n\x00\x01\x02\r\n\r\n")
                conn.close()

    def close(self) -> None:
        self.sock.close()


def test_the_token_never_reaches_the_log_when_the_api_is_not_http(
    botapi: FakeBotAPI, tmp_path: Path
) -> None:
    server = NotHTTP()
    try:
        env = bot_env(botapi, tmp_path, LOG_LEVEL="DEBUG")
        env["TELEGRAM_API_BASE_URL"] = f"http://127.0.0.1:{server.port}/bot"
        out = run_bot(**env)  # a real process: its own logging, to its own stderr
    finally:
        server.close()
    lines = (out.stdout + out.stderr).splitlines()
    assert out.returncode != 0 and lines, "the bot should stop and say why"
    leaked = [line for line in lines if SECRET_PART in line]
    assert leaked == [], leaked
    assert any("Cannot reach the Telegram Bot API" in line for line in lines), lines[-5:]


def test_the_redaction_filter_hides_secrets_in_messages_args_and_tracebacks() -> None:
    import io
    import logging

    from bot.logs import Redactor

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(Redactor([TOKEN, "hook-secret"]))
    log = logging.getLogger("test.redaction")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("calling https://api.telegram.org/bot%s/getMe", TOKEN)
        log.warning(f"webhook secret hook-secret and {SECRET_PART}")
        try:
            raise RuntimeError(f"failed at /bot{TOKEN}/sendMessage")
        except RuntimeError:
            log.exception("boom")
    finally:
        log.removeHandler(handler)
    text = stream.getvalue()
    assert SECRET_PART not in text and "hook-secret" not in text
    assert text.count("[redacted]") >= 4 and "RuntimeError" in text


async def test_note_and_question_texts_never_reach_the_log_even_at_debug(
    botapi: FakeBotAPI, tmp_path: Path
) -> None:
    from tests.support import ADMIN, Harness
    from tests.test_notes_telegram import button, skip_to_confirm

    bot = Harness(botapi, app=None)  # type: ignore[arg-type]  # the bot is another process
    log_file = tmp_path / "stderr.log"
    env = bot_env(botapi, tmp_path, LOG_LEVEL="DEBUG")
    process = start_bot_process(env=env, stderr=log_file.open("w"))
    try:
        await botapi.wait("deleteWebhook", timeout=30)
        await bot.say(ADMIN, "Quetzalcoatl Zebedee question about cuckooing")
        await bot.say(ADMIN, "what about Quetzalcoatl Xanthippe zxqv")
        [_, category] = await bot.say(
            ADMIN, "/note Zebedee Xanthippe seen at the Quetzal", count=2
        )
        confirm = await skip_to_confirm(bot, ADMIN, category)
        mark = botapi.mark()
        botapi.press(ADMIN, confirm, button(confirm, "✅ Save"))
        await botapi.wait("answerCallbackQuery", after=mark, timeout=10)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    lines = log_file.read_text().splitlines()
    assert lines  # it did log (the libraries that would log texts are held at INFO)
    leaked = [line for line in lines if "Quetzal" in line or "Zebedee" in line]
    assert leaked == [], leaked[:3]
    assert not [line for line in lines if SECRET_PART in line]
