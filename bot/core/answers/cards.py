"""What an answer shows, as neutral blocks; the Telegram and terminal adapters only format them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.knowledge.local_contacts import NUMBERS_HEADING
from bot.core.knowledge.topics import CATEGORY_LABELS, Topic

CAVEAT = "Guidance only, not legal advice: check current force policy and your supervisor."
BOLD = re.compile(r"\*\*(.+?)\*\*")
SHORT_SECTIONS = ("Key points", "Common mistake")
DETAIL_SECTIONS = ("Detail", "Needs checking")


@dataclass(frozen=True)
class Block:
    """A heading with items; `numbered` for steps, `prose` for a paragraph-like block."""

    heading: str | None
    items: list[str] = field(default_factory=list)
    numbered: bool = False
    prose: bool = False
    kind: str = "section"


def answer_blocks(
    topic: Topic, detail: bool = False, local: list[str] | None = None
) -> list[Block]:
    """The answer card: title, summary, key points, officer action, sources, review date.

    With `detail` the card is the "More detail" view: the detail sections instead of the
    key points, so each message stays short enough to read on a phone. `local` is the force's
    own numbers (`LocalContacts.card_lines`), shown after the officer action.
    """
    blocks = [
        Block(topic.title, [CATEGORY_LABELS[topic.category]], kind="title"),
        Block(None, [topic.summary], prose=True, kind="summary"),
    ]
    wanted = DETAIL_SECTIONS if detail else SHORT_SECTIONS
    for section in topic.sections:
        if section.heading in wanted:
            blocks.append(Block(section.heading, section.items))
    if detail and not any(s.heading in DETAIL_SECTIONS for s in topic.sections):
        blocks.append(Block("Detail", ["No further detail is recorded for this topic."]))
    if not detail and topic.officer_action:
        blocks.append(Block("Officer action", topic.officer_action, numbered=True))
    if not detail and local:
        blocks.append(Block(NUMBERS_HEADING, local))
    blocks.append(Block("Sources", [f"{s.label} {s.url}" for s in topic.sources], kind="sources"))
    # Two items so the caveat wraps on its own line however long the reviewer's role is.
    blocks.append(Block(None, [f"{topic.reviewed_line}.", CAVEAT], prose=True, kind="meta"))
    return blocks


def plain(text: str) -> str:
    """Inline Markdown to plain text (the terminal shows no bold)."""
    return BOLD.sub(r"\1", text)
