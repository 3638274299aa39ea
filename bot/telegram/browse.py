"""/topics: browse the knowledge base by category with inline buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.core.topics import CATEGORY_LABELS
from bot.telegram import callbacks as cb
from bot.telegram.ask import topic_button
from bot.telegram.edits import edit_or_send
from bot.telegram.services import services

ROOT_TEXT = "Browse the topics by category:"
PICK = "pick a topic."


def root_keyboard(context: ContextTypes.DEFAULT_TYPE) -> InlineKeyboardMarkup:
    grouped = services(context).knowledge.kb.by_category()
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{CATEGORY_LABELS[c]} ({len(ts)})", callback_data=cb.pack(cb.CATEGORY, c)
                )
            ]
            for c, ts in grouped.items()
            if ts
        ]
    )


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the categories."""
    await update.effective_message.reply_text(ROOT_TEXT, reply_markup=root_keyboard(context))


async def browse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A category or the "back" button: edit the browse message in place."""
    query = update.callback_query
    await query.answer()
    parts = cb.unpack(query.data)
    grouped = services(context).knowledge.kb.by_category()
    if parts[0] == cb.CATEGORY and len(parts) > 1 and grouped.get(parts[1]):
        text = f"<b>{CATEGORY_LABELS[parts[1]]}</b>: {PICK}"
        rows = [[topic_button(t)] for t in grouped[parts[1]]]
        rows.append([InlineKeyboardButton("« All categories", callback_data=cb.pack(cb.BROWSE))])
        markup = InlineKeyboardMarkup(rows)
    else:
        text, markup = ROOT_TEXT, root_keyboard(context)
    shown = query.message.text if query.message else None
    if not shown or not (shown.startswith(ROOT_TEXT) or shown.endswith(PICK)):
        await query.message.reply_text(text, reply_markup=markup)  # keep the answer it came from
        return
    await edit_or_send(query, context, text, markup)
