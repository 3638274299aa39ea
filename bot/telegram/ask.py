"""Free text is a question: the first reply the core composes, its buttons, and the full
topic card ("Full topic", related topics, "did you mean" choices)."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.core.answers.cards import answer_blocks
from bot.core.answers.reply import Button, Reply
from bot.core.feedback import record_gap
from bot.core.knowledge.topics import Topic
from bot.core.services import Knowledge
from bot.telegram import callbacks as cb
from bot.telegram.render import card_html, reply_html
from bot.telegram.services import services

MAX_BUTTON = 60


def button_text(text: str) -> str:
    return text if len(text) <= MAX_BUTTON else text[: MAX_BUTTON - 1] + "…"


def topic_button(topic: Topic) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        button_text(topic.title), callback_data=cb.OpenTopic(topic.id).pack()
    )


def browse_button() -> InlineKeyboardButton:
    return InlineKeyboardButton("Browse all topics", callback_data=cb.Browse().pack())


def card_keyboard(topic: Topic, related: list[Topic], detail: bool) -> InlineKeyboardMarkup:
    first = [InlineKeyboardButton("Wrong answer?", callback_data=cb.WrongAnswer(topic.id).pack())]
    if not detail:
        first.insert(
            0, InlineKeyboardButton("More detail", callback_data=cb.MoreDetail(topic.id).pack())
        )
    rows = [first] + [[topic_button(t)] for t in related[:4]]
    return InlineKeyboardMarkup(rows)


_rendered: dict[tuple[int, bool], tuple[Topic, tuple[str, ...], list[str]]] = {}


def rendered_card(topic: Topic, detail: bool, local: list[str] | None = None) -> list[str]:
    """A card depends only on the topic and the force's numbers (both loaded once): render it
    once."""
    key, shown = (id(topic), detail), tuple(local or ())
    cached = _rendered.get(key)
    if cached is None or cached[0] is not topic or cached[1] != shown:
        if len(_rendered) > 20_000:
            _rendered.clear()
        html = card_html(answer_blocks(topic, detail=detail, local=local))
        cached = _rendered[key] = (topic, shown, html)
    return cached[2]


def card_numbers(knowledge: Knowledge, topic: Topic) -> list[str] | None:
    """The force's numbers for this topic's card, if it is one that shows them."""
    return knowledge.contacts.card_lines(topic) if knowledge.contacts else None


async def send_card(
    message: Message,
    context: ContextTypes.DEFAULT_TYPE,
    topic: Topic,
    *,
    detail: bool = False,
    quote: bool = False,
) -> None:
    """The answer card, split at paragraphs if long; buttons go under the last part."""
    knowledge = services(context).knowledge
    kb = knowledge.kb
    related = [kb.topics[r] for r in topic.related if r in kb.topics]
    parts = rendered_card(topic, detail, card_numbers(knowledge, topic))
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        await message.reply_text(
            part,
            do_quote=quote and n == 0,
            reply_markup=card_keyboard(topic, related, detail) if last else None,
        )


def question_text(message: Message, bot_username: str | None) -> str:
    """The question, without a leading @mention of the bot in group chats."""
    text = message.text or ""
    if bot_username and message.chat.type != ChatType.PRIVATE:
        text = re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE)
    return text.strip()


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a question with the first reply; record what the bot honestly could not answer."""
    message = update.effective_message
    svc = services(context)
    text = question_text(message, context.bot.username)
    if not text:
        await message.reply_text("Type a question, for example <i>signs of cuckooing</i>.")
        return
    reply = svc.knowledge.responder.respond(text)
    # The gap is written before the reply goes out: once the officer sees the answer, it is
    # in /gaps (writing it after saved ~4 ms on unanswered questions only, and made /gaps lag
    # the reply it follows). It is recorded whether or not the reply can be sent.
    if reply.record_gap:
        await svc.store.run(record_gap, text)
    await message.reply_text(
        reply_html(reply.paragraphs), reply_markup=reply_keyboard(reply), do_quote=True
    )


def reply_button(button: Button) -> InlineKeyboardButton:
    """A core button as Telegram's: callback data of short ids, within 64 bytes."""
    if button.action == "topic":
        data = cb.OpenTopic(button.arg).pack()
    elif button.action == "wrong":
        wanted = cb.WrongAnswer(button.arg)  # the unit too, when it fits
        data = (wanted if wanted.fits() else cb.WrongAnswer(button.arg.partition("#")[0])).pack()
    elif button.action == "check":
        data = cb.GoCheck(button.arg).pack()
    elif button.action == "refer":
        data = cb.GoRefer().pack()
    else:
        data = cb.Browse().pack()
    return InlineKeyboardButton(button_text(button.label), callback_data=data)


def reply_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    rows = [[reply_button(b) for b in row] for row in reply.buttons if row]
    return InlineKeyboardMarkup(rows) if rows else None


async def _topic_from_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Topic | None:
    query = update.callback_query
    found = cb.parse(query.data)
    wanted = found.topic if isinstance(found, cb.OpenTopic | cb.MoreDetail) else None
    topic = services(context).knowledge.kb.topics.get(wanted) if wanted else None
    if topic is None:
        await query.answer(
            "That topic is no longer available. Ask again or use /topics.", show_alert=True
        )
        return None
    await query.answer()
    return topic


async def open_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A topic button: a related topic, a "did you mean" choice or a browse entry."""
    topic = await _topic_from_query(update, context)
    if topic:
        await send_card(update.callback_query.message, context, topic)


async def more_detail(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "More detail" button: the detail sections of the same topic."""
    topic = await _topic_from_query(update, context)
    if topic:
        await send_card(update.callback_query.message, context, topic, detail=True)
