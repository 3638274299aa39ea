"""The services every adapter (Telegram, terminal chat, CLI) shares, built once per process."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bot.core.indicators import Indicators
from bot.core.knowledge import KnowledgeBase
from bot.core.local_contacts import CONTACTS_FILE, LocalContacts
from bot.core.search import SearchEngine


class KnowledgeError(Exception):
    """The knowledge base has errors; the bot must not run on half-checked content."""


@dataclass
class Knowledge:
    kb: KnowledgeBase
    engine: SearchEngine
    build_ms: float
    indicators: Indicators | None = None
    contacts: LocalContacts | None = None


def load_knowledge(
    root: Path, strict: bool = True, contacts_file: Path | None = None
) -> Knowledge:
    """Load and index `knowledge/`; with `strict`, any error stops start-up with the list.

    `contacts_file` replaces `knowledge/local-contacts.yaml` (tests use a filled sample).
    """
    start = time.perf_counter()
    kb = KnowledgeBase.load(root)
    indicators, problems = Indicators.load(root, kb)
    contacts, contact_problems = LocalContacts.load(contacts_file or root / CONTACTS_FILE, kb)
    problems = problems + contact_problems
    errors = kb.errors + [p for p in problems if p.level == "error"]
    if strict and errors:
        shown = "\n".join(str(p) for p in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise KnowledgeError(f"knowledge base has errors (run `kb check`):\n{shown}{more}")
    engine = SearchEngine(kb.topics.values(), kb.synonyms, kb.intents)
    return Knowledge(kb, engine, (time.perf_counter() - start) * 1000, indicators, contacts)
