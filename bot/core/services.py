"""The services every adapter (Telegram, terminal chat, CLI) shares, built once per process."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.answers.ranker import RANKER_FILE, RankerModel
from bot.core.answers.responder import Responder
from bot.core.answers.search import SearchEngine
from bot.core.guided.flows import Referral
from bot.core.guided.indicators import Indicators
from bot.core.knowledge.base import KnowledgeBase
from bot.core.knowledge.local_contacts import CONTACTS_FILE, LocalContacts
from bot.core.knowledge.problems import Problem
from bot.core.knowledge.scope import Scope
from bot.core.quiz.bank import QuizBank


class KnowledgeError(Exception):
    """The knowledge base has errors; the bot must not run on half-checked content."""


@dataclass
class Knowledge:
    """The whole validated bundle every adapter (Telegram, terminal chat, CLI) runs on."""

    kb: KnowledgeBase
    engine: SearchEngine
    build_ms: float
    indicators: Indicators | None = None
    contacts: LocalContacts | None = None
    scope: Scope | None = None
    quiz_bank: QuizBank | None = None
    referral: Referral | None = None
    _responder: Responder | None = field(default=None, repr=False)

    @property
    def responder(self) -> Responder:
        """What every adapter asks for the first reply to free text."""
        if self._responder is None:
            self._responder = Responder(
                self.kb, self.engine, self.indicators, self.scope, self.contacts
            )
        return self._responder


def _refuse(what: str, errors: list[Problem]) -> KnowledgeError:
    shown = "\n".join(str(p) for p in errors[:20])
    more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
    return KnowledgeError(f"{what} has errors (run `kb check`):\n{shown}{more}")


def load_knowledge(
    root: Path, strict: bool = True, contacts_file: Path | None = None
) -> Knowledge:
    """Load, check and index `knowledge/`: topics, indicators, local contacts, the quiz bank
    and the referral flow. With `strict`, any error stops start-up with the list, the same on
    every adapter.

    `contacts_file` replaces `knowledge/local-contacts.yaml` (tests use a filled sample).
    """
    start = time.perf_counter()
    kb = KnowledgeBase.load(root)
    indicators, problems = Indicators.load(root, kb)
    contacts, contact_problems = LocalContacts.load(contacts_file or root / CONTACTS_FILE, kb)
    scope, scope_problems = Scope.load(root)
    bank = QuizBank.cached(kb)
    referral, referral_problems = Referral.load(root, kb)
    problems = problems + contact_problems + scope_problems + bank.problems + referral_problems
    errors = kb.errors + [p for p in problems if p.level == "error"]
    if strict and errors:
        raise _refuse("knowledge base", errors)
    model = RankerModel.read(root / RANKER_FILE)
    engine = SearchEngine(kb.topics.values(), kb.synonyms, kb.intents, units=kb.units, model=model)
    knowledge = Knowledge(kb, engine, 0.0, indicators, contacts, scope, bank, referral)
    _ = knowledge.responder  # built at start-up, not on the first question
    knowledge.build_ms = (time.perf_counter() - start) * 1000
    return knowledge


def quiz_bank_of(knowledge: Knowledge) -> QuizBank:
    """The checked quiz bank (loaded now for a bundle built by hand, as tests do)."""
    bank = knowledge.quiz_bank or QuizBank.cached(knowledge.kb)
    if bank.errors:
        raise _refuse("quiz bank", bank.errors)
    return bank


def referral_of(knowledge: Knowledge) -> Referral:
    """The checked referral flow (loaded now for a bundle built by hand, as tests do)."""
    if knowledge.referral is not None:
        return knowledge.referral
    referral, problems = Referral.load(knowledge.kb.root, knowledge.kb)
    if referral is None:
        raise _refuse("referral flow", [p for p in problems if p.level == "error"] or problems)
    return referral
