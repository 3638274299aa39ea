"""The recruit refresher questions in `knowledge/quiz/*.yaml`: loading and `kb check` rules.

Each question is tied to a topic, and its category is that topic's category, so the bank
follows the knowledge base when a curator moves a topic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from rapidfuzz import fuzz, utils

from bot.core.knowledge.base import REQUIRED_FILE, KnowledgeBase, required_ids
from bot.core.knowledge.problems import Problem, load_yaml, node_line, validation_problems
from bot.core.knowledge.topics import SLUG

QUIZ_DIR = "quiz"
TRUE_FALSE = ("True", "False")
LETTERS = "ABCD"
NEAR_DUPLICATE = 90  # rapidfuzz token_set_ratio of two questions' wording
CUT = "cut off? (end with a full stop; quote text containing ' #', which YAML reads as a comment)"
QUESTION_MAX = 400  # read on a phone screen, with the options below it
OPTION_MAX = 160
WHY_MAX = 300
MIN_PER_REQUIRED = 3  # questions on every required topic, so a topic round is worth playing


def _one_line(value: str) -> str:
    return " ".join(value.split())


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=OPTION_MAX)
    why: str = Field(min_length=10, max_length=WHY_MAX)

    @field_validator("text", mode="before")
    @classmethod
    def _bool_is_text(cls, value: object) -> object:
        """`text: True` unquoted reads as a YAML boolean; a curator means the word."""
        return str(value) if isinstance(value, bool) else value

    @field_validator("text", "why")
    @classmethod
    def _squash(cls, value: str) -> str:
        return _one_line(value)


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=SLUG, max_length=40)
    topic: str = Field(min_length=1)
    type: Literal["single", "truefalse"]
    question: str = Field(min_length=10, max_length=QUESTION_MAX)
    options: list[Option] = Field(min_length=2, max_length=len(LETTERS))
    answer: int

    @field_validator("question")
    @classmethod
    def _squash(cls, value: str) -> str:
        return _one_line(value)

    @property
    def correct(self) -> Option:
        return self.options[self.answer]


class QuizFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questions: list[dict] = Field(min_length=1)


@dataclass
class QuizBank:
    """Valid questions by id (file order) with their category; invalid ones are left out."""

    questions: dict[str, Question] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)  # question id -> category
    problems: list[Problem] = field(default_factory=list)
    lines: dict[str, tuple[Path, int]] = field(default_factory=dict)  # where each one starts

    @classmethod
    def load(cls, root: Path, kb: KnowledgeBase) -> QuizBank:
        bank = cls()
        folder = root / QUIZ_DIR
        files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
        if not files:
            bank.problems.append(Problem(folder, 1, "no quiz files found"))
        seen_text: dict[str, str] = {}
        lines: dict[str, tuple[Path, int]] = {}
        for path in files:
            for question, line, problems in _read(path, kb):
                bank.problems.extend(problems)
                if question is None or problems:
                    continue
                key = _text_key(question.question)
                if question.id in bank.questions:
                    bank.problems.append(Problem(path, line, f"duplicate id '{question.id}'"))
                elif key in seen_text:
                    bank.problems.append(
                        Problem(path, line, f"{question.id}: same question as '{seen_text[key]}'")
                    )
                else:
                    seen_text[key] = question.id
                    bank.questions[question.id] = question
                    bank.categories[question.id] = kb.topics[question.topic].category
                    lines[question.id] = (path, line)
        bank.lines = lines
        return bank

    @classmethod
    def cached(cls, kb: KnowledgeBase) -> QuizBank:
        """The bank of a loaded knowledge base, read once: it never changes while running."""
        found = _cache.get(id(kb))
        if found is None or found[0] is not kb:
            found = _cache[id(kb)] = (kb, cls.load(kb.root, kb))
        return found[1]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    def in_category(self, category: str | None) -> list[str]:
        """Question ids of one category, or of all of them."""
        return [q for q, c in self.categories.items() if category in (None, c)]

    def in_topic(self, topic: str | None) -> list[str]:
        """Question ids on one topic."""
        return [q for q, question in self.questions.items() if question.topic == topic]

    def topic_category(self, topic: str | None) -> str | None:
        """The category of a topic that has questions (None if it has none)."""
        found = next(iter(self.in_topic(topic)), None)
        return self.categories[found] if found else None

    def topics(self) -> set[str]:
        """Topics with at least one question."""
        return {q.topic for q in self.questions.values()}

    def count_by_category(self, ids: Iterable[str] | None = None) -> dict[str, int]:
        counts: dict[str, int] = {}
        for qid in self.questions if ids is None else ids:
            if qid in self.categories:
                counts[self.categories[qid]] = counts.get(self.categories[qid], 0) + 1
        return counts


_cache: dict[int, tuple[KnowledgeBase, QuizBank]] = {}


def _near_duplicates(
    questions: dict[str, Question], lines: dict[str, tuple[Path, int]]
) -> list[Problem]:
    """Two writers asking the same thing in other words: the second one is reported."""
    ids = list(questions)
    texts = [utils.default_process(questions[q].question) for q in ids]
    problems = []
    for j in range(len(ids)):
        for i in range(j):
            if fuzz.token_set_ratio(texts[i], texts[j], score_cutoff=NEAR_DUPLICATE):
                path, line = lines[ids[j]]
                problems.append(
                    Problem(path, line, f"{ids[j]}: asks much the same as '{ids[i]}'", "warning")
                )
                break
    return problems


def _text_key(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


Read = tuple[Question | None, int, list[Problem]]


def _read(path: Path, kb: KnowledgeBase) -> list[Read]:
    """Each question of one file with the line it starts on and its own problems."""
    data, node, problems = load_yaml(path)
    if problems:
        return [(None, 1, problems)]
    try:
        QuizFile.model_validate(data)
    except ValidationError as exc:
        return [(None, 1, validation_problems(exc, path, node))]
    found: list[Read] = []
    for n, raw in enumerate(data["questions"]):
        loc = ("questions", n)
        line = node_line(node, loc)
        try:
            question = Question.model_validate(raw)
        except ValidationError as exc:
            problems = validation_problems(exc, path, node, prefix=loc)
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                head = f"questions.{n}."
                problems = [
                    Problem(p.path, p.line, f"{raw['id']}: {p.message.removeprefix(head)}")
                    for p in problems
                ]
            found.append((None, line, problems))
            continue
        found.append((question, line, _rules(path, node, loc, question, kb)))
    return found


def _rules(
    path: Path, node: object, loc: tuple, question: Question, kb: KnowledgeBase
) -> list[Problem]:
    """What pydantic cannot see on its own: cross-references and the shape of each type."""

    def problem(part: tuple, message: str) -> Problem:
        return Problem(path, node_line(node, loc + part), f"{question.id}: {message}")

    problems = []
    if question.topic not in kb.topics:
        problems.append(problem(("topic",), f"unknown topic '{question.topic}'"))
    count = len(question.options)
    if not 0 <= question.answer < count:
        problems.append(
            problem(("answer",), f"answer {question.answer} is out of range 0-{count - 1}")
        )
    if not question.question.endswith(("?", ".")):
        problems.append(
            problem(("question",), f"question ends '{question.question[-20:]}': {CUT}")
        )
    for n, option in enumerate(question.options):
        if not option.why.endswith((".", "!", "?")):
            problems.append(
                problem(("options", n, "why"), f"why ends '{option.why[-20:]}': {CUT}")
            )
    texts = [o.text for o in question.options]
    if question.type == "truefalse" and tuple(texts) != TRUE_FALSE:
        problems.append(problem(("options",), "true/false options must be exactly True, False"))
    if question.type == "single":
        if not 3 <= count <= 4:
            problems.append(problem(("options",), f"single choice needs 3-4 options, has {count}"))
        repeated = {t for t in texts if texts.count(t) > 1}
        if repeated:
            problems.append(problem(("options",), f"option repeated: '{sorted(repeated)[0]}'"))
    return problems


def check_quiz(root: Path, kb: KnowledgeBase) -> list[Problem]:
    """`kb check` validator for the quiz bank (near-duplicates too, which start-up skips)."""
    bank = QuizBank.load(root, kb)
    return (
        bank.problems + _near_duplicates(bank.questions, bank.lines) + _thin_topics(root, bank, kb)
    )


def _thin_topics(root: Path, bank: QuizBank, kb: KnowledgeBase) -> list[Problem]:
    """Every required topic needs `MIN_PER_REQUIRED` valid questions. A required id with no
    topic file yet is skipped: its absence is already an error of its own."""
    counts: dict[str, int] = {}
    for question in bank.questions.values():
        counts[question.topic] = counts.get(question.topic, 0) + 1
    return [
        Problem(
            root / REQUIRED_FILE,
            line,
            f"required topic '{rid}' has {counts.get(rid, 0)} quiz question"
            f"{'s' if counts.get(rid, 0) != 1 else ''}; it needs at least {MIN_PER_REQUIRED}",
        )
        for rid, line in required_ids(root).items()
        if rid in kb.topics and counts.get(rid, 0) < MIN_PER_REQUIRED
    ]
