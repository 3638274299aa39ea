"""Tagging notes with indicators, and the safeguarding steps they call for (checks.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.guided.indicators import Indicators
from bot.core.knowledge.base import KnowledgeBase
from bot.core.services import Knowledge
from tests.support import KNOWLEDGE


@pytest.fixture(scope="module")
def indicators(knowledge: Knowledge) -> Indicators:
    assert knowledge.indicators is not None
    return knowledge.indicators


def topics_of(steps) -> list[str]:
    return [t for s in steps for t in s.topics]


def test_child_with_phones_far_from_home(indicators: Indicators) -> None:
    text = "15yo from Exampleton found at the station with 3 phones, far from home, wad of cash"
    tags = indicators.tag(text)
    assert "indicators-child-exploitation#several-phones" in [t.tag for t in tags]
    assert "indicators-child-exploitation#missing-far-from-home" in [t.tag for t in tags]
    subjects = indicators.subjects(text, tags)
    assert subjects == {"child"}
    steps = topics_of(indicators.steps(tags, subjects))
    assert steps[:2] == ["children-social-care-referral", "nrm-referral"]
    assert "duty-to-notify" not in steps  # never for a child


def test_adult_words_win_and_danger_comes_first(indicators: Indicators) -> None:
    text = "The tenant says he was held down and plugged, now has stomach pain"
    tags = indicators.tag(text)
    assert {"danger", "offending"} <= {f for t in tags for f in t.flags}
    subjects = indicators.subjects(text, tags)
    assert subjects == {"adult"}
    steps = indicators.steps(tags, subjects)
    assert "999" in steps[0].text
    assert "duty-to-notify" in topics_of(steps) and "police-protection-s46" not in topics_of(steps)
    assert "msa-s45-defence" in topics_of(steps)


def test_unknown_subject_shows_both_routes(indicators: Indicators) -> None:
    tags = indicators.tag("owes money to the line after being robbed")
    assert tags and indicators.subjects("owes money", tags) == set()
    steps = topics_of(indicators.steps(tags, set()))
    assert "children-social-care-referral" in steps and "duty-to-notify" in steps


@pytest.mark.parametrize(
    "text",
    [
        "they took his bank card and his benefits",
        "phone plugged in to charge at the front desk",
        "fitting a new lock on the door, fit and well",
    ],
)
def test_ordinary_words_do_not_raise_alarms(indicators: Indicators, text: str) -> None:
    tags = [t.tag for t in indicators.tag(text)]
    assert not any("concealment" in t or "inside-body" in t for t in tags)
    assert not any("danger" in indicators.by_tag[t].flags for t in tags)


def test_plurals_and_counts_still_match(indicators: Indicators) -> None:
    tags = {t.tag for t in indicators.tag("Two burners and several SIM cards, 3 phones, wraps")}
    assert {
        "indicators-deal-line-phones#several-handsets",
        "indicators-deal-line-phones#spare-sims",
        "indicators-child-exploitation#drugs-in-quantity",
    } <= tags


def test_nothing_seen_only_the_standing_step(indicators: Indicators) -> None:
    assert indicators.tag("quiet patrol, nothing to report") == []
    assert topics_of(indicators.steps([], set())) == ["intelligence-reporting"]


def test_scene_checklists_exist_with_items(indicators: Indicators) -> None:
    for name in ("child", "cuckooing", "adult"):
        found = indicators.checklist(name)
        assert found is not None
        spec, items = found
        assert spec.subject in ("child", "adult")
        assert len(items) >= 6 and all(len(i.label) <= 40 for i in items)
    assert indicators.checklist("nonsense") is None


def test_checks_file_problems_are_located(tmp_path: Path) -> None:
    kb = KnowledgeBase.load(KNOWLEDGE)
    (tmp_path / "checks.yaml").write_text(
        "checklists:\n  child:\n    topic: no-such-topic\n    subject: child\n    title: X y z\n"
        "steps:\n  - when: {flag: sometimes}\n    text: a step long enough\n"
    )
    _, problems = Indicators.load(tmp_path, kb)
    assert any(p.line == 7 and "flag" in p.message for p in problems)
    (tmp_path / "checks.yaml").write_text(
        "checklists:\n  child:\n    topic: no-such-topic\n    subject: child\n    title: X y z\n"
        "steps:\n  - text: a step long enough\n    topics: [ghost]\n"
    )
    _, problems = Indicators.load(tmp_path, kb)
    found = [(p.line, p.message) for p in problems]
    assert (3, "checklist 'child': unknown topic 'no-such-topic'") in found
    assert any(line == 8 and "ghost" in message for line, message in found)
