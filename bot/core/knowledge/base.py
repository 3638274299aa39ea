"""Loading `knowledge/`: topic files and synonyms, with every problem located by file and line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.core import clock
from bot.core.knowledge.problems import (
    Problem,
    load_yaml,
    node_line,
    parse_yaml,
    validation_problems,
)
from bot.core.knowledge.provenance import provenance_problems
from bot.core.knowledge.topics import CATEGORIES, Topic
from bot.core.knowledge.units import (
    Offence,
    Unit,
    commencement_problems,
    load_offences,
    load_units,
)

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
STALE_AFTER = timedelta(days=365)
REQUIRED_FILE = "required-topics.txt"


def load_topic(path: Path) -> tuple[Topic | None, list[Problem]]:
    """Parse one `topics/<id>.md`; on any error the topic is returned as None."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(path, 1, f"cannot read: {exc}")]
    match = FRONT_MATTER.match(text)
    if not match:
        return None, [Problem(path, 1, "missing YAML front matter between '---' lines")]
    front, body = match.group(1), text[match.end() :]
    body_line = text[: match.end()].count("\n") + 1
    try:
        data, node = parse_yaml(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Problem(path, (mark.line + 2) if mark else 1, f"invalid YAML: {exc}")]
    if not isinstance(data, dict):
        return None, [Problem(path, 2, "front matter must be a mapping of fields")]
    if "body" in data:
        return None, [
            Problem(path, node_line(node, ("body",), 1), "'body' is not a front matter field")
        ]
    try:
        topic = Topic(**data, body=body.strip())
    except ValidationError as exc:
        return None, validation_problems(exc, path, node, offset=1)

    problems = _body_problems(topic, path, body_line, node)
    problems.extend(provenance_problems(topic, path, front, node))
    if topic.id != path.stem:
        problems.append(
            Problem(
                path,
                node_line(node, ("id",), 1),
                f"id '{topic.id}' differs from file name '{path.stem}'",
            )
        )
    return topic, problems


def _body_problems(topic: Topic, path: Path, body_line: int, node: yaml.Node) -> list[Problem]:
    problems = []
    if not topic.body.strip():
        return [Problem(path, body_line, "empty body")]
    if not topic.key_points:
        problems.append(Problem(path, body_line, "body has no '## Key points' section"))
    actions = topic.officer_action
    if not actions:
        problems.append(Problem(path, body_line, "body has no '## Officer action' section"))
    elif len(actions) > 4:
        problems.append(
            Problem(path, body_line, f"'Officer action' has {len(actions)} steps; keep 1 to 4")
        )
    ids = [item.id for item in topic.checklist]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(
            Problem(path, node_line(node, ("checklist",), 1), f"checklist id '{dup}' repeated")
        )
    if topic.checklist and topic.category != "indicators":
        problems.append(
            Problem(
                path,
                node_line(node, ("checklist",), 1),
                "checklist belongs on indicator topics only",
            )
        )
    return problems


def load_synonyms(path: Path) -> tuple[dict[str, list[str]], list[Problem]]:
    """`term: [expansion, ...]`; terms and expansions are matched case-insensitively."""
    if not path.exists():
        return {}, [Problem(path, 1, "synonyms file is missing", "warning")]
    data, node, problems = load_yaml(path)
    if problems:
        return {}, problems
    data = data or {}
    if not isinstance(data, dict):
        return {}, [Problem(path, 1, "synonyms must be a mapping of term: [expansions]")]
    synonyms: dict[str, list[str]] = {}
    problems = []
    for term, expansions in data.items():
        line = node_line(node, (term,))
        if isinstance(expansions, str):
            expansions = [expansions]
        if not isinstance(term, str) or not term.strip():
            problems.append(Problem(path, line, f"synonym term must be text, got {term!r}"))
        elif (
            not isinstance(expansions, list)
            or not expansions
            or not all(isinstance(e, str) and e.strip() for e in expansions)
        ):
            problems.append(Problem(path, line, f"'{term}' needs a list of expansions"))
        elif term.casefold() in synonyms:
            problems.append(Problem(path, line, f"synonym '{term}' repeated"))
        else:
            synonyms[term.casefold()] = [e.casefold() for e in expansions]
    return synonyms, problems


