"""Answer units (`knowledge/units/<topic>.yaml`) and the offence table (`knowledge/offences.yaml`).

A unit is one fact officers ask for, with the ways they ask it; an offence row is what the
statute says about one offence. Both are checked here against the topics they belong to, so
`kb check` and start-up report every problem as `path:line: message`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.core.knowledge.problems import Problem, load_yaml, node_line, validation_problems
from bot.core.knowledge.topics import SLUG, Topic

UnitKind = Literal[
    "penalty",
    "time-limit",
    "who-can",
    "power",
    "number",
    "age",
    "definition",
    "signs",
    "what-to-do",
    "necessary",
]
KINDS: tuple[str, ...] = UnitKind.__args__  # type: ignore[attr-defined]
# "not-confirmed": an enacted offence whose mode of trial no source confirms yet.
Trial = Literal["indictable-only", "either-way", "summary-only", "not-confirmed"]
ANSWER_MAX = 300
MIN_UNITS = 6
MIN_ASK = 3
UNITS_DIR = "units"
OFFENCES_FILE = "offences.yaml"
PENALTY = re.compile(r"^(life|\d+ years|\d+ months)$")
_MARKUP = re.compile(r"\*\*|__|<[a-zA-Z/][^>]*>|\[[^\]]+\]\(")


def _squash(value: str) -> str:
    return " ".join(value.split())


class Unit(BaseModel):
    """One fact with the ways officers ask for it; `topic` is filled in from the file."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=SLUG, max_length=40)
    kind: UnitKind
    ask: list[str] = Field(min_length=MIN_ASK)
    answer: str = Field(min_length=10, max_length=ANSWER_MAX)
    source: str = Field(pattern=r"^https?://\S+$")
    topic: str = ""

    @field_validator("answer")
    @classmethod
    def _plain(cls, value: str) -> str:
        value = _squash(value)
        if _MARKUP.search(value):
            raise ValueError("answer must be plain text (no Markdown, no HTML)")
        return value

    @field_validator("ask", mode="before")
    @classmethod
    def _phrasings(cls, value: object) -> object:
        if isinstance(value, list):
            value = [str(v) if isinstance(v, int | float) else v for v in value]
            if any(not isinstance(v, str) or not v.strip() for v in value):
                raise ValueError("every phrasing must be non-empty text")
            return [_squash(v) for v in value]
        return value

    @property
    def key(self) -> str:
        """The unit's full id, `<topic>#<id>`."""
        return f"{self.topic}#{self.id}"


