"""Redrawing the message a button was tapped on: the one place that knows Telegram's refusals.

Telegram refuses an edit that changes nothing ("message is not modified": a double tap; the
message already shows it) and an edit of a message that is gone or too old to edit. The first
is success. For the second, a flow that has its text ready sends it afresh (`resend`), so the
officer still sees it; a flow that tracks its message's id (field notes) says no, and the error
reaches the error handler like any other.
"""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup
from telegram.error import BadRequest
from telegram.ext import ContextTypes

GONE = ("message to edit not found", "message can't be edited")


def unchanged(exc: BadRequest) -> bool:
    return "not modified" in str(exc).lower()


def gone(exc: BadRequest) -> bool:
    reason = str(exc).lower()
    return any(text in reason for text in GONE)


async def edit_or_send(
    query: CallbackQuery,
    context: ContextTypes.DEFAULT_TYPE,
    parts: str | list[str],
    markup: InlineKeyboardMarkup | None = None,
    *,
    resend: bool = True,
) -> None:
    """Put `parts` in place of the tapped message; later parts (a very long text) follow as new
    messages. The buttons go on the last part."""
    parts = [parts] if isinstance(parts, str) else parts
    last = len(parts) - 1
    chat_id = query.message.chat.id if query.message else query.from_user.id
    try:
        await query.edit_message_text(parts[0], reply_markup=markup if last == 0 else None)
    except BadRequest as exc:
        if unchanged(exc):
            return
        if not (resend and gone(exc)):
            raise
        await context.bot.send_message(
            chat_id, parts[0], reply_markup=markup if last == 0 else None
        )
    for n, part in enumerate(parts[1:], 1):
        await context.bot.send_message(chat_id, part, reply_markup=markup if n == last else None)
