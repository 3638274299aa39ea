"""Shared by the guided flows (/check, /refer): the tapped message is redrawn in place, and
the ones still waiting for taps are remembered so that /cancel can close them.

The flows keep their state in the buttons (they survive a restart without this list); the
in-memory list only lets /cancel take the buttons away on the instance that drew them.
"""

from __future__ import annotations

import contextlib

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.telegram.edits import edit_or_send
from bot.telegram.services import Canceller

MAX_OPEN = 20  # per chat and kind; older ones simply stay tappable


def remember(context: ContextTypes.DEFAULT_TYPE, kind: str, message_id: int) -> None:
    """A message of flow `kind` now waits for taps."""
    if context.chat_data is None:
        return
    open_ids: list[int] = context.chat_data.setdefault(f"pending:{kind}", [])
    if message_id not in open_ids:
        open_ids.append(message_id)
        del open_ids[:-MAX_OPEN]


def forget(context: ContextTypes.DEFAULT_TYPE, kind: str, message_id: int) -> None:
    """The flow in this message is finished (or cancelled)."""
    if context.chat_data is None:
        return
    open_ids: list[int] = context.chat_data.get(f"pending:{kind}", [])
    if message_id in open_ids:
        open_ids.remove(message_id)


def canceller(kind: str, text: str) -> Canceller:
    """A `/cancel` hook: replaces each open message of `kind` with `text`, buttons removed."""

    async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
        chat = update.effective_chat
        if context.chat_data is None or chat is None:
            return None
        open_ids: list[int] = context.chat_data.pop(f"pending:{kind}", [])
        for message_id in open_ids:
            # Deleted or too old to edit: then nothing is left to tap anyway.
            with contextlib.suppress(BadRequest):
                await context.bot.edit_message_text(text, chat_id=chat.id, message_id=message_id)
        return text if open_ids else None

    return cancel


async def draw(
    query: CallbackQuery,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    markup: InlineKeyboardMarkup | None,
) -> None:
    """Redraw a flow's message as one part (see `edit_or_send`)."""
    await edit_or_send(query, context, text, markup)
