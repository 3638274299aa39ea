"""Answer cards as Telegram HTML, split into messages at paragraph boundaries."""

from __future__ import annotations

import html
import re

from telegram.constants import MessageLimit

from bot.core.answers.cards import BOLD, Block
from bot.core.answers.reply import Line

LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4,096 characters after entity parsing
_TAG = re.compile(r"<[^>]+>")


def visible_len(text: str) -> int:
    """What Telegram counts against the limit: the text without tags, entities decoded."""
    return len(html.unescape(_TAG.sub("", text)))


def inline(text: str) -> str:
    """Escape for Telegram HTML, then turn curated **bold** into <b>."""
    return BOLD.sub(r"<b>\1</b>", html.escape(text, quote=False))


def block_html(block: Block) -> str:
    if block.kind == "title":
        return f"<b>{inline(block.heading or '')}</b>\n<i>{inline(block.items[0])}</i>"
    lines = [f"<b>{inline(block.heading)}</b>"] if block.heading else []
    for n, item in enumerate(block.items, 1):
        if block.kind == "sources":
            title, _, url = item.rpartition(" ")
            lines.append(f'• <a href="{html.escape(url, quote=True)}">{inline(title)}</a>')
        elif block.prose:
            lines.append(inline(item))
        else:
            lines.append(f"{n}. {inline(item)}" if block.numbered else f"• {inline(item)}")
    text = "\n".join(lines)
    return f"<i>{text}</i>" if block.kind == "meta" else text


_STYLE = {"title": "<b>{}</b>", "heading": "<b>{}</b>", "meta": "<i>{}</i>"}


def reply_html(paragraphs: list[list[Line]]) -> str:
    """A first reply as Telegram HTML whose visible text is exactly the reply's plain text."""
    return "\n\n".join(
        "\n".join(
            _STYLE.get(line.style, "{}").format(html.escape(line.text, quote=False))
            for line in para
        )
        for para in paragraphs
        if para
    )


def card_html(blocks: list[Block]) -> list[str]:
    return split([block_html(b) for b in blocks])


def split(paragraphs: list[str], limit: int = LIMIT) -> list[str]:
    """Pack whole paragraphs into messages of at most `limit` characters.

    A paragraph too long on its own is cut at line ends, and a line too long on its own is
    sent as plain text cut at spaces, so no message ever breaks an HTML tag.
    """
    pieces: list[str] = []
    for para in paragraphs:
        if visible_len(para) <= limit:
            pieces.append(para)
            continue
        for line in para.split("\n"):
            if visible_len(line) <= limit:
                pieces.append(line)
            else:
                pieces.extend(_cut_plain(line, limit))
    messages: list[str] = []
    current = ""
    for piece in pieces:
        joined = f"{current}\n\n{piece}" if current else piece
        if visible_len(joined) <= limit:
            current = joined
        else:
            messages.append(current)
            current = piece
    if current:
        messages.append(current)
    return messages


def _cut_plain(line: str, limit: int) -> list[str]:
    text = html.unescape(_TAG.sub("", line))
    out, current = [], ""
    for word in text.split(" "):
        while len(html.escape(word, quote=False)) > limit:  # one enormous "word"
            head, word = word[: limit // 6], word[limit // 6 :]
            if current:
                out.append(current)
                current = ""
            out.append(html.escape(head, quote=False))
        candidate = (
            f"{current} {html.escape(word, quote=False)}"
            if current
            else html.escape(word, quote=False)
        )
        if len(candidate) > limit:
            out.append(current)
            current = html.escape(word, quote=False)
        else:
            current = candidate
    if current:
        out.append(current)
    return out
