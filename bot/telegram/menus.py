"""Each role's command menu, set with `set_my_commands` per chat scope from the commands table.

Strangers see the default scope (enrol, user id); group chats see what works there for every
enrolled role; an enrolled person's private chat gets their role's menu, set at start-up and
again whenever their role changes (enrolment, /role, /revoke).
"""

from __future__ import annotations

import asyncio
import logging

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError
from telegram.ext import Application

from bot.core.access.commands import STRANGER, Who, group_menu, menu_for
from bot.core.access.users import Role

log = logging.getLogger(__name__)
TASK = "menus"


def _commands(who: Who) -> list[BotCommand]:
    return [BotCommand(name, text) for name, text in menu_for(who)]


async def show(bot: Bot, user_id: int, who: Who) -> None:
    """Give `user_id`'s private chat the menu of `who` (a stranger's: the default one)."""
    scope = BotCommandScopeChat(user_id)
    try:
        if who is STRANGER:
            await bot.delete_my_commands(scope=scope)
        else:
            await bot.set_my_commands(_commands(who), scope=scope)
    except TelegramError as exc:  # a menu is a convenience: never fail the command for it
        log.warning("menu for user %s not set: %s", user_id, exc)


async def set_all(app: Application) -> None:
    """Every scope, in the background at start-up: one call per enrolled person."""
    bot, svc = app.bot, app.bot_data["services"]
    await bot.set_my_commands(_commands(STRANGER), scope=BotCommandScopeDefault())
    await bot.set_my_commands(
        [BotCommand(name, text) for name, text in group_menu()],
        scope=BotCommandScopeAllGroupChats(),
    )
    people = await svc.store.run(lambda: {u.id: Role(u.role) for u in svc.access.users()})
    people.update(dict.fromkeys(svc.access.admin_ids, Role.ADMIN))  # admins by configuration
    for uid, who in people.items():
        await show(bot, uid, who)


def start(app: Application) -> None:
    """Set the menus without holding up start-up (a force has hundreds of officers)."""
    app.bot_data[TASK] = asyncio.get_running_loop().create_task(_logged(app))


async def _logged(app: Application) -> None:
    try:
        await set_all(app)
    except TelegramError as exc:
        log.warning("command menus not set: %s", exc)


async def stop(app: Application) -> None:
    task = app.bot_data.pop(TASK, None)
    if task is not None and not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
