"""Indicators: tagging free text with the checklist items it mentions, and the safeguarding
steps that what was seen calls for. Both the field notes and the scene checklists use this,
so a note and a checklist about the same facts always give the same advice.

The checklists live on the indicator topics; the steps and their wording in
`knowledge/checks.yaml`, where curators can change them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.answers.text import normalise, rewrite, words
from bot.core.knowledge.base import KnowledgeBase
from bot.core.knowledge.problems import Problem, load_yaml, node_line, validation_problems
from bot.core.knowledge.topics import Flag

Subject = Literal["child", "adult"]
CHECKS_FILE = "checks.yaml"


class ChecklistSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic: str
    subject: Subject
    title: str = Field(min_length=3, max_length=120)


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    flag: Flag | None = None
    subject: Subject | None = None


class StepRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    when: Condition = Field(default_factory=Condition)
    text: str = Field(min_length=10, max_length=400)
    topics: list[str] = Field(default_factory=list)


class ChecksFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checklists: dict[str, ChecklistSpec]
    subjects: dict[str, Subject] = Field(default_factory=dict)
    child_words: list[str] = Field(default_factory=list)
    adult_words: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    steps: list[StepRule] = Field(min_length=1)


@dataclass(frozen=True)
class Indicator:
    """One checklist item of one indicator topic; `tag` is how notes store it."""

    topic_id: str
    item_id: str
    label: str
    flags: tuple[str, ...]

    @property
    def tag(self) -> str:
        return f"{self.topic_id}#{self.item_id}"


@dataclass(frozen=True)
class Step:
    text: str
    topics: tuple[str, ...]


_SEVERAL = {
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "multiple",
    "loads",
    "lots",
    "numerous",
    "several",
}


# "Jayden Brown 14", "Jayden (14)", "Jayden Brown, 14,": an age written bare after a name.
# Not after the words that number places and things ("Flat 14", "Platform 2", "Route 66").
_BARE_AGE = re.compile(
    r"\b((?:[A-Z][a-z'’-]+)(?:\s+[A-Z][a-z'’-]+){0,2})\s*[,(]?\s*(\d{1,2})\b\s*\)?"
    r"(?![:.,]?\d|\s*(?:%|am|pm|st|nd|rd|th|k|x|quid|pounds?|grand|phones?|sims?|handsets?|"
    r"times|mins?|minutes?|hrs?|hours?|days?|weeks?|months?|miles?|km|metres?|people|men|"
    r"males?|females?|persons?|of)\b)"
)
_NOT_A_NAME = {
    "flat", "house", "road", "street", "st", "lane", "close", "walk", "way", "avenue", "ave",
    "court", "drive", "place", "square", "terrace", "gardens", "crescent", "grove", "block",
    "floor", "room", "unit", "apartment", "platform", "bus", "route", "junction", "gate",
    "bay", "door", "number", "no", "car", "van", "seat", "level", "stand", "exit", "zone",
    "ward", "cell", "suite", "bed", "page", "item", "section", "part", "schedule", "s",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "year", "age", "aged",
}  # fmt: skip


def bare_ages(text: str) -> list[int]:
    """Ages written as a bare number after a capitalised name (what `rewrite` cannot know)."""
    ages = []
    for match in _BARE_AGE.finditer(text):
        if match.group(1).split()[-1].casefold() in _NOT_A_NAME:
            continue
        age = int(match.group(2))
        if 8 <= age <= 99:
            ages.append(age)
    return ages


def _form(word: str) -> str:
    """A word as tagging compares it: counts above one are "several", plurals singular.

    Deliberately not a stemmer: stems join words that mean different things at a scene
    ("plugging" and a phone "plugged in", "banking" and "bank card").
    """
    if word in _SEVERAL or (word.isdigit() and 1 < int(word) < 1000):
        return "several"
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(_form(w) for w in words(rewrite(normalise(text))))


def _by_first(phrases: list[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    """Phrases (none empty) by their first word."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        index.setdefault(phrase[0], []).append(phrase)
    return index


