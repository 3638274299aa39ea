"""/topics: browse the knowledge base by category with inline buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.core.knowledge.topics import CATEGORY_LABELS
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
                    f"{CATEGORY_LABELS[c]} ({len(ts)})", callback_data=cb.Category(c).pack()
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
    found = cb.parse(query.data)
    grouped = services(context).knowledge.kb.by_category()
    if isinstance(found, cb.Category) and grouped.get(found.category):
        text = f"<b>{CATEGORY_LABELS[found.category]}</b>: {PICK}"
        rows = [[topic_button(t)] for t in grouped[found.category]]
        rows.append([InlineKeyboardButton("« All categories", callback_data=cb.Browse().pack())])
        markup = InlineKeyboardMarkup(rows)
    else:
        text, markup = ROOT_TEXT, root_keyboard(context)
    shown = query.message.text if query.message else None
    if not shown or not (shown.startswith(ROOT_TEXT) or shown.endswith(PICK)):
        await query.message.reply_text(text, reply_markup=markup)  # keep the answer it came from
        return
    await edit_or_send(query, context, text, markup)
