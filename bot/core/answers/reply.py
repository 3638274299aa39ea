"""The first reply to a question, as neutral data: what Telegram, the terminal chat and `ask`
all show, so each adapter only formats it.

A reply is a few paragraphs of styled lines and rows of buttons. Its plain text (`text`) is
exactly what the officer reads: the Telegram adapter only adds bold and italics around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bot.core.answers.search import Hit
from bot.core.knowledge.topics import Topic
from bot.core.knowledge.units import Offence, Unit

MAX_REPLY = 1000
MAX_DO_NOW = 3
SHORT_LINE = 120

Style = Literal["title", "heading", "text", "item", "meta"]
Kind = Literal[
    "answer",  # a unit, or the topic's summary
    "offence",  # from the offence table
    "scene",  # a scene description: the indicators service's steps
    "not-held",  # an offence the table does not hold
    "out-of-scope",  # near misses and anything else outside the scope
    "small-talk",
    "did-you-mean",
    "not-sure",
]
Action = Literal["topic", "wrong", "browse", "check", "refer"]
ANSWERED: frozenset[str] = frozenset({"answer", "offence", "scene"})


@dataclass(frozen=True)
class Line:
    text: str
    style: Style = "text"


@dataclass(frozen=True)
class Button:
    """`topic`: open a topic's full card (arg: topic id); `wrong`: report (arg: topic or unit
    id); `browse`; `check` (arg: checklist name); `refer`."""

    label: str
    action: Action
    arg: str = ""


@dataclass(frozen=True)
class Reply:
    kind: Kind
    paragraphs: list[list[Line]]
    buttons: list[list[Button]] = field(default_factory=list)
    topic: Topic | None = None  # the topic the reply answers from (or points to)
    unit: Unit | None = None
    offence: Offence | None = None
    hits: list[Hit] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)  # typos the search corrected
    record_gap: bool = False  # an honest "don't know" the curators should see

    @property
    def answered(self) -> bool:
        return self.kind in ANSWERED

    @property
    def text(self) -> str:
        """The reply as plain text, exactly as the officer reads it."""
        return plain_text(self.paragraphs)


def plain_text(paragraphs: list[list[Line]]) -> str:
    return "\n\n".join("\n".join(line.text for line in para) for para in paragraphs if para)


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CONDITIONS = frozenset(
    "when whenever if unless before after once where while with without until as for".split()
)
_ASIDE = re.compile(r"\s*\([^()]*\)")


def unmark(text: str) -> str:
    """Curated `**bold**` to plain text."""
    return _BOLD.sub(r"\1", " ".join(text.split()))


def short_line(text: str, limit: int = SHORT_LINE) -> str:
    """One officer action as a short line: its first sentence without asides in brackets, cut
    at a clause if still long."""
    text = unmark(text)
    first = _SENTENCE.split(text, maxsplit=1)[0]
    if len(first) <= limit:
        return first
    first = _ASIDE.sub("", first)  # "(for example ...)" is the first thing to go
    if len(first) <= limit:
        return first
    # "When a child is found with an adult, serve a notice": the action comes after the
    # comma, so a step that opens with a condition is never cut at its first comma.
    conditional = first.split(" ", 1)[0].casefold() in _CONDITIONS
    for mark in (": ", "; ", ", then ") if conditional else (": ", "; ", ", then ", ", "):
        head = first.split(mark, 1)[0]
        if 20 <= len(head) <= limit:
            return head.rstrip(",;:") + "."
    cut = first[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def fit(paragraphs: list[list[Line]], limit: int = MAX_REPLY) -> list[list[Line]]:
    """Drop "Do now" lines from the end, then shorten the longest lines, until it fits."""
    paras = [list(p) for p in paragraphs]
    while len(plain_text(paras)) > limit:
        items = [
            (i, j) for i, p in enumerate(paras) for j, line in enumerate(p) if line.style == "item"
        ]
        if len(items) > 1:
            i, j = items[-1]
            del paras[i][j]
            if all(line.style == "heading" for line in paras[i]):
                del paras[i]
            continue
        over = len(plain_text(paras)) - limit
        i, j = max(
            ((i, j) for i, p in enumerate(paras) for j, _ in enumerate(p)),
            key=lambda ij: len(paras[ij[0]][ij[1]].text),
        )
        line = paras[i][j]
        keep = max(len(line.text) - over - 1, 20)
        cut = line.text[:keep].rsplit(" ", 1)[0] + "…"
        if len(cut) >= len(line.text):
            break
        paras[i][j] = Line(cut, line.style)
    return paras
