"""/refer: a few questions (age, immediate danger, consent, known to services), then the
referral routes in order, each naming its contact and opening its topic.

The questions and routes are data (knowledge/referral.yaml). The answers given so far travel
in the buttons, so the flow needs no server state and survives a restart.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.core.answers.cards import CAVEAT
from bot.core.guided.flows import CODES, Position, Referral
from bot.core.knowledge.local_contacts import NUMBERS_HEADING, contact_lines
from bot.core.services import Knowledge, referral_of
from bot.telegram import callbacks as cb
from bot.telegram import guided
from bot.telegram.ask import button_text
from bot.telegram.render import inline
from bot.telegram.services import Canceller, services

KIND = "refer"
HEADING = "Referral route"
CANCELLED = "Referral route cancelled. Send /refer to start again."
CHANGED = "The referral questions have been updated since this message, so let's start again."


def load_flow(knowledge: Knowledge) -> Referral:
    """The checked flow; a broken referral.yaml stops start-up like any other knowledge error."""
    return referral_of(knowledge)


def cancel_hook() -> Canceller:
    return guided.canceller(KIND, CANCELLED)


def _flow(context: ContextTypes.DEFAULT_TYPE) -> Referral:
    return context.bot_data["referral"]


def _answered(position: Position) -> str:
    if not position.choices:
        return ""
    return "<i>You answered: " + inline(" · ".join(c.said for c in position.choices)) + "</i>\n"


def question_view(
    context: ContextTypes.DEFAULT_TYPE, flow: Referral, position: Position, intro: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    question = position.question
    assert question is not None
    text = (
        f"{intro}<b>{HEADING}</b> · question {len(position.path) + 1}\n"
        f"{_answered(position)}\n<b>{inline(question.ask)}</b>"
    )
    if question.help:
        text += f"\n{inline(question.help)}"
    rows = [
        [
            InlineKeyboardButton(
                answer.label,
                callback_data=cb.ReferStep(flow.version, position.path + CODES[n]).pack(),
            )
        ]
        for n, answer in enumerate(question.answers)
    ]
    topic = services(context).knowledge.kb.topics.get(question.topic or "")
    if topic:
        rows.append(
            [
                InlineKeyboardButton(
                    button_text(f"About: {topic.title}"),
                    callback_data=cb.OpenTopic(topic.id).pack(),
                )
            ]
        )
    last = [InlineKeyboardButton("Cancel", callback_data=cb.ReferCancel().pack())]
    if position.path:
        back = cb.ReferStep(flow.version, position.path[:-1]).pack()
        last.insert(0, InlineKeyboardButton("« Back", callback_data=back))
    rows.append(last)
    return text, InlineKeyboardMarkup(rows)


def outcome_view(
    context: ContextTypes.DEFAULT_TYPE, flow: Referral, position: Position
) -> tuple[str, InlineKeyboardMarkup]:
    outcome = position.outcome
    assert outcome is not None
    routes = flow.routes(outcome)
    lines = [
        f"{n}. <b>{html.escape(route.via)}</b>: {inline(route.text)}"
        for n, route in enumerate(routes, 1)
    ]
    local = contact_lines(
        services(context).knowledge.contacts, topics={route.topic for route in routes}
    )
    text = (
        f"<b>{inline(outcome.title)}</b>\n{_answered(position)}\n"
        "<b>Do these, in this order:</b>\n"
        + "\n\n".join(lines)
        + f"\n\n<b>{NUMBERS_HEADING}</b>\n"
        + "\n".join(f"• {inline(line)}" for line in local)
        + f"\n\n<i>{inline(CAVEAT)}</i>"
    )
    numbers: dict[str, list[str]] = {}
    for n, route in enumerate(routes, 1):
        numbers.setdefault(route.topic, []).append(str(n))
    kb = services(context).knowledge.kb
    rows = [
        [
            InlineKeyboardButton(
                button_text(f"{', '.join(ns)}. {kb.topics[topic_id].title}"),
                callback_data=cb.OpenTopic(topic_id).pack(),
            )
        ]
        for topic_id, ns in numbers.items()
        if topic_id in kb.topics
    ]
    rows.append(
        [
            InlineKeyboardButton(
                "« Back", callback_data=cb.ReferStep(flow.version, position.path[:-1]).pack()
            ),
            InlineKeyboardButton(
                "Start again", callback_data=cb.ReferStep(flow.version, "").pack()
            ),
        ]
    )
    return text, InlineKeyboardMarkup(rows)


async def refer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask the first question."""
    flow = _flow(context)
    text, markup = question_view(context, flow, flow.first())
    sent = await update.effective_message.reply_text(text, reply_markup=markup)
    guided.remember(context, KIND, sent.message_id)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An answer, "Back", "Start again" or "Cancel": redraw the message in place."""
    query = update.callback_query
    await query.answer()
    found = cb.parse(query.data)
    message_id = query.message.message_id if query.message else 0
    if isinstance(found, cb.ReferCancel):
        guided.forget(context, KIND, message_id)
        await guided.draw(query, context, CANCELLED, None)
        return
    flow = _flow(context)
    current = isinstance(found, cb.ReferStep) and found.version == flow.version
    position = flow.walk(found.path) if current else None
    if position is None:  # from an older flow, or tampered with: start again politely
        text, markup = question_view(context, flow, flow.first(), f"{CHANGED}\n\n")
        guided.remember(context, KIND, message_id)
        await guided.draw(query, context, text, markup)
        return
    if position.question is not None:
        text, markup = question_view(context, flow, position)
        guided.remember(context, KIND, message_id)
    else:
        text, markup = outcome_view(context, flow, position)
        guided.forget(context, KIND, message_id)
    await guided.draw(query, context, text, markup)
