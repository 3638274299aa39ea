"""Answer units and the offence table: each curator mistake reported at its file and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.core.knowledge.base import KnowledgeBase
from bot.core.knowledge.units import MIN_UNITS
from tests.test_knowledge_loading import write

URL = "https://example.org/page"


def unit(n: int, **over: str) -> str:
    fields = {
        "id": f"fact-{n}",
        "kind": "definition",
        "answer": f"Fact number {n} is stated plainly here.",
        "source": URL,
    }
    fields.update(over)
    asks = f"question {n} one, question {n} two, question {n} three"
    return (
        f"  - id: {fields['id']}\n"
        f"    kind: {fields['kind']}\n"
        f"    ask: [{fields.get('ask', asks)}]\n"
        f"    answer: {fields['answer']}\n"
        f"    source: {fields['source']}\n"
    )


def units_file(root: Path, topic: str, body: str, name: str | None = None) -> Path:
    folder = root / "units"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name or topic}.yaml"
    path.write_text(f"topic: {topic}\nunits:\n{body}", encoding="utf-8")
    return path


OFFENCE = """offences:
  - id: {id}
    name: {name}
    aliases: [{alias}]
    statute: Example Act 2015
    section: {section}
    trial: {trial}
    max_indictment: {max_indictment}
    max_summary: {max_summary}
    in_force: true
    points_to_prove: [did the thing, knowing it was wrong]
    topic: {topic}
    source: {source}
