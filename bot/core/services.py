"""The services every adapter (Telegram, terminal chat, CLI) shares, built once per process."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bot.core.indicators import Indicators
from bot.core.knowledge import KnowledgeBase
from bot.core.search import SearchEngine


class KnowledgeError(Exception):
    """The knowledge base has errors; the bot must not run on half-checked content."""


@dataclass
class Knowledge:
    kb: KnowledgeBase
    engine: SearchEngine
    build_ms: float
    indicators: Indicators | None = None


def load_knowledge(root: Path, strict: bool = True) -> Knowledge:
    """Load and index `knowledge/`; with `strict`, any error stops start-up with the list."""
    start = time.perf_counter()
    kb = KnowledgeBase.load(root)
    indicators, problems = Indicators.load(root, kb)
    errors = kb.errors + [p for p in problems if p.level == "error"]
    if strict and errors:
        shown = "\n".join(str(p) for p in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise KnowledgeError(f"knowledge base has errors (run `kb check`):\n{shown}{more}")
    engine = SearchEngine(kb.topics.values(), kb.synonyms, kb.intents)
    return Knowledge(kb, engine, (time.perf_counter() - start) * 1000, indicators)
