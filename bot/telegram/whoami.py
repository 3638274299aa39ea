"""/whoami: anyone's Telegram user id, so an administrator can fill ADMIN_IDS or find a user.

Strangers may use it too (the gate sends them here), a few times an hour: it tells them nothing
about the bot and is the first step of setting one up.
"""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.access.ratelimit import RateLimiter
from bot.core.access.users import Role
from bot.telegram.services import role

PER_HOUR = 3


def _limiter(context: ContextTypes.DEFAULT_TYPE) -> RateLimiter:
    return context.bot_data.setdefault("whoami_limiter", RateLimiter(PER_HOUR, window=3600))


def is_whoami(text: str) -> bool:
    return text.split(" ", 1)[0].split("@")[0].casefold() == "/whoami"


async def whoami(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the caller's user id (and role, if enrolled)."""
    user, message = update.effective_user, update.effective_message
    if message is None or not _limiter(context).allow(user.id):
        return
    who: Role | None = role(context)
    name = html.escape(user.full_name)
    lines = [f"{name}, your Telegram user id is <code>{user.id}</code>."]
    if who is None:
        lines.append(
            "Only the force's bot administrator can give you access: send them this number "
            "and ask for an enrolment code."
        )
    else:
        lines.append(f"You are enrolled as: {who.value}.")
    await message.reply_text("\n".join(lines))
