"""Running the real bot against the Bot API stand-in, and talking to it like an officer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from telegram.ext import Application

from bot.config import Settings
from bot.core.access import Role, User, now
from bot.core.services import Knowledge
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.services import BotServices
from tests.botapi import TOKEN, Call, FakeBotAPI

ADMIN = 900001


def settings_for(api: FakeBotAPI, database_url: str, **extra: object) -> Settings:
    values: dict = {
        "telegram_bot_token": TOKEN,
        "telegram_api_base_url": api.base_url,
        "telegram_api_file_url": api.file_url,
        "database_url": database_url,
        "admin_ids": frozenset({ADMIN}),
        "telegram_max_rate": 1000,
    }
    values.update(extra)
    return Settings(_env_file=None, **values)


@dataclass
class Harness:
    api: FakeBotAPI
    app: Application

    @property
    def services(self) -> BotServices:
        return self.app.bot_data["services"]

    async def enrol(self, uid: int, role: Role = Role.OFFICER, name: str = "Test Officer") -> None:
        """Enrol directly in the database (the /start CODE path has its own tests)."""

        def create() -> None:
            User.insert(
                id=uid,
                name=name,
                username=f"officer{uid}",
                role=role.value,
                active=True,
                enrolled_at=now(),
            ).on_conflict_replace().execute()

        await self.services.store.run(create)

    async def say(
        self, uid: int, text: str | None = None, count: int = 1, **kw: object
    ) -> list[Call]:
        """Send a message as `uid` and wait for the bot's `count` replies in that chat."""
        mark = self.api.mark()
        self.api.send(uid, text, **kw)
        chat = kw.get("chat_id", uid)
        return await self.api.wait("sendMessage", chat_id=chat, count=count, after=mark)

    async def press(
        self, uid: int, reply: Call, data: str, method: str = "sendMessage", count: int = 1
    ) -> list[Call]:
        mark = self.api.mark()
        self.api.press(uid, reply, data)
        return await self.api.wait(method, count=count, after=mark)


async def start_bot(settings: Settings, knowledge: Knowledge) -> Application:
    app = build_application(settings, knowledge=knowledge)
    await app.initialize()
    await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
    return app


async def stop_bot(app: Application) -> None:
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    await app.post_shutdown(app)


@asynccontextmanager
async def running_bot(
    api: FakeBotAPI, knowledge: Knowledge, database_url: str, **settings: object
) -> AsyncIterator[Harness]:
    """A bot with settings of the test's own, stopped however the test ends."""
    app = await start_bot(settings_for(api, database_url, **settings), knowledge)
    try:
        yield Harness(api, app)
    finally:
        await stop_bot(app)