class Indicators:
    """The indicator checklists of a knowledge base and the rules of checks.yaml."""

    def __init__(self, kb: KnowledgeBase, spec: ChecksFile) -> None:
        self.kb = kb
        self.spec = spec
        self.by_tag: dict[str, Indicator] = {}
        self._terms: dict[str, list[tuple[tuple[str, ...], Indicator]]] = {}
        for topic in kb.topics.values():
            for item in topic.checklist:
                indicator = Indicator(topic.id, item.id, item.label, tuple(item.flags))
                self.by_tag[indicator.tag] = indicator
                for term in item.terms:
                    phrase = _phrase(term)
                    if phrase:
                        self._terms.setdefault(phrase[0], []).append((phrase, indicator))
        self._child = [p for p in map(_phrase, spec.child_words) if p] + [("child",)]
        self._ignore = [p for p in map(_phrase, spec.ignore) if p]
        self._adult = [p for p in map(_phrase, spec.adult_words) if p]
        # The same words by their first word: `subjects` reads them for many questions.
        self._said: dict[str, dict[str, list[tuple[str, ...]]]] = {
            name: _by_first(phrases)
            for name, phrases in (("child", self._child), ("adult", self._adult))
        }

    @classmethod
    def load(cls, root: Path, kb: KnowledgeBase) -> tuple[Indicators | None, list[Problem]]:
        path = root / CHECKS_FILE
        if not path.exists():
            return None, [Problem(path, 1, "checks file is missing")]
        data, node, problems = load_yaml(path)
        if problems:
            return None, problems
        try:
            spec = ChecksFile.model_validate(data)
        except ValidationError as exc:
            return None, validation_problems(exc, path, node)
        problems = _cross_problems(path, node, spec, kb)
        return (cls(kb, spec) if not problems else None), problems

    def checklist(self, name: str) -> tuple[ChecklistSpec, list[Indicator]] | None:
        """The spec and tappable items of `/check <name>`."""
        spec = self.spec.checklists.get(name)
        if spec is None:
            return None
        topic = self.kb.topics[spec.topic]
        return spec, [self.by_tag[f"{topic.id}#{item.id}"] for item in topic.checklist]

    def tag(self, text: str) -> list[Indicator]:
        """Checklist items whose terms the text mentions, in knowledge-base order."""
        found = self._spans(text)
        return [ind for tag, ind in self.by_tag.items() if tag in found]

    def tag_note(self, text: str) -> list[Indicator]:
        """`tag`, each thing the officer wrote counted once: where one phrase matches signs
        of several topics ("two phones" is a sign for children, adults and deal lines alike),
        the sign of the checklist for whom the note is about is kept, then one of that person's
        other topics, then a sign for anyone, then the first."""
        spans = self._spans(text)
        found = [ind for tag, ind in self.by_tag.items() if tag in spans]
        subjects = self.subjects(text, found) or {"child", "adult"}

        def rank(indicator: Indicator) -> int:
            subject = self.spec.subjects.get(indicator.topic_id)
            if subject is None:
                return 2  # a sign for anyone (deal-line phones)
            if subject not in subjects:
                return 3
            listed = any(c.topic == indicator.topic_id for c in self.spec.checklists.values())
            return 0 if listed else 1

        kept: list[Indicator] = []
        taken: set[tuple[int, int]] = set()
        order = {ind.tag: n for n, ind in enumerate(found)}
        for indicator in sorted(found, key=lambda i: (rank(i), order[i.tag])):
            mine = spans.get(indicator.tag, set())
            if mine and mine <= taken:
                continue  # every phrase it matched already counted for a better-placed sign
            kept.append(indicator)
            taken |= mine
        return sorted(kept, key=lambda i: order[i.tag])

    def _spans(self, text: str) -> dict[str, set[tuple[int, int]]]:
        """For each tag, the word positions (start, end) of the phrases that matched it."""
        forms: list[str | None] = list(_phrase(text))
        for phrase in self._ignore:
            for i in range(len(forms) - len(phrase) + 1):
                if tuple(forms[i : i + len(phrase)]) == phrase:
                    forms[i : i + len(phrase)] = [None] * len(phrase)
        spans: dict[str, set[tuple[int, int]]] = {}
        for i, form in enumerate(forms):
            for phrase, indicator in self._terms.get(form, ()) if form else ():
                if tuple(forms[i : i + len(phrase)]) == phrase:
                    spans.setdefault(indicator.tag, set()).add((i, i + len(phrase)))
        return spans

    def subjects(self, text: str, indicators: list[Indicator]) -> set[str]:
        """Who the text is about: `child`, `adult`, both, or nobody can tell (empty).

        What the text says ("15yo", "the tenant") wins over what the indicators suggest,
        because a sign such as plugging is listed for children and adults alike.
        """
        forms = _phrase(text)

        def mentions(index: dict[str, list[tuple[str, ...]]]) -> bool:
            return any(
                forms[i : i + len(p)] == p
                for i, form in enumerate(forms)
                for p in index.get(form, ())
            )

        said = {name for name, index in self._said.items() if mentions(index)}
        said |= {"child" if age < 18 else "adult" for age in bare_ages(text)}
        if said:
            return said
        if any(i.topic_id not in self.spec.subjects for i in indicators):
            return set()  # a sign seen in children and adults alike: show both routes
        return {self.spec.subjects[i.topic_id] for i in indicators}

    def steps(self, indicators: list[Indicator], subjects: set[str]) -> list[Step]:
        """The steps what was seen calls for; with no known subject, child and adult steps."""
        flags = {flag for ind in indicators for flag in ind.flags}
        wanted = subjects or {"child", "adult"}
        steps = []
        for rule in self.spec.steps:
            if not indicators and (rule.when.flag or rule.when.subject):
                continue  # nothing seen: only the steps that always apply
            if rule.when.flag and rule.when.flag not in flags:
                continue
            if rule.when.subject and rule.when.subject not in wanted:
                continue
            steps.append(Step(" ".join(rule.text.split()), tuple(rule.topics)))
        return steps


def _cross_problems(
    path: Path, node: object, spec: ChecksFile, kb: KnowledgeBase
) -> list[Problem]:
    problems = []
    for name, checklist in spec.checklists.items():
        topic = kb.topics.get(checklist.topic)
        line = node_line(node, ("checklists", name, "topic"))
        if topic is None:
            problems.append(
                Problem(path, line, f"checklist '{name}': unknown topic '{checklist.topic}'")
            )
        elif not topic.checklist:
            problems.append(
                Problem(
                    path, line, f"checklist '{name}': topic '{topic.id}' has no checklist items"
                )
            )
    for topic_id in spec.subjects:
        if topic_id not in kb.topics:
            problems.append(
                Problem(
                    path, node_line(node, ("subjects", topic_id)), f"unknown topic '{topic_id}'"
                )
            )
    for n, rule in enumerate(spec.steps):
        for topic_id in rule.topics:
            if topic_id not in kb.topics:
                problems.append(
                    Problem(
                        path,
                        node_line(node, ("steps", n, "topics")),
                        f"step {n + 1}: unknown topic '{topic_id}'",
                    )
                )
    return problems


def check_indicators(root: Path, kb: KnowledgeBase) -> list[Problem]:
    """`kb check` validator for checks.yaml."""
    return Indicators.load(root, kb)[1]
