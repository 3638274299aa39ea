"""The administrator's side on Telegram: /whoami for anyone, /status for admins."""

from __future__ import annotations

from tests.botapi import plain
from tests.harness import ADMIN, Harness

OFFICER = 700011
STRANGER = 800011


async def test_a_stranger_learns_their_id_a_few_times_an_hour(bot: Harness) -> None:
    [reply] = await bot.say(STRANGER, "/whoami")
    text = plain(reply.text)
    assert f"your Telegram user id is {STRANGER}" in text
    assert "bot administrator" in text
    for _ in range(2):
        await bot.say(STRANGER, "/whoami")
    mark = bot.api.mark()
    bot.api.send(STRANGER, "/whoami")
    await bot.say(ADMIN, "/help")  # handled after the stranger's fourth /whoami
    assert [
        c for c in bot.api.calls[mark:] if c.params.get("chat_id") in (STRANGER, str(STRANGER))
    ] == []


async def test_the_strangers_refusal_points_to_the_bot_administrator(bot: Harness) -> None:
    [refusal] = await bot.say(STRANGER, "what is cuckooing")
    assert "force's bot administrator" in refusal.text and "/whoami" in refusal.text


async def test_an_officer_sees_id_and_role(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [reply] = await bot.say(OFFICER, "/whoami")
    assert f"<code>{OFFICER}</code>" in reply.text and "enrolled as: officer" in reply.text
