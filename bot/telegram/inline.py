"""Inline mode: `@botname max sentence for trafficking` in any chat offers first the short
answer the bot would give in a private chat (the same first reply), then the matching topics;
choosing a topic posts its vetted summary with the sources and the review date.

The access gate has already answered strangers with an empty list. Results are personal and
cached only briefly, so Telegram never hands one officer's results to anyone else.
"""

from __future__ import annotations

import html

from telegram import (
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.core.answers.cards import CAVEAT
from bot.core.answers.reply import Reply
from bot.core.knowledge.topics import CATEGORY_LABELS, Topic
from bot.telegram.render import LIMIT, inline, reply_html, visible_len
from bot.telegram.services import services

MAX_RESULTS = 5
CACHE_SECONDS = 30
MIN_QUERY = 2  # one letter matches nothing useful and costs a search per keystroke
DESCRIPTION = 120


def posted_text(topic: Topic) -> str:
    """What choosing a result posts in the chat: the summary, sources, review date."""
    head = (
        f"<b>{inline(topic.title)}</b>\n<i>{CATEGORY_LABELS[topic.category]}</i>\n\n"
        f"{inline(topic.summary)}\n\n<b>Sources</b>"
    )
    tail = f"\n\n<i>{inline(topic.reviewed_line)}. {inline(CAVEAT)}</i>"
    text = head
    for source in topic.sources:
        line = f'\n• <a href="{html.escape(source.url, quote=True)}">{inline(source.label)}</a>'
        if visible_len(text + line + tail) > LIMIT:
            break  # never cut a message short of its review date
        text += line
    return text + tail


def result(topic: Topic) -> InlineQueryResultArticle:
    summary = topic.summary
    return InlineQueryResultArticle(
        id=topic.id,  # ids are slugs of at most 60 characters: within Telegram's 64 bytes
        title=topic.title,
        description=summary if len(summary) <= DESCRIPTION else summary[: DESCRIPTION - 1] + "…",
        input_message_content=InputTextMessageContent(
            posted_text(topic),
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
    )


def short_answer(reply: Reply) -> InlineQueryResultArticle:
    """The first reply itself, as a shareable result."""
    assert reply.topic is not None
    answer = reply.paragraphs[0][1].text if len(reply.paragraphs[0]) > 1 else reply.text
    return InlineQueryResultArticle(
        id=f"a:{reply.topic.id}",  # "a:" + a slug of at most 60 characters: within 64 bytes
        title=f"Answer: {reply.topic.title}",
        description=answer if len(answer) <= DESCRIPTION else answer[: DESCRIPTION - 1] + "…",
        input_message_content=InputTextMessageContent(
            reply_html(reply.paragraphs),
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
    )


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The short answer (when there is one), then topics, for what an officer has typed."""
    query = update.inline_query
    text = query.query.strip()
    results = []
    if len(text) >= MIN_QUERY:
        knowledge = services(context).knowledge
        reply = knowledge.responder.respond(text, limit=MAX_RESULTS)
        if reply.answered and reply.topic is not None:
            results.append(short_answer(reply))
        floor = knowledge.engine.tuning.suggest_floor
        if reply.kind not in ("out-of-scope", "not-held", "small-talk"):
            results += [result(hit.topic) for hit in reply.hits if hit.score >= floor]
    await query.answer(results[:MAX_RESULTS], cache_time=CACHE_SECONDS, is_personal=True)
