"""The README's "Setting it up for a team", step by step: from a token to an invited officer
using only doctor, serve (a real process), /whoami, ADMIN_IDS, /invite and /start CODE."""

from __future__ import annotations

import os
import re
import signal
from contextlib import asynccontextmanager
from pathlib import Path

from tests.botapi import TOKEN, FakeBotAPI, plain
from tests.support import cli, start_bot_process

NEW_ADMIN = 512001
NEW_OFFICER = 512002


@asynccontextmanager
async def serving(api: FakeBotAPI, env: dict[str, str]):
    bot = start_bot_process("serve", env=env)
    try:
        mark = api.mark()
        await api.wait("deleteWebhook", after=mark, timeout=30)
        yield
    finally:
        bot.send_signal(signal.SIGINT)
        _, stderr = bot.communicate(timeout=30)
    assert bot.returncode == 0, stderr


async def say(api: FakeBotAPI, uid: int, text: str) -> str:
    mark = api.mark()
    api.send(uid, text)
    [reply] = await api.wait("sendMessage", chat_id=uid, after=mark, timeout=10)
    return plain(reply.text)


async def test_from_a_token_to_an_invited_officer(botapi: FakeBotAPI, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ADMIN_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=botapi.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'data' / 'bot.db'}",
        LOG_LEVEL="WARNING",
    )
    # 3. doctor: everything ok, one warning that nobody is an admin yet.
    checked = cli("doctor", **env)
    assert checked.returncode == 0, checked.stdout
    assert "warn  settings: ADMIN_IDS is empty" in checked.stdout
    assert "ok    Bot API: @" in checked.stdout
    # 4-5. start it; the administrator sends /whoami as the stranger they still are.
    async with serving(botapi, env):
        reply = await say(botapi, NEW_ADMIN, "/whoami")
        admin_id = re.search(r"user id is (\d+)", reply).group(1)
        assert int(admin_id) == NEW_ADMIN
        refusal = await say(botapi, NEW_ADMIN, "/invite")  # not an admin yet
        assert "force's bot administrator" in refusal and "One-time" not in refusal
    # 6. ADMIN_IDS, restart, doctor again.
    env["ADMIN_IDS"] = admin_id
    (tmp_path / "data" / "bot.db").chmod(0o600)
    rechecked = cli("doctor", **env)
    assert rechecked.returncode == 0 and "ok    settings: 1 admin id(s)" in rechecked.stdout
    async with serving(botapi, env):
        # 7. /invite gives a one-time code.
        invite = await say(botapi, NEW_ADMIN, "/invite")
        code = re.search(r"/start (\S+)", invite).group(1)
        # 8. the officer enrols with it, and /whoami confirms.
        welcome = await say(botapi, NEW_OFFICER, f"/start {code}")
        assert "you're enrolled" in welcome
        assert "enrolled as: officer" in await say(botapi, NEW_OFFICER, "/whoami")
        assert "Signs an address has been cuckooed" in await say(
            botapi, NEW_OFFICER, "signs of cuckooing"
        )
