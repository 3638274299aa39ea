"""Buttons under a first reply that start a guided flow: the matching /check list, /refer.

They send the flow as a new message, so the plan the officer was reading stays on screen.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram import callbacks as cb
from bot.telegram import checks, guided, refer
from bot.telegram.services import services


async def go(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`go:check:<list>` opens that checklist; `go:refer` asks the first referral question."""
    query = update.callback_query
    tap = cb.parse(query.data)
    message = query.message
    if message is None:
        await query.answer("Send /check or /refer.", show_alert=True)
        return
    if isinstance(tap, cb.GoRefer):
        await query.answer()
        flow = context.bot_data["referral"]
        text, markup = refer.question_view(context, flow, flow.first())
        sent = await message.reply_text(text, reply_markup=markup)
        guided.remember(context, refer.KIND, sent.message_id)
        return
    indicators = services(context).knowledge.indicators
    name = tap.name if isinstance(tap, cb.GoCheck) else None
    found = indicators.checklist(name) if indicators and name else None
    if found is None:
        await query.answer("That checklist is no longer available. Send /check.", show_alert=True)
        return
    await query.answer()
    spec, items = found
    sent = await message.reply_text(
        checks.checklist_text(spec, items, 0),
        reply_markup=checks.checklist_keyboard(name, items, 0),
    )
    guided.remember(context, checks.KIND, sent.message_id)
