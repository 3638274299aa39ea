"""The knowledge loader reports each kind of curator mistake at the right file and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.core.knowledge.base import KnowledgeBase

GOOD = """---
id: {id}
title: {title}
category: legislation
aliases: [alias one]
keywords: [999, keyword]
summary: {summary}
related: [{related}]
sources:
  - title: An official page
    url: https://example.org/page
reviewed: {reviewed}
reviewed_by: force county lines lead
---
## Key points
- A point.

## Officer action
1. Do a thing.
"""


def write(root: Path, name: str, **fields: str) -> Path:
    values = {
        "id": name,
        "title": f"Topic {name}",
        "summary": "A short summary of the topic.",
        "related": "",
        "reviewed": "2026-11-01",
    }
    values.update(fields)
    topics = root / "topics"
    topics.mkdir(parents=True, exist_ok=True)
    path = topics / f"{name}.md"
    path.write_text(GOOD.format(**values), encoding="utf-8")
    return path


def messages(kb: KnowledgeBase) -> list[str]:
    return [f"{p.path.name}:{p.line}: {p.message}" for p in kb.problems]


def test_clean_base_has_no_problems(tmp_path: Path) -> None:
    write(tmp_path, "alpha", related="beta")
    write(tmp_path, "beta", related="alpha")
    (tmp_path / "synonyms.yaml").write_text("nrm: [national referral mechanism]\n")
    kb = KnowledgeBase.load(tmp_path, today=date(2026, 11, 23))
    assert kb.problems == []
    assert list(kb.topics) == ["alpha", "beta"]
    assert kb.topics["alpha"].keywords == ["999", "keyword"]  # YAML ints kept as text
    assert kb.topics["alpha"].officer_action == ["Do a thing."]
    assert kb.synonyms == {"nrm": ["national referral mechanism"]}


def test_each_mistake_is_located(tmp_path: Path) -> None:
    write(tmp_path, "alpha", related="ghost")
    write(tmp_path, "long", summary="x" * 351)
    write(tmp_path, "baddate", reviewed="2026-13-40")
    write(tmp_path, "old", reviewed="2024-01-01")
    empty = write(tmp_path, "empty")
    empty.write_text(empty.read_text().split("---\n## Key")[0] + "---\n")
    nosrc = write(tmp_path, "nosrc")
    text = nosrc.read_text()
    nosrc.write_text(
        text.replace("  - title: An official page\n    url: https://example.org/page\n", "")
    )
    dup = write(tmp_path, "dup-copy")
    dup.write_text(dup.read_text().replace("id: dup-copy", "id: alpha"))
    (tmp_path / "synonyms.yaml").write_text("nrm: [x]\n")
    kb = KnowledgeBase.load(tmp_path, today=date(2026, 11, 23))
    found = messages(kb)
    assert "alpha.md:8: unknown related id 'ghost'" in found
    assert any(m.startswith("long.md:7: summary:") and "350" in m for m in found)
    assert any(m.startswith("baddate.md:12: reviewed:") for m in found)
    assert "empty.md:15: empty body" in found
    assert any(m.startswith("nosrc.md:9: sources:") for m in found)
    assert any("dup-copy.md" in m and "differs from file name" in m for m in found)
    stale = [p for p in kb.problems if p.path.name == "old.md"]
    assert [p.level for p in stale] == ["warning"] and "12 months" in stale[0].message
    assert "ghost" not in kb.topics and "long" not in kb.topics


def test_duplicate_id_and_missing_required(tmp_path: Path) -> None:
    write(tmp_path, "alpha")
    second = write(tmp_path, "beta")
    second.write_text(second.read_text().replace("id: beta", "id: alpha"))
    (tmp_path / "required-topics.txt").write_text("# ids\nalpha\ngamma\n")
    kb = KnowledgeBase.load(tmp_path, today=date(2026, 11, 23))
    found = messages(kb)
    assert any("duplicate id 'alpha'" in m for m in found)
    assert "required-topics.txt:3: required topic 'gamma' is missing" in found


def test_body_sections_are_required(tmp_path: Path) -> None:
    path = write(tmp_path, "alpha")
    path.write_text(
        path.read_text().replace("## Officer action\n1. Do a thing.\n", "## Notes\nx\n")
    )
    steps = write(tmp_path, "steps")
    steps.write_text(steps.read_text().replace("1. Do a thing.", "1. a\n2. b\n3. c\n4. d\n5. e"))
    kb = KnowledgeBase.load(tmp_path, today=date(2026, 11, 23))
    found = messages(kb)
    assert "alpha.md:15: body has no '## Officer action' section" in found
    assert "steps.md:15: 'Officer action' has 5 steps; keep 1 to 4" in found


def test_bad_yaml_and_missing_front_matter(tmp_path: Path) -> None:
    topics = tmp_path / "topics"
    topics.mkdir()
    (topics / "plain.md").write_text("# just markdown\n")
    (topics / "broken.md").write_text("---\nid: broken\ntitle: [unclosed\n---\nbody\n")
    (tmp_path / "synonyms.yaml").write_text("- not a mapping\n")
    kb = KnowledgeBase.load(tmp_path)
    found = messages(kb)
    assert "plain.md:1: missing YAML front matter between '---' lines" in found
    assert any(m.startswith("broken.md:") and "invalid YAML" in m for m in found)
    assert "synonyms.yaml:1: synonyms must be a mapping of term: [expansions]" in found


def test_sources_must_be_public_canonical_and_untracked(tmp_path: Path) -> None:
    path = write(tmp_path, "alpha")
    text = path.read_text()
    path.write_text(
        text.replace(
            "  - title: An official page\n    url: https://example.org/page\n",
            "  - title: An official page\n    url: https://example.org/page\n"
            "  - title: APP on modern slavery\n"
            "    url: https://production.copweb.aws.college.police.uk/app/modern-slavery\n"
            "  - title: A charity campaign\n"
            "    url: https://charity.example/look?utm_source=twitter&x=1\n"
            "  - title: A report\n    url: https://issuu.com./someone/docs/report\n"
            "  - title: A local paper\n    url: https://paper.example/story/?ref=rss\n"
            "  - title: The Children's Society, #LookCloser\n"
            "    url: https://charity.example/look\n"
            '  - title: "Quoted, #LookCloser campaign"\n'
            "    url: https://charity.example/look2\n"
            "    secondary: true\n",
        )
    )
    kb = KnowledgeBase.load(tmp_path, today=date(2026, 11, 23))
    found = messages(kb)
    assert any(m.startswith("alpha.md:13: host 'production.copweb") for m in found), found
    assert "alpha.md:15: tracking parameter 'utm_source' in the address: drop it" in found
    assert "alpha.md:17: host 'issuu.com.' ends with a dot: a broken address" in found
    assert "alpha.md:19: tracking parameter 'ref' in the address: drop it" in found
    cut = [m for m in found if m.startswith("alpha.md:20:")]
    assert len(cut) == 2 and all("quote" in m for m in cut)
    assert not any(m.startswith(("alpha.md:22:", "alpha.md:23:")) for m in found)
    warnings = {p.message for p in kb.problems if p.level == "warning"}
    assert len(warnings - {"synonyms file is missing"}) == 2  # cut-short title: warnings only
    assert kb.topics["alpha"].sources[-1].label == "Quoted, #LookCloser campaign (secondary)"
    assert kb.topics["alpha"].sources[0].label == "An official page"


def test_every_entry_names_the_role_that_reviewed_it(tmp_path: Path) -> None:
    path = write(tmp_path, "alpha")
    path.write_text(path.read_text().replace("reviewed_by: force county lines lead\n", ""))
    write(tmp_path, "beta")
    kb = KnowledgeBase.load(tmp_path, today=date(2026, 11, 23))
    found = messages(kb)
    assert [m for m in found if "reviewed_by" in m] == [
        "alpha.md:12: no 'reviewed_by': name the role that checked the entry "
        "(e.g. force county lines lead), never a person"
    ]
    assert kb.topics["beta"].reviewed_line == "Reviewed 01 Nov 2026 by force county lines lead"


def test_card_labels_secondary_sources_and_names_the_reviewer(tmp_path: Path) -> None:
    from bot.core.answers.cards import CAVEAT, answer_blocks

    path = write(tmp_path, "alpha")
    path.write_text(
        path.read_text().replace(
            "    url: https://example.org/page\n",
            "    url: https://example.org/page\n"
            "  - title: A newspaper report\n    url: https://news.example/story\n"
            "    secondary: true\n",
        )
    )
    kb = KnowledgeBase.load(tmp_path, today=date(2026, 11, 23))
    blocks = answer_blocks(kb.topics["alpha"])
    sources = next(b for b in blocks if b.kind == "sources").items
    assert sources == [
        "An official page https://example.org/page",
        "A newspaper report (secondary) https://news.example/story",
    ]
    meta = next(b for b in blocks if b.kind == "meta").items
    assert meta == ["Reviewed 01 Nov 2026 by force county lines lead.", CAVEAT]
