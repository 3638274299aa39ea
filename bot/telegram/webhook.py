"""The webhook server: Telegram's secret header is checked before anything else, and a body
over 1 MiB is refused without being read.

python-telegram-bot's own webhook server (tornado) reads bodies of up to 100 MiB before it
looks at the secret: a few parallel posts from anyone could take hundreds of MiB. This one
is aiohttp (already the Bot API transport), listens on 127.0.0.1 unless told otherwise, and is
meant to sit behind a TLS reverse proxy (README). Updates go to the application's queue, as
python-telegram-bot's server does.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal

from aiohttp import web
from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # a Telegram update is a few KiB; 1 MiB is generous
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Webhook:
    def __init__(self, app: Application, secret: str) -> None:
        self.app = app
        self.secret = secret.encode()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            return _refuse(403, "Forbidden")  # the body is never read
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _refuse(413, "Payload Too Large")
        try:
            body = await request.read()  # at most MAX_BODY even when chunked
        except web.HTTPRequestEntityTooLarge:
            return _refuse(413, "Payload Too Large")
        try:
            update = Update.de_json(json.loads(body), self.app.bot)
            if update is None:
                raise ValueError("empty update")
        except Exception:  # anything unreadable; its content is never logged
            log.warning("webhook: dropped a body that is not an update (%d bytes)", len(body))
            return _refuse(400, "Bad Request")
        await self.app.update_queue.put(update)
        return web.Response(text="OK")


def _refuse(status: int, reason: str) -> web.Response:
    response = web.Response(status=status, text=reason)
    response.force_close()  # don't wait for (or read) whatever body is still coming
    return response


async def start_webhook(
    app: Application, *, listen: str, port: int, path: str, secret: str
) -> web.AppRunner:
    """Serve POST /`path` on `listen`:`port` for the running `app`; the runner, to clean up."""
    server = web.Application(client_max_size=MAX_BODY)
    server.router.add_post("/" + path.strip("/"), Webhook(app, secret).handle)
    runner = web.AppRunner(server, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, listen, port).start()
    return runner


def run_webhook(
    app: Application,
    *,
    listen: str,
    port: int,
    path: str,
    url: str,
    secret: str,
    allowed_updates: list[str],
) -> None:
    """Run until SIGINT or SIGTERM, as `Application.run_webhook` would."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        async with app:  # initialize ... shutdown
            if app.post_init:
                await app.post_init(app)
            await app.start()
            runner = await start_webhook(app, listen=listen, port=port, path=path, secret=secret)
            await app.bot.set_webhook(url, secret_token=secret, allowed_updates=allowed_updates)
            log.info("webhook listening on %s:%s", listen, port)
            try:
                await stop.wait()
            finally:
                await runner.cleanup()
                await app.stop()
        if app.post_shutdown:
            await app.post_shutdown(app)

    asyncio.run(main())