class UnitsFile(BaseModel):
    """The file's frame; its units are validated one by one, so one bad unit hides no other."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(pattern=SLUG)
    units: list[Any] = Field(min_length=1)


class Offence(BaseModel):
    """One row of the offence table."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=SLUG, max_length=40)
    name: str = Field(min_length=3, max_length=120)
    aliases: list[str] = Field(default_factory=list)
    statute: str = Field(min_length=3)
    # "s2", "s4(3)", with an optional qualifier ("s4(3) Class A"); "Part 4 ..." when the
    # section number is not confirmed.
    section: str = Field(pattern=r"^(s\d+[A-Z]?(\(\w+\))*|Part \d+)( \S.*)?$")
    trial: Trial
    max_indictment: str | None
    max_summary: str | None
    in_force: bool
    points_to_prove: list[str] = Field(min_length=1)
    topic: str = Field(pattern=SLUG)
    source: str = Field(pattern=r"^https?://\S+$")
    note: str | None = None

    @field_validator("max_indictment")
    @classmethod
    def _penalty_form(cls, value: str | None) -> str | None:
        if value is not None and not PENALTY.match(value.strip()):
            raise ValueError("max_indictment must be 'life', '<N> years', '<N> months' or null")
        return value.strip() if value else value

    @field_validator("aliases", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return [] if value is None else value

    @property
    def citation(self) -> str:
        """`Modern Slavery Act 2015 s2`."""
        return f"{self.statute} {self.section}"

    def penalty_text(self) -> str:
        """The maximum sentence in one line, as the table gives it."""
        if self.trial == "summary-only":
            return f"summary only: {self.max_summary or 'not confirmed'}"
        parts = [f"{self.max_indictment or 'not confirmed'} on indictment"]
        if self.trial in ("either-way", "not-confirmed"):
            parts.append(f"{self.max_summary or 'not confirmed'} on summary conviction")
        return "; ".join(parts)


def phrasing_key(text: str) -> str:
    """Phrasings compare case- and space-insensitively."""
    return " ".join(text.casefold().split())


def load_units(
    root: Path, topics: dict[str, Topic]
) -> tuple[dict[str, list[Unit]], list[Problem]]:
    """Every `units/*.yaml`: units by topic id in file order, and the problems found.

    A topic with a units file needs at least six units (an error); a topic with no units file
    yet is a warning, so content can arrive topic by topic.
    """
    folder = root / UNITS_DIR
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    units: dict[str, list[Unit]] = {}
    problems: list[Problem] = []
    seen: dict[str, tuple[Path, int]] = {}
    for path in files:
        data, node, found = load_yaml(path)
        if found:
            problems.extend(found)
            continue
        try:
            frame = UnitsFile.model_validate(data)
        except ValidationError as exc:
            problems.extend(validation_problems(exc, path, node))
            continue
        line = node_line(node, ("topic",))
        topic = topics.get(frame.topic)
        if frame.topic != path.stem:
            problems.append(
                Problem(path, line, f"topic '{frame.topic}' differs from file name '{path.stem}'")
            )
            continue
        if topic is None:
            problems.append(Problem(path, line, f"unknown topic '{frame.topic}'"))
            continue
        urls = {s.url for s in topic.sources}
        ids: set[str] = set()
        kept: list[Unit] = []
        for n, row in enumerate(frame.units):
            try:
                unit = Unit.model_validate(row).model_copy(update={"topic": topic.id})
            except ValidationError as exc:
                problems.extend(validation_problems(exc, path, node, prefix=("units", n)))
                continue
            bad = _unit_problems(path, node, n, unit, urls, ids, seen)
            problems.extend(bad)
            ids.add(unit.id)
            if not bad:
                kept.append(unit)
        if len(frame.units) < MIN_UNITS:
            problems.append(
                Problem(
                    path,
                    node_line(node, ("units",)),
                    f"{len(frame.units)} units; every topic needs at least {MIN_UNITS}",
                )
            )
        units[topic.id] = kept
    stems = {path.stem for path in files}
    for topic_id in topics if folder.is_dir() else ():  # a base without units: nothing to miss
        if topic_id not in stems:
            problems.append(
                Problem(
                    folder / f"{topic_id}.yaml", 1, "no answer units for this topic yet", "warning"
                )
            )
    return units, problems


def _unit_problems(
    path: Path,
    node: Any,
    n: int,
    unit: Unit,
    urls: set[str],
    ids: set[str],
    seen: dict[str, tuple[Path, int]],
) -> list[Problem]:
    """A unit's id, source and phrasings against its file, its topic and the whole base."""
    problems = []
    if unit.id in ids:
        problems.append(
            Problem(path, node_line(node, ("units", n)), f"unit id '{unit.id}' repeated")
        )
    if unit.source not in urls:
        problems.append(
            Problem(
                path,
                node_line(node, ("units", n, "source")),
                f"unit '{unit.id}': source is not one of the topic's source urls",
            )
        )
    for m, phrasing in enumerate(unit.ask):
        key = phrasing_key(phrasing)
        at = node_line(node, ("units", n, "ask", m))
        if key in seen:
            other, other_line = seen[key]
            problems.append(
                Problem(
                    path,
                    at,
                    f"unit '{unit.id}': phrasing '{phrasing}' also in {other.name}:{other_line}",
                )
            )
        else:
            seen[key] = (path, at)
    return problems


def load_offences(root: Path, topics: dict[str, Topic]) -> tuple[list[Offence], list[Problem]]:
    """The offence table, checked against the topics; a missing file is a warning."""
    path = root / OFFENCES_FILE
    if not path.exists():
        missing = [Problem(path, 1, "offence table is missing", "warning")]
        return [], missing if (root / UNITS_DIR).is_dir() else []
    data, node, problems = load_yaml(path)
    if problems:
        return [], problems
    data = data or {}
    rows = data.get("offences") if isinstance(data, dict) else None
    if not isinstance(rows, list) or set(data) - {"offences"}:
        return [], [Problem(path, 1, "the file must hold one list: offences")]
    checked: list[Offence | None] = []
    for n, row in enumerate(rows):  # row by row, so one bad row hides no other problem
        try:
            checked.append(Offence.model_validate(row))
        except ValidationError as exc:
            problems.extend(validation_problems(exc, path, node, prefix=("offences", n)))
            checked.append(None)
    offences: list[Offence] = []
    ids: set[str] = set()
    cited: set[tuple[str, str]] = set()
    aliases: dict[str, str] = {}
    for n, offence in enumerate(checked):
        if offence is None:
            continue
        line = node_line(node, ("offences", n))
        bad = []
        if offence.id in ids:
            bad.append(f"offence id '{offence.id}' repeated")
        citation = (offence.statute.casefold(), offence.section)
        if citation in cited:
            bad.append(f"{offence.citation} is listed twice")
        topic = topics.get(offence.topic)
        if topic is None:
            bad.append(f"offence '{offence.id}': unknown topic '{offence.topic}'")
        elif offence.source not in {s.url for s in topic.sources}:
            bad.append(f"offence '{offence.id}': source is not one of {offence.topic}'s urls")
        if offence.trial == "summary-only" and offence.max_indictment is not None:
            bad.append(f"offence '{offence.id}': summary-only needs max_indictment: null")
        if offence.trial == "indictable-only" and offence.max_summary is not None:
            bad.append(f"offence '{offence.id}': indictable-only needs max_summary: null")
        if offence.trial != "summary-only" and offence.max_indictment is None:
            bad.append(f"offence '{offence.id}': {offence.trial} needs max_indictment")
        for alias in (offence.name, *offence.aliases):
            key = phrasing_key(alias)
            if aliases.get(key, offence.id) != offence.id:
                bad.append(f"offence '{offence.id}': name '{alias}' also names {aliases[key]}")
            aliases.setdefault(key, offence.id)
        problems.extend(Problem(path, line, message) for message in bad)
        ids.add(offence.id)
        cited.add(citation)
        if not bad:
            offences.append(offence)
    return offences, problems


def commencement_problems(
    root: Path, units: dict[str, list[Unit]], offences: list[Offence]
) -> list[Problem]:
    """A topic whose offence is not in force: its penalties, powers and points to prove say
    that commencement is not confirmed (the Crime and Policing Act 2026 offences)."""
    pending = {o.topic for o in offences if not o.in_force}
    problems = []
    for topic_id in sorted(pending):
        for unit in units.get(topic_id, ()):
            if unit.kind in ("penalty", "power", "necessary") and (
                "not confirmed" not in unit.answer.casefold()
            ):
                problems.append(
                    Problem(
                        root / UNITS_DIR / f"{topic_id}.yaml",
                        1,
                        f"unit '{unit.id}': the offence is not in force, so the answer must say "
                        "its commencement is not confirmed",
                    )
                )
    return problems
