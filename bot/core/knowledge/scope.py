"""What the bot covers (`knowledge/scope.yaml`): small talk, near misses and the covers line.

Small talk ("hi", "thanks", "help") is answered kindly and never counted as a knowledge gap;
a near miss (a policing subject outside the scope: burglary, drink driving, DASH, leave) is
refused rather than answered from whatever topic mentions it in passing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.answers.text import normalise, words
from bot.core.knowledge.problems import Problem, load_yaml, node_line, validation_problems

SCOPE_FILE = "scope.yaml"
Talk = Literal["greeting", "thanks", "help"]
DEFAULT_COVERS = (
    "I cover County Lines: indicators, safeguarding and referral routes, and the related law "
    "(plus recruit refreshers and field notes)."
)


class ScopeFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    covers: str = Field(min_length=10, max_length=300)
    small_talk: dict[Talk, list[str]] = Field(default_factory=dict)
    fillers: list[str] = Field(default_factory=list)
    replies: dict[Talk, str] = Field(default_factory=dict)
    near_misses: list[str] = Field(default_factory=list)
    vulnerable_words: list[str] = Field(default_factory=list)


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(words(re.sub(r"[^\w\s]", " ", normalise(text))))


def _contains(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tokens[i : i + n] == phrase for i in range(len(tokens) - n + 1))


def _by_first(phrases: list[tuple[str, ...]]) -> dict[str, list[tuple[int, tuple[str, ...]]]]:
    """Phrases by their first word, each with its place in the list (an empty one, which
    every text holds, under "")."""
    index: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
    for n, phrase in enumerate(phrases):
        index.setdefault(phrase[0] if phrase else "", []).append((n, phrase))
    return index


def _first_found(
    tokens: tuple[str, ...], index: dict[str, list[tuple[int, tuple[str, ...]]]]
) -> int:
    """The place of the first phrase in the list that `tokens` hold word for word, or -1.

    Only phrases starting with a word of the text are compared: every question is checked
    against every near miss, and scanning them all cost more than the check was worth."""
    first = index[""][0][0] if "" in index else -1
    for i, token in enumerate(tokens):
        for n, phrase in index.get(token, ()):
            if (first < 0 or n < first) and tokens[i : i + len(phrase)] == phrase:
                first = n
    return first


@dataclass
class Scope:
    covers: str
    talk: dict[str, list[tuple[str, ...]]]
    fillers: frozenset[str]
    replies: dict[str, str]
    near_misses: list[tuple[str, tuple[str, ...]]]  # (as written, tokens), longest first
    vulnerable: list[tuple[str, ...]]
    # Indexes of the lists above, made once: they are read for every question.
    _near_index: dict[str, list[tuple[int, tuple[str, ...]]]] = field(init=False, repr=False)
    _vulnerable_index: dict[str, list[tuple[int, tuple[str, ...]]]] = field(init=False, repr=False)
    _talk_sorted: dict[str, list[tuple[str, ...]]] = field(init=False, repr=False)
    _talk_first: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._near_index = _by_first([p for _, p in self.near_misses])
        self._vulnerable_index = _by_first(self.vulnerable)
        self._talk_sorted = {
            kind: sorted(phrases, key=len, reverse=True) for kind, phrases in self.talk.items()
        }
        self._talk_first = frozenset(p[0] for phrases in self.talk.values() for p in phrases if p)

    @classmethod
    def empty(cls) -> Scope:
        return cls(DEFAULT_COVERS, {}, frozenset(), {}, [], [])

    @classmethod
    def from_file(cls, spec: ScopeFile) -> Scope:
        near = [(" ".join(t.split()), _tokens(t)) for t in spec.near_misses]
        near.sort(key=lambda item: -len(item[1]))
        return cls(
            covers=" ".join(spec.covers.split()),
            talk={k: [p for p in map(_tokens, v) if p] for k, v in spec.small_talk.items()},
            fillers=frozenset(t for f in spec.fillers for t in _tokens(f)),
            replies={k: " ".join(v.split()) for k, v in spec.replies.items()},
            near_misses=[n for n in near if n[1]],
            vulnerable=[p for p in map(_tokens, spec.vulnerable_words) if p],
        )

    @classmethod
    def load(cls, root: Path) -> tuple[Scope, list[Problem]]:
        path = root / SCOPE_FILE
        if not path.exists():
            return cls.empty(), [Problem(path, 1, "scope file is missing", "warning")]
        data, node, problems = load_yaml(path)
        if problems:
            return cls.empty(), problems
        try:
            spec = ScopeFile.model_validate(data)
        except ValidationError as exc:
            return cls.empty(), validation_problems(exc, path, node)
        problems = [
            Problem(path, node_line(node, ("replies",)), f"no reply for small talk '{kind}'")
            for kind in spec.small_talk
            if kind not in spec.replies
        ]
        return cls.from_file(spec), problems

    def small_talk(self, text: str) -> str | None:
        """`greeting`, `thanks` or `help` when the message is nothing but small talk."""
        tokens = _tokens(text)
        # Words are only ever taken away below, so a phrase can match only if its first word
        # is one of the message's.
        if not tokens or len(tokens) > 8 or self._talk_first.isdisjoint(tokens):
            return None
        left = list(tokens)
        found: list[str] = []
        for kind in ("help", "thanks", "greeting"):
            for phrase in self._talk_sorted.get(kind, []):
                n = len(phrase)
                i = 0
                while i <= len(left) - n:
                    if tuple(left[i : i + n]) == phrase:
                        del left[i : i + n]
                        found.append(kind)
                    else:
                        i += 1
        if not found or any(t not in self.fillers for t in left):
            return None
        return found[0] if "help" not in found else "help"

    def near_miss(self, text: str) -> str | None:
        """The out-of-scope subject a question names, as written in scope.yaml."""
        found = _first_found(_tokens(text), self._near_index)
        return self.near_misses[found][0] if found >= 0 else None

    def near_miss_names(self, text: str, near: str, names: list[str]) -> bool:
        """Whether the near miss shares a word with one of `names` that the question quotes:
        "road closure order" is a road closure, not a closure order."""
        tokens, own = _tokens(text), set(_tokens(near))
        return any(
            len(name) >= 2 and _contains(tokens, name) and not own.isdisjoint(name)
            for name in map(_tokens, names)
        )

    def mentions_vulnerability(self, text: str) -> bool:
        return _first_found(_tokens(text), self._vulnerable_index) >= 0


def check_scope(root: Path, kb) -> list[Problem]:
    """`kb check` validator: the file itself, and near misses that are really in scope."""
    scope, problems = Scope.load(root)
    for topic in kb.topics.values():
        names = [topic.title, *topic.aliases, *topic.keywords]
        for written, phrase in scope.near_misses:
            if any(_contains(_tokens(n), phrase) for n in names):
                problems.append(
                    Problem(
                        root / SCOPE_FILE,
                        1,
                        f"near miss '{written}' is named by topic '{topic.id}'",
                        "warning",
                    )
                )
    return problems
