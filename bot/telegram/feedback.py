""" "Wrong answer?": one report per answer message, then an optional one-line reason.

After the tap the officer's next message (within `REASON_MINUTES`) is taken as the reason, or
they tap Skip; /cancel also drops the wait. The wait lives in this process's user data: after a
restart the next message is simply read as a question again, and the report stands.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core.feedback import add_reason, record_feedback
from bot.telegram import callbacks as cb
from bot.telegram.render import inline
from bot.telegram.services import services

PENDING = "feedback_reason"
REASON_MINUTES = 10
THANKS = "Thanks, your report has been passed to the curators."
ASK_REASON = "What is wrong with it? Send one line and I'll add it to the report, or tap Skip."


def message_key(context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int) -> str:
    """Which answer message a report is about, keyed with the bot's own secret: it tells a
    second tap apart without storing who tapped."""
    token = services(context).settings.telegram_bot_token
    secret = hashlib.sha256(token.get_secret_value().encode() if token else b"").digest()
    return hmac.new(secret, f"{chat_id}:{message_id}".encode(), hashlib.sha256).hexdigest()


async def wrong_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """File a report with the question that was asked; a second tap files nothing."""
    query = update.callback_query
    found = cb.WrongAnswer.parse(query.data)
    topic_id = found.topic if found else ""
    message = query.message
    asked = message.reply_to_message if message else None
    question = (asked.text or "") if asked else ""
    key = message_key(context, message.chat.id, message.message_id) if message else None
    filed = await services(context).store.run(record_feedback, topic_id, question, key)
    if filed is None:
        await query.answer("You've already reported this answer. Thank you.")
        return
    await query.answer("Thanks: flagged for the curators to review.")
    if message is None:
        return
    you_asked = f"You asked: <i>{inline(question[:200])}</i>\n" if question else ""
    private = message.chat.type == ChatType.PRIVATE
    if private and context.user_data is not None:
        context.user_data[PENDING] = (filed, time.monotonic() + REASON_MINUTES * 60)
    await message.reply_text(
        f"{THANKS} {you_asked}" + (ASK_REASON if private else ""),
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Skip", callback_data=cb.SkipReason(filed).pack())]]
        )
        if private
        else None,
    )


async def skip_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Skip: no reason; the report stands as it is."""
    query = update.callback_query
    found = cb.SkipReason.parse(query.data)
    waiting = _pending(context)
    if found is not None and waiting is not None and waiting == found.report:
        context.user_data.pop(PENDING, None)
    await query.answer("No reason added. Thank you.")
    with contextlib.suppress(BadRequest):  # already edited, or too old to edit
        await query.edit_message_text(THANKS)


async def reason_input(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """The officer's next message after a report is its reason; True when it was used."""
    waiting = _pending(context)
    message = update.effective_message
    if waiting is None or message is None or not message.text:
        return False
    context.user_data.pop(PENDING, None)
    added = await services(context).store.run(add_reason, waiting, message.text)
    await message.reply_text(
        "Thanks, I've added that to your report." if added else "Thanks, the report stands."
    )
    return True


async def cancel_reason(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """/cancel drops a wait for a reason (the report itself stays filed)."""
    if _pending(context) is None:
        return None
    context.user_data.pop(PENDING, None)
    return "Your report was filed without a reason."


def _pending(context: ContextTypes.DEFAULT_TYPE) -> int | None:
    data = context.user_data
    found = data.get(PENDING) if data is not None else None
    if not found:
        return None
    feedback_id, deadline = found
    if time.monotonic() > deadline:
        data.pop(PENDING, None)
        return None
    return feedback_id
