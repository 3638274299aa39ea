"""Who may do what, through the real bot and the Bot API stand-in: for every role, /help lists
exactly the commands the table lets it run, every other command is refused, and its command
menu (set per chat scope) shows the same."""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.core.access.commands import COMMANDS, STRANGER, Menu, Who, commands_for
from bot.core.access.users import Role
from bot.telegram import menus
from bot.telegram.gate import REFUSAL
from tests.support import ADMIN, Harness

OFFICER, SUPERVISOR, TRAINER, NEWCOMER = 730001, 730002, 730003, 730009
PEOPLE: dict[int, Who] = {
    OFFICER: Role.OFFICER,  # recruits are officers (a cohort is not a role)
    SUPERVISOR: Role.SUPERVISOR,
    TRAINER: Role.TRAINER,
    ADMIN: Role.ADMIN,  # by configuration
}
LISTED = re.compile(r"^/(\w+):", re.MULTILINE)


def names(who: Who) -> set[str]:
    return {c.name for c in commands_for(who)}


def menu_names(who: Who) -> list[str]:
    return [c.name for c in commands_for(who) if c.menu is not Menu.NONE]


async def until(check, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


async def enrol_everyone(bot: Harness) -> None:
    for uid, who in PEOPLE.items():
        if uid != ADMIN:
            await bot.enrol(uid, who)


def test_the_table_gives_every_role_something_and_admins_everything() -> None:
    assert len({c.name for c in COMMANDS}) == len(COMMANDS)
    assert names(STRANGER) == {"start", "whoami"}
    assert names(Role.ADMIN) == {c.name for c in COMMANDS}
    assert names(Role.OFFICER) < names(Role.SUPERVISOR) < names(Role.ADMIN)
    assert names(Role.OFFICER) < names(Role.TRAINER) < names(Role.ADMIN)
    assert not {"export", "stats"} & names(Role.TRAINER)


@pytest.mark.parametrize("who", [Role.OFFICER, Role.SUPERVISOR, Role.TRAINER, Role.ADMIN])
async def test_help_lists_exactly_what_the_role_may_run_and_the_rest_is_refused(
    bot: Harness, who: Role
) -> None:
    uid = next(u for u, r in PEOPLE.items() if r is who)
    await enrol_everyone(bot)
    [help_text] = await bot.say(uid, "/help")
    listed = LISTED.findall(help_text.text)
    assert sorted(listed) == sorted(names(who)), help_text.text
    refused = [c for c in COMMANDS if c.name not in names(who)]
    assert refused or who is Role.ADMIN
    for command in refused:
        [reply] = await bot.say(uid, f"/{command.name}")
        assert reply.text == command.refusal, command.name
        assert reply.text.startswith("That command is for ")
    # The menu of the role's private chat, set at start-up, lists the same commands.
    await menus.set_all(bot.app)
    assert bot.api.menu(uid) == menu_names(who)


async def test_a_stranger_may_only_enrol_and_ask_for_their_id(bot: Harness) -> None:
    stranger = 730099
    mark = bot.api.mark()
    [refusal] = await bot.say(stranger, "/help")
    assert refusal.text == REFUSAL
    assert set(re.findall(r"/(\w+)", REFUSAL)) == names(STRANGER)
    for command in COMMANDS:
        if command.name not in names(STRANGER):
            bot.api.send(stranger, f"/{command.name}")
    # /whoami is answered (after everything queued before it): nothing else was.
    [whoami] = await bot.say(stranger, "/whoami")
    assert str(stranger) in whoami.text
    replies = [c.text for c in bot.api.sent(stranger)[-100:] if c in bot.api.calls[mark:]]
    assert replies == [REFUSAL, whoami.text]
    await menus.set_all(bot.app)
    assert bot.api.menu(stranger) == menu_names(STRANGER) == ["start", "whoami"]
    assert [n for n, _ in bot.api.menus["all_group_chats"]] == [
        "topics",
        "check",
        "refer",
        "whoami",
        "help",
        "cancel",
    ]


async def test_the_menu_follows_enrolment_role_changes_and_revocation(bot: Harness) -> None:
    [invite] = await bot.say(ADMIN, "/invite")
    code = re.search(r"<code>([\w-]{8,})</code>", invite.text).group(1)
    await bot.say(NEWCOMER, f"/start {code}")
    await until(lambda: f"chat:{NEWCOMER}" in bot.api.menus)
    assert bot.api.menu(NEWCOMER) == menu_names(Role.OFFICER)

    await bot.say(ADMIN, f"/role {NEWCOMER} supervisor")
    await until(lambda: bot.api.menu(NEWCOMER) == menu_names(Role.SUPERVISOR))
    assert "export" in bot.api.menu(NEWCOMER)

    await bot.say(ADMIN, f"/revoke {NEWCOMER}")
    await until(lambda: f"chat:{NEWCOMER}" not in bot.api.menus)
    await menus.set_all(bot.app)
    assert bot.api.menu(NEWCOMER) == menu_names(STRANGER)
