"""Issue 12 #12: nothing a user sends raises. Hostile callback data, command arguments and
texts go through the real Application and the Bot API stand-in; every one gets a polite
answer, valid Telegram HTML, and no error in the log."""

from __future__ import annotations

import logging

import pytest

from bot.core.access.users import Role
from tests.botapi import FakeBotAPI, check_html
from tests.support import ADMIN, Harness

OFFICER = 750001
HUGE = "12345678901234567890"
SORRY = "something went wrong"


def no_errors(api: FakeBotAPI, caplog, mark: int = 0) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    for call in api.calls[mark:]:
        assert SORRY not in call.text, call.text
        if call.params.get("parse_mode") == "HTML":
            assert check_html(call.text)[0] is None, call.text


@pytest.mark.parametrize(
    "data",
    [
        "q:a:²:0:0",
        f"q:a:{HUGE}:0:0",
        f"q:a:1:{HUGE}:0",
        "q:a:-1:-1:-1",
        "q:s:²",
        f"n:{HUGE}:ok:save",
        "n:²:cat:child",
        f"w:{HUGE}",
        "t:",
        "c:²",
        f"b:{HUGE}",
        f"k:{HUGE}:{HUGE}",
        f"r:{HUGE}",
        "::::",
        "",
    ],
)
async def test_hostile_callback_data_is_answered_once_with_no_error(
    bot: Harness, caplog, data
) -> None:
    caplog.set_level(logging.WARNING)
    await bot.enrol(OFFICER)
    [card] = await bot.say(OFFICER, "signs of cuckooing")
    mark = bot.api.mark()
    bot.api.press(OFFICER, card, data)
    await bot.api.wait("answerCallbackQuery", after=mark)
    # From a message posted in inline mode (no `message` in the query) too. Updates are
    # handled concurrently: wait for its answer itself, then let a later message pass, so a
    # second answer would have been seen.
    inline_mark = bot.api.mark()
    query_id = bot.api.press_inline(OFFICER, data)
    await bot.api.wait("answerCallbackQuery", after=inline_mark)
    await bot.say(OFFICER, "/help")
    answered = [
        c
        for c in bot.api.calls[mark:]
        if c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == query_id
    ]
    assert len(answered) == 1
    no_errors(bot.api, caplog)


@pytest.mark.parametrize(
    "command",
    [
        "/revoke ²",
        f"/revoke {HUGE}",
        f"/revoke -{HUGE}",
        "/role ² officer",
        f"/role {HUGE} officer",
        "/stats ²",
        f"/stats {HUGE}",
        "/export 9999-12-31 9999-12-31",
        "/export 0001-01-01",
        "/export 31/12/9999",
        "/remind ²²:²²",
        f"/remind {HUGE}:00",
        "/quiz ²",
        "/amend FN-2026-²²²²²²",
        f"/amend FN-2026-{HUGE}",
        f"/check {HUGE}",
        "/invite ²",
    ],
)
async def test_hostile_command_arguments_get_a_reply_with_no_error(
    bot: Harness, caplog, command
) -> None:
    caplog.set_level(logging.WARNING)
    await bot.enrol(OFFICER)
    await bot.enrol(ADMIN, Role.ADMIN)
    mark = bot.api.mark()
    bot.api.send(ADMIN, command)
    replies = await bot.api.wait("sendMessage", chat_id=ADMIN, after=mark, timeout=10)
    assert replies[0].text
    no_errors(bot.api, caplog)
