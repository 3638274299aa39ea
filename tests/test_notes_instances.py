"""Two bot processes in webhook mode on one PostgreSQL: a note begun through one instance is
finished through the other, because no state that matters lives in a process."""

from __future__ import annotations

import asyncio
import signal
import subprocess

import httpx

from bot.core.access.users import Role, User
from bot.core.clock import now
from bot.core.notes.chain import verify
from bot.core.notes.log import Note
from bot.core.storage.db import open_database
from bot.core.storage.schema import MODELS
from tests.botapi import Call, FakeBotAPI, plain
from tests.support import bot_env, start_bot_process

OFFICER = 730001
SECRET = "two-instances-secret"


def start_instance(api: FakeBotAPI, db_url: str, port: int) -> subprocess.Popen:
    env = bot_env(
        api,
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        DATABASE_URL=db_url,
    )
    return start_bot_process("--webhook", f"https://bot.example/{port}", env=env)


class Relay:
    """Telegram's side of two webhooks: POST an update to the instance of our choice."""

    def __init__(self, api: FakeBotAPI, ports: dict[str, int]) -> None:
        self.api, self.ports = api, ports
        self.client = httpx.AsyncClient(timeout=10)

    async def post(self, instance: str, kind: str, payload: dict) -> None:
        url = f"http://127.0.0.1:{self.ports[instance]}/telegram"
        update = self.api.make_update(kind, payload)
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        for _ in range(100):  # the server may still be starting
            try:
                reply = await self.client.post(url, json=update, headers=headers)
                assert reply.status_code == 200, reply.text
                return
            except httpx.ConnectError:
                await asyncio.sleep(0.1)
        raise AssertionError(f"instance {instance} never answered")

    async def say(self, instance: str, text: str, count: int = 1) -> list[Call]:
        mark = self.api.mark()
        await self.post(instance, "message", self.api.message(OFFICER, text))
        return await self.api.wait("sendMessage", chat_id=OFFICER, count=count, after=mark)

    async def press(self, instance: str, call: Call, starts: str, method: str) -> Call:
        data = next(d for label, d in call.buttons if label.startswith(starts))
        query = {
            "id": f"q{self.api.mark()}",
            "from": FakeBotAPI.user(OFFICER),
            "chat_instance": "ci",
            "message": self.api.result_of(call),
            "data": data,
        }
        mark = self.api.mark()
        await self.post(instance, "callback_query", query)
        [reply] = await self.api.wait(method, chat_id=OFFICER, after=mark)
        return reply


async def test_a_note_begun_on_one_instance_is_finished_on_the_other(
    botapi: FakeBotAPI, postgres_url: str, unused_tcp_port_factory
) -> None:
    db = open_database(postgres_url, MODELS)
    User.create(id=OFFICER, name="Jo Bloggs", role=Role.OFFICER.value, enrolled_at=now())
    db.close()
    ports = {"A": unused_tcp_port_factory(), "B": unused_tcp_port_factory()}
    bots = {name: start_instance(botapi, postgres_url, port) for name, port in ports.items()}
    relay = Relay(botapi, ports)
    try:
        await botapi.wait("setWebhook", count=2, timeout=60)
        _, category = await relay.say(
            "A", "/note Lad about 15 with two phones at the bus station", 2
        )
        urgency = await relay.press("B", category, "Child or runner", "editMessageText")
        location = await relay.press("A", urgency, "Urgent", "sendMessage")
        assert "Location" in location.text
        _, grading = await relay.say("B", "Skip location", 2)
        confirm = await relay.press("A", grading, "Skip grading", "editMessageText")
        assert "two phones" in confirm.text
        receipt = await relay.press("B", confirm, "✅ Save", "editMessageText")
        assert "Note saved" in plain(receipt.text)
    finally:
        await relay.client.aclose()
        for bot in bots.values():
            bot.send_signal(signal.SIGINT)
        errors = {name: bot.communicate(timeout=30)[1] for name, bot in bots.items()}
    assert all(bot.returncode == 0 for bot in bots.values()), errors
    assert not any("Traceback" in text for text in errors.values()), errors

    db = open_database(postgres_url, MODELS)
    try:
        [note] = Note.select()
        assert note.text == "Lad about 15 with two phones at the bus station"
        assert (note.author_id, note.category, note.urgency) == (OFFICER, "child", "urgent")
        assert any(tag.endswith("#several-phones") for tag in note.tag_list)
        assert verify().ok
    finally:
        db.close()