def load_intents(path: Path) -> tuple[dict[str, list[str]], list[Problem]]:
    """`category: [phrase, ...]`: question words that say which kind of answer is wanted."""
    if not path.exists():
        return {}, []
    data, node, problems = load_yaml(path)
    if problems:
        return {}, problems
    if not isinstance(data, dict):
        return {}, [Problem(path, 1, "intents must be a mapping of category: [phrases]")]
    intents: dict[str, list[str]] = {}
    for category, phrases in data.items():
        line = node_line(node, (category,))
        if category not in CATEGORIES:
            problems.append(Problem(path, line, f"unknown category '{category}'"))
        elif not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            problems.append(Problem(path, line, f"'{category}' needs a list of phrases"))
        else:
            intents[category] = [p.casefold() for p in phrases]
    return intents, problems


@dataclass
class KnowledgeBase:
    """Topics by id in file order, their answer units, the offence table, synonyms, and every
    problem found while loading."""

    root: Path
    topics: dict[str, Topic] = field(default_factory=dict)
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    intents: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)
    units: dict[str, list[Unit]] = field(default_factory=dict)  # by topic id
    offences: list[Offence] = field(default_factory=list)

    @classmethod
    def load(cls, root: Path, today: date | None = None) -> KnowledgeBase:
        kb = cls(root=root)
        topic_dir = root / "topics"
        files = sorted(topic_dir.glob("*.md")) if topic_dir.is_dir() else []
        if not files:
            kb.problems.append(Problem(topic_dir, 1, "no topic files found"))
        for path in files:
            topic, problems = load_topic(path)
            kb.problems.extend(problems)
            if topic is None:
                continue
            if topic.id in kb.topics:
                kb.problems.append(
                    Problem(path, 2, f"duplicate id '{topic.id}' (also {kb.paths[topic.id].name})")
                )
                continue
            kb.topics[topic.id] = topic
            kb.paths[topic.id] = path
        kb.synonyms, problems = load_synonyms(root / "synonyms.yaml")
        kb.problems.extend(problems)
        kb.intents, problems = load_intents(root / "intents.yaml")
        kb.problems.extend(problems)
        kb.units, problems = load_units(root, kb.topics)
        kb.problems.extend(problems)
        kb.offences, problems = load_offences(root, kb.topics)
        kb.problems.extend(problems)
        kb.problems.extend(commencement_problems(root, kb.units, kb.offences))
        kb.problems.extend(kb._cross_problems(today or clock.today()))
        return kb

    def unit(self, key: str) -> Unit | None:
        """A unit by its full id, `<topic>#<id>`."""
        topic, _, uid = key.partition("#")
        return next((u for u in self.units.get(topic, ()) if u.id == uid), None)

    def _cross_problems(self, today: date) -> list[Problem]:
        problems = []
        for topic in self.topics.values():
            path = self.paths[topic.id]
            for rid in topic.related:
                if rid == topic.id:
                    problems.append(
                        Problem(path, _line_of(path, "related:"), "topic lists itself as related")
                    )
                elif rid not in self.topics:
                    problems.append(
                        Problem(path, _line_of(path, rid), f"unknown related id '{rid}'")
                    )
            if topic.reviewed > today:
                problems.append(
                    Problem(
                        path,
                        _line_of(path, "reviewed:"),
                        f"reviewed date {topic.reviewed} is in the future",
                    )
                )
            elif today - topic.reviewed > STALE_AFTER:
                problems.append(
                    Problem(
                        path,
                        _line_of(path, "reviewed:"),
                        f"last reviewed {topic.reviewed}: over 12 months ago",
                        "warning",
                    )
                )
        required = self.required_ids()
        for rid in sorted(set(required) - set(self.topics)):
            problems.append(
                Problem(
                    self.root / REQUIRED_FILE, required[rid], f"required topic '{rid}' is missing"
                )
            )
        return problems

    def required_ids(self) -> dict[str, int]:
        """Ids that must exist (from `required-topics.txt`), with their line numbers."""
        return required_ids(self.root)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    def by_category(self) -> dict[str, list[Topic]]:
        grouped: dict[str, list[Topic]] = {c: [] for c in CATEGORIES}
        for topic in self.topics.values():
            grouped[topic.category].append(topic)
        for topics in grouped.values():
            topics.sort(key=lambda t: t.title.casefold())
        return grouped


def _line_of(path: Path, needle: str) -> int:
    """First line containing `needle`: good enough to point a curator at a cross-reference."""
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if needle in line:
                return number
    except OSError:
        pass
    return 1


def required_ids(root: Path) -> dict[str, int]:
    """The topic ids listed in `root/required-topics.txt`, with their line numbers."""
    path = root / REQUIRED_FILE
    if not path.exists():
        return {}
    ids = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.split("#", 1)[0].strip()
        if text:
            ids[text] = number
    return ids
