"""Guided decisions at the scene: the `/refer` decision flow and the scene checklists' state.

The referral flow is data (`knowledge/referral.yaml`): questions whose answers lead to another
question or to an outcome, and outcomes that list referral routes in order, each naming its
contact as a knowledge topic gives it. Curators change the flow without code; `kb check` proves
every path still ends in an outcome, every node can be reached, nothing loops, and no route
names a contact or a number that its topic does not give.

A position in the flow is the string of answers taken from the start (one character each), and
a checklist's ticks are a bitmask, so both travel in Telegram's 64-byte callback data: no state
on the server, nothing lost on a restart, any instance of the bot can carry on.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.guided.indicators import CHECKS_FILE, ChecklistSpec, Indicator, Indicators
from bot.core.knowledge.base import KnowledgeBase
from bot.core.knowledge.problems import Problem, load_yaml, node_line, validation_problems
from bot.core.knowledge.topics import SLUG, Topic

REFERRAL_FILE = "referral.yaml"
CODES = "0123456789abcdefghijklmnopqrstuvwxyz"  # answer n of a question is CODES[n] in a path
MAX_ANSWERS = 6  # buttons under one question
MAX_DEPTH = 12  # questions on one path: a short flow, and the path must fit in callback data
MAX_OUTCOME_CHARS = 3400  # title and routes; the answers given and the caveat fill the rest
MAX_CHECKLIST_ITEMS = 30  # ticks are bits of one integer; a longer list is no use on a phone
MAX_CHECKLIST_NAME = 16

Level = Literal["error", "warning"]
NodeId = Annotated[str, Field(pattern=SLUG, max_length=40)]


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=40)  # the button
    next: NodeId | None = None  # a question or an outcome
    summary: str | None = Field(default=None, min_length=2, max_length=80)  # in "You answered"


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ask: str = Field(min_length=5, max_length=300)
    help: str | None = Field(default=None, min_length=5, max_length=400)
    topic: str | None = None  # a topic that helps to answer
    answers: list[Answer] = Field(default_factory=list, max_length=MAX_ANSWERS)


class Route(BaseModel):
    """One thing to do: `via` is the contact, form or power, exactly as `topic` names it."""

    model_config = ConfigDict(extra="forbid")

    via: str = Field(min_length=2, max_length=80)
    text: str = Field(min_length=10, max_length=500)
    topic: str


class Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3, max_length=120)
    routes: list[NodeId] = Field(min_length=1, max_length=12)


class ReferralFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: NodeId
    questions: dict[NodeId, Question] = Field(min_length=1)
    outcomes: dict[NodeId, Outcome] = Field(min_length=1)
    routes: dict[NodeId, Route] = Field(min_length=1)


@dataclass(frozen=True)
class Choice:
    question: Question
    answer: Answer

    @property
    def said(self) -> str:
        return self.answer.summary or self.answer.label


@dataclass(frozen=True)
class Position:
    """Where a path of answers leads: the next question, or the outcome it ends in."""

    path: str
    choices: tuple[Choice, ...]
    node: str
    question: Question | None = None
    outcome: Outcome | None = None


class Referral:
    """The loaded, checked flow of referral.yaml."""

    def __init__(self, spec: ReferralFile) -> None:
        self.spec = spec
        # Changes whenever the flow does, so a button from an older flow is recognised.
        self.version = f"{zlib.crc32(spec.model_dump_json().encode()) & 0xFFFF:04x}"

    @classmethod
    def load(cls, root: Path, kb: KnowledgeBase) -> tuple[Referral | None, list[Problem]]:
        path = root / REFERRAL_FILE
        if not path.exists():
            return None, [Problem(path, 1, "referral flow file is missing")]
        data, node, problems = load_yaml(path)
        if problems:
            return None, problems
        problems = _duplicate_keys(path, node)
        try:
            spec = ReferralFile.model_validate(data)
        except ValidationError as exc:
            return None, problems + validation_problems(exc, path, node)
        problems += _flow_problems(path, node, spec, kb)
        errors = [p for p in problems if p.level == "error"]
        return (cls(spec) if not errors else None), problems

    def walk(self, path: str) -> Position | None:
        """Follow a path of answer codes from the start; None if it leads nowhere."""
        node, choices = self.spec.start, []
        for code in path:
            question = self.spec.questions.get(node)
            index = CODES.find(code)
            if question is None or not 0 <= index < len(question.answers):
                return None
            answer = question.answers[index]
            choices.append(Choice(question, answer))
            node = answer.next or ""
        if node in self.spec.questions:
            return Position(path, tuple(choices), node, question=self.spec.questions[node])
        if node in self.spec.outcomes:
            return Position(path, tuple(choices), node, outcome=self.spec.outcomes[node])
        return None

    def first(self) -> Position:
        position = self.walk("")
        assert position is not None and position.question is not None  # checked at load
        return position

    def routes(self, outcome: Outcome) -> list[Route]:
        return [self.spec.routes[r] for r in outcome.routes]

    def paths(self) -> Iterator[str]:
        """Every path from the start to an outcome (the flow is checked to be acyclic)."""

        def walk(node: str, path: str) -> Iterator[str]:
            question = self.spec.questions.get(node)
            if question is None:
                yield path
                return
            for n, answer in enumerate(question.answers):
                yield from walk(answer.next or "", path + CODES[n])

        yield from walk(self.spec.start, "")


def _duplicate_keys(path: Path, node: yaml.Node | None) -> list[Problem]:
    """A repeated id silently replaces the first one in YAML; say so instead."""
    problems: list[Problem] = []
    if not isinstance(node, yaml.MappingNode):
        return problems
    for key, value in node.value:
        if key.value not in ("questions", "outcomes", "routes"):
            continue
        if not isinstance(value, yaml.MappingNode):
            continue
        seen: set[str] = set()
        for sub, _ in value.value:
            if sub.value in seen:
                problems.append(
                    Problem(path, sub.start_mark.line + 1, f"duplicate id '{sub.value}'")
                )
            seen.add(sub.value)
    return problems


def _flow_problems(
    path: Path, node: yaml.Node | None, spec: ReferralFile, kb: KnowledgeBase
) -> list[Problem]:
    problems: list[Problem] = []

    def add(loc: tuple, message: str, level: Level = "error") -> None:
        problems.append(Problem(path, node_line(node, loc), message, level))

    questions, outcomes = spec.questions, spec.outcomes
    for both in sorted(set(questions) & set(outcomes)):
        add(("outcomes", both), f"'{both}' is both a question and an outcome")
    if spec.start not in questions:
        add(("start",), f"start '{spec.start}' is not a question")

    for qid, question in questions.items():
        if question.topic is not None and question.topic not in kb.topics:
            add(("questions", qid, "topic"), f"question '{qid}': unknown topic '{question.topic}'")
        if not question.answers:
            add(("questions", qid), f"question '{qid}' has no answers: a path without an outcome")
        labels: set[str] = set()
        for n, answer in enumerate(question.answers):
            loc = ("questions", qid, "answers", n)
            if answer.label.casefold() in labels:
                add((*loc, "label"), f"question '{qid}': answer '{answer.label}' twice")
            labels.add(answer.label.casefold())
            if answer.next is None:
                add(
                    loc,
                    f"question '{qid}', answer '{answer.label}': no `next`, "
                    "a path without an outcome",
                )
            elif answer.next not in questions and answer.next not in outcomes:
                add(
                    (*loc, "next"),
                    f"question '{qid}', answer '{answer.label}': unknown node '{answer.next}'",
                )

    for oid, outcome in outcomes.items():
        size = len(outcome.title) + sum(
            len(spec.routes[r].via) + len(spec.routes[r].text) + 8
            for r in outcome.routes
            if r in spec.routes
        )
        if size > MAX_OUTCOME_CHARS:
            add(
                ("outcomes", oid),
                f"outcome '{oid}' is {size} characters; at most {MAX_OUTCOME_CHARS} fit in "
                "one message with the answers given",
            )
        seen: set[str] = set()
        for n, rid in enumerate(outcome.routes):
            if rid not in spec.routes:
                add(("outcomes", oid, "routes", n), f"outcome '{oid}': unknown route '{rid}'")
            elif rid in seen:
                add(("outcomes", oid, "routes", n), f"outcome '{oid}': route '{rid}' twice")
            seen.add(rid)

    for rid, route in spec.routes.items():
        topic = kb.topics.get(route.topic)
        if topic is None:
            add(("routes", rid, "topic"), f"route '{rid}': unknown topic '{route.topic}'")
            continue
        text = _topic_text(topic)
        if _norm(route.via) not in text:
            add(
                ("routes", rid, "via"),
                f"route '{rid}': '{route.via}' is not named so in topic '{topic.id}'",
            )
        for number in _numbers(f"{route.via} {route.text}"):
            if not re.search(rf"(?<!\d){re.escape(number)}(?!\d)", text):
                add(
                    ("routes", rid, "text"),
                    f"route '{rid}': '{number}' is not in topic '{topic.id}'",
                )

    _graph_problems(spec, add)
    return problems


def _graph_problems(spec: ReferralFile, add: Callable[..., None]) -> None:
    """Unreachable nodes, cycles and paths too long, found by one depth-first walk."""
    questions, outcomes = spec.questions, spec.outcomes
    reached: set[str] = set()
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    depth: dict[str, int] = {}

    def visit(qid: str) -> int:
        state[qid] = 1
        reached.add(qid)
        longest = 0
        for n, answer in enumerate(questions[qid].answers):
            nxt = answer.next
            if nxt in outcomes:
                reached.add(nxt)
            elif nxt in questions:
                if state.get(nxt) == 1:
                    add(
                        ("questions", qid, "answers", n, "next"),
                        f"question '{qid}', answer '{answer.label}' leads back to '{nxt}': "
                        "a cycle",
                    )
                    continue
                longest = max(longest, depth[nxt] if state.get(nxt) == 2 else visit(nxt))
        state[qid] = 2
        depth[qid] = longest + 1
        return depth[qid]

    if spec.start in questions and visit(spec.start) > MAX_DEPTH:
        add(("start",), f"a path asks over {MAX_DEPTH} questions: keep the flow short")
    for qid in questions:
        if qid not in reached:
            add(("questions", qid), f"question '{qid}' cannot be reached from the start")
    for oid in outcomes:
        if oid not in reached:
            add(("outcomes", oid), f"outcome '{oid}' cannot be reached from the start")
    used = {r for o in outcomes.values() for r in o.routes}
    for rid in spec.routes:
        if rid not in used:
            add(("routes", rid), f"route '{rid}' is not used by any outcome", "warning")


def _norm(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").casefold().split())


def _topic_text(topic: Topic) -> str:
    return _norm(" ".join([topic.title, topic.summary, topic.body, *topic.aliases]))


def _numbers(text: str) -> list[str]:
    """Numbers as written: "08000 121 700", "24/7", "72", "1989"."""
    return re.findall(r"\d+(?:[ /]\d+)*", text)


# -- scene checklists -------------------------------------------------------------------------


def checklist_version(items: list[Indicator]) -> str:
    """Changes when a checklist's items or their order change, so old ticks are not misread."""
    return f"{zlib.crc32('|'.join(i.tag for i in items).encode()) & 0xFFFF:04x}"