"""


def offences(root: Path, *rows: dict) -> None:
    text = ""
    for row in rows:
        n = len(text)
        values = {
            "id": "ex-s1",
            "name": f"Offence number {n}",
            "alias": f"alias {n}" if text else "the thing",
            "section": "s1",
            "trial": "either-way",
            "max_indictment": "life",
            "max_summary": "6 months or a fine",
            "topic": "alpha",
            "source": URL,
        }
        values.update(row)
        text += OFFENCE.format(**values)[len("offences:\n") if text else 0 :]
    (root / "offences.yaml").write_text(text, encoding="utf-8")


def load(root: Path) -> tuple[KnowledgeBase, list[str]]:
    (root / "synonyms.yaml").write_text("nrm: [national referral mechanism]\n")
    kb = KnowledgeBase.load(root, today=date(2026, 11, 23))
    return kb, [f"{p.path.name}:{p.line}: {p.level}: {p.message}" for p in kb.problems]


def test_good_units_and_offences_load(tmp_path: Path) -> None:
    write(tmp_path, "alpha")
    write(tmp_path, "beta")
    units_file(tmp_path, "alpha", "".join(unit(n) for n in range(MIN_UNITS)))
    offences(tmp_path, {})
    kb, found = load(tmp_path)
    assert found == ["beta.yaml:1: warning: no answer units for this topic yet"]
    assert [u.key for u in kb.units["alpha"]][:2] == ["alpha#fact-0", "alpha#fact-1"]
    assert kb.unit("alpha#fact-3").answer == "Fact number 3 is stated plainly here."
    [offence] = kb.offences
    assert offence.citation == "Example Act 2015 s1"
    assert offence.penalty_text() == "life on indictment; 6 months or a fine on summary conviction"


def test_each_unit_mistake_is_located(tmp_path: Path) -> None:
    write(tmp_path, "alpha")
    body = "".join(unit(n) for n in range(MIN_UNITS))
    body += unit(10, answer="x" * 301)
    body += unit(11, kind="sentence")
    body += unit(12, source="https://example.org/elsewhere")
    body += unit(13, ask="question 0 one, one more, and another")
    body += unit(14, answer="Carries **life** on indictment.")
    body += unit(15, ask="only one")
    units_file(tmp_path, "alpha", body)
    _, found = load(tmp_path)
    assert found[:6] == [
        "alpha.yaml:36: error: units.6.answer: String should have at most 300 characters",
        "alpha.yaml:39: error: units.7.kind: Input should be 'penalty', 'time-limit', "
        "'who-can', 'power', 'number', 'age', 'definition', 'signs', 'what-to-do' or "
        "'necessary'",
        "alpha.yaml:47: error: unit 'fact-12': source is not one of the topic's source urls",
        "alpha.yaml:50: error: unit 'fact-13': phrasing 'question 0 one' also in alpha.yaml:5",
        "alpha.yaml:56: error: units.10.answer: Value error, answer must be plain text "
        "(no Markdown, no HTML)",
        "alpha.yaml:60: error: units.11.ask: List should have at least 3 items after "
        "validation, not 1",
    ]


def test_file_and_topic_rules(tmp_path: Path) -> None:
    write(tmp_path, "alpha")
    write(tmp_path, "beta")
    units_file(tmp_path, "alpha", unit(1) + unit(2))  # too few
    units_file(tmp_path, "gamma", "".join(unit(n + 20) for n in range(MIN_UNITS)))  # no topic
    units_file(tmp_path, "alpha", "".join(unit(n + 40) for n in range(MIN_UNITS)), name="beta")
    _, found = load(tmp_path)
    assert f"alpha.yaml:2: error: 2 units; every topic needs at least {MIN_UNITS}" in found
    assert "gamma.yaml:1: error: unknown topic 'gamma'" in found
    assert "beta.yaml:1: error: topic 'alpha' differs from file name 'beta'" in found


def test_phrasings_are_unique_across_files(tmp_path: Path) -> None:
    write(tmp_path, "alpha")
    write(tmp_path, "beta")
    units_file(tmp_path, "alpha", "".join(unit(n) for n in range(MIN_UNITS)))
    clash = unit(0, ask="QUESTION 0   one, other 1, other 2")
    units_file(tmp_path, "beta", clash + "".join(unit(n) for n in range(100, 105)))
    _, found = load(tmp_path)
    assert (
        "beta.yaml:5: error: unit 'fact-0': phrasing 'QUESTION 0 one' also in alpha.yaml:5"
        in found
    )


def test_offence_rules(tmp_path: Path) -> None:
    write(tmp_path, "alpha")
    offences(
        tmp_path,
        {},
        {"id": "ex-s2", "section": "s2", "max_indictment": "about 5 years"},
        {"id": "ex-s3", "section": "s3", "trial": "summary-only"},
        {"id": "ex-s4", "section": "s4", "trial": "indictable-only"},
        {"id": "ex-s5", "section": "s1"},
        {"id": "ex-s6", "section": "s6", "topic": "nowhere"},
        {"id": "ex-s7", "section": "s7", "source": "https://example.org/x"},
        {"id": "ex-s8", "section": "s8", "alias": "the thing"},
    )
    _, found = load(tmp_path)
    assert found[0].startswith("offences.yaml:20: error: offences.1.max_indictment: ")
    assert found[1:] == [
        "offences.yaml:26: error: offence 'ex-s3': summary-only needs max_indictment: null",
        "offences.yaml:38: error: offence 'ex-s4': indictable-only needs max_summary: null",
        "offences.yaml:50: error: Example Act 2015 s1 is listed twice",
        "offences.yaml:62: error: offence 'ex-s6': unknown topic 'nowhere'",
        "offences.yaml:74: error: offence 'ex-s7': source is not one of alpha's urls",
        "offences.yaml:86: error: offence 'ex-s8': name 'the thing' also names ex-s1",
    ]


def test_the_real_units_and_offences_are_consistent(knowledge) -> None:
    kb = knowledge.kb
    assert kb.units and kb.offences
    for units in kb.units.values():
        for u in units:
            assert len(u.answer) <= 300 and len(u.ask) >= 3
            topic = kb.topics[u.topic]
            assert u.source in {s.url for s in topic.sources}
    for offence in kb.offences:
        assert offence.topic in kb.topics


def test_a_pending_offence_says_commencement_is_not_confirmed(tmp_path: Path) -> None:
    write(tmp_path, "alpha")
    body = unit(0, kind="penalty", answer="Up to 5 years on indictment.")
    body += unit(1, kind="penalty", answer="Up to 5 years; commencement not confirmed.")
    body += "".join(unit(n) for n in range(2, MIN_UNITS))
    units_file(tmp_path, "alpha", body)
    offences(tmp_path, {})
    text = (tmp_path / "offences.yaml").read_text().replace("in_force: true", "in_force: false")
    (tmp_path / "offences.yaml").write_text(text)
    _, found = load(tmp_path)
    assert found == [
        "alpha.yaml:1: error: unit 'fact-0': the offence is not in force, so the answer must "
        "say its commencement is not confirmed"
    ]
