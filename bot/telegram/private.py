"""Commands that show or change people, notes or codes answer in a private chat only.

In a group everyone in it would see the reply: an enrolment code anyone could redeem, the
roster with Telegram ids, questions officers asked, an export of every note. Such a command
typed in a group is refused there, with the reason, before it does anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]

PRIVATE_ONLY = (
    "/{command} works only in a private chat with me: its reply holds {what}, and everyone "
    "in this chat would see it. Send it to me directly."
)


def private_only(what: str) -> Callable[[Handler], Handler]:
    """Refuse the command outside a private chat, saying why (`what` its reply would hold)."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            chat = update.effective_chat
            if chat is None or chat.type != ChatType.PRIVATE:
                message = update.effective_message
                if message is not None:
                    command = (message.text or "/").split()[0].lstrip("/").split("@")[0]
                    await message.reply_text(
                        PRIVATE_ONLY.format(command=command[:32] or "that", what=what)
                    )
                return
            await handler(update, context)

        return wrapper

    return decorate