def ticked(items: list[Indicator], mask: int) -> list[Indicator]:
    return [item for n, item in enumerate(items) if mask >> n & 1]


def checklist_note_text(spec: ChecklistSpec, seen: list[Indicator]) -> str:
    """What a saved checklist says as a field note: who it is about and the signs seen, without
    the checklist's title, whose words ("cuckooed") would tag the note with signs not ticked."""
    return f"Scene checklist ({spec.subject}): " + "; ".join(i.label for i in seen) + "."


def check_checklist_fit(root: Path, kb: KnowledgeBase) -> list[Problem]:
    """Each `/check` list must fit Telegram: a short name and few enough items to tick."""
    indicators, problems = Indicators.load(root, kb)
    if indicators is None or problems:
        return []  # check_indicators reports these
    path = root / CHECKS_FILE
    _, node, _ = load_yaml(path)
    found = []
    for name in indicators.spec.checklists:
        loc = ("checklists", name)
        if not re.fullmatch(SLUG, name) or len(name) > MAX_CHECKLIST_NAME:
            found.append(
                Problem(
                    path,
                    node_line(node, loc),
                    f"checklist name '{name}': use [a-z0-9-], at most {MAX_CHECKLIST_NAME} "
                    "characters (it is typed after /check)",
                )
            )
        _, items = indicators.checklist(name) or (None, [])
        if len(items) > MAX_CHECKLIST_ITEMS:
            found.append(
                Problem(
                    path,
                    node_line(node, (*loc, "topic")),
                    f"checklist '{name}' has {len(items)} items; at most {MAX_CHECKLIST_ITEMS} "
                    "fit on a phone",
                )
            )
    return found


def check_guided(root: Path, kb: KnowledgeBase) -> list[Problem]:
    """`kb check` validator for referral.yaml and the checklists' fit on a phone."""
    return Referral.load(root, kb)[1] + check_checklist_fit(root, kb)
