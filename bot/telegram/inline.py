"""Inline mode: `@botname cuckooing` in any chat offers matching topics; choosing one posts
its vetted summary with the sources and the review date.

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

from bot.core.cards import CAVEAT
from bot.core.topics import CATEGORY_LABELS, Topic
from bot.telegram.render import LIMIT, inline, visible_len
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


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Up to five topics for what an enrolled officer has typed so far."""
    query = update.inline_query
    text = query.query.strip()
    results = []
    if len(text) >= MIN_QUERY:
        engine = services(context).knowledge.engine
        found = engine.search(text, limit=MAX_RESULTS)
        floor = engine.tuning.suggest_floor
        results = [result(hit.topic) for hit in found.hits if hit.score >= floor]
    await query.answer(results[:MAX_RESULTS], cache_time=CACHE_SECONDS, is_personal=True)
