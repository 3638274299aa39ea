"""The services every adapter (Telegram, terminal chat, CLI) shares, built once per process."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.indicators import Indicators
from bot.core.knowledge import KnowledgeBase
from bot.core.local_contacts import CONTACTS_FILE, LocalContacts
from bot.core.responder import Responder
from bot.core.scope import Scope
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
    scope: Scope | None = None
    _responder: Responder | None = field(default=None, repr=False)

    @property
    def responder(self) -> Responder:
        """What every adapter asks for the first reply to free text."""
        if self._responder is None:
            self._responder = Responder(
                self.kb, self.engine, self.indicators, self.scope, self.contacts
            )
        return self._responder


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
    scope, scope_problems = Scope.load(root)
    problems = problems + contact_problems + scope_problems
    errors = kb.errors + [p for p in problems if p.level == "error"]
    if strict and errors:
        shown = "\n".join(str(p) for p in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise KnowledgeError(f"knowledge base has errors (run `kb check`):\n{shown}{more}")
    engine = SearchEngine(kb.topics.values(), kb.synonyms, kb.intents, units=kb.units)
    knowledge = Knowledge(kb, engine, 0.0, indicators, contacts, scope)
    _ = knowledge.responder  # built at start-up, not on the first question
    knowledge.build_ms = (time.perf_counter() - start) * 1000
    return knowledge
