"""The real knowledge base holds what the project promised: every required topic, linked up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.knowledge.check import check_knowledge
from bot.core.services import Knowledge
from tests.support import KNOWLEDGE, ROOT


def _shared_reference() -> Path | None:
    """`shared/reference/` beside the checkout (CI: ../shared) or beside a worktree's parent."""
    for folder in ROOT.parents:
        candidate = folder / "shared" / "reference"
        if (candidate / "topics.md").exists():
            return candidate
    return None


SHARED = _shared_reference()
# The first 47 topics, then those added in December 2026: required alike, in this order.
TOPIC_LISTS = ("topics.md", "topics-added.md")


def _shared_ids(name: str) -> list[str]:
    assert SHARED is not None
    return re.findall(r"^\| `([a-z0-9-]+)` \|", (SHARED / name).read_text(), flags=re.M)


@pytest.mark.skipif(SHARED is None, reason="shared/reference/ is not beside this checkout")
def test_required_ids_are_those_of_the_shared_topic_lists(knowledge: Knowledge) -> None:
    first, added = (_shared_ids(name) for name in TOPIC_LISTS)
    assert len(first) >= 47
    assert len(added) >= 4
    assert list(knowledge.kb.required_ids()) == first + added
    assert set(first + added) <= set(knowledge.kb.topics)


def test_kb_check_is_clean() -> None:
    _, problems = check_knowledge(KNOWLEDGE)
    assert [str(p) for p in problems] == []


def test_every_topic_is_reachable_from_every_other(knowledge: Knowledge) -> None:
    topics = knowledge.kb.topics
    for start in topics:
        seen, todo = {start}, [start]
        while todo:
            for nxt in topics[todo.pop()].related:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        assert seen == set(topics), f"from {start} cannot reach {set(topics) - seen}"


def test_new_law_is_never_described_as_in_force(knowledge: Knowledge) -> None:
    for tid in ("child-criminal-exploitation-offence", "cuckooing-offence"):
        topic = knowledge.kb.topics[tid]
        text = f"{topic.summary}\n{topic.body}".lower()
        assert "not confirmed" in text and "royal assent" in text and "29 april 2026" in text
