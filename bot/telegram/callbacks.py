"""Callback data: one typed codec for every kind of button, and the registry that routes them.

Each kind is a frozen dataclass with a `PREFIX`; its data is the prefix and its fields joined
by ":" (ids and codes, never text), always within Telegram's 64 bytes. `parse` never raises:
data from an old version of the bot, or forged, gives None and the handler says the button
has expired. The wire format is the one buttons already in officers' chats carry.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, ClassVar, TypeVar, get_type_hints

from telegram.constants import InlineKeyboardButtonLimit

MAX_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64
SEPARATOR = ":"
MAX_INT = 2**63 - 1  # a BIGINT column; larger numbers are not ours

B = TypeVar("B", bound="Button")
KINDS: dict[str, type[Button]] = {}  # prefix -> kind


@dataclasses.dataclass(frozen=True)
class Button:
    """A kind of button. Subclasses are frozen dataclasses of `str` and `int` fields. Fields
    with a default may be missing from the end of the data; an optional "" is left off."""

    PREFIX: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        prefix = cls.__dict__.get("PREFIX")
        if not prefix:
            return
        if prefix in KINDS:
            raise ValueError(f"callback prefix {prefix!r} used by {KINDS[prefix].__name__} too")
        if not re.fullmatch(r"[a-z]+(:[a-z]+)*", prefix):
            raise ValueError(f"callback prefix {prefix!r}: lower-case letters and ':' only")
        KINDS[prefix] = cls

    def pack(self) -> str:
        """The callback data; a value with ":" or data over 64 bytes is a bug in the caller."""
        data = self._data()
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    def fits(self) -> bool:
        """Whether the data fits Telegram's 64 bytes (for a button with an optional detail)."""
        return len(self._data().encode()) <= MAX_BYTES

    def _data(self) -> str:
        parts = [self.PREFIX]
        fields = dataclasses.fields(self)
        values = [getattr(self, f.name) for f in fields]
        while values and values[-1] == "" and fields[len(values) - 1].default == "":
            values.pop()  # optional parts not given are left off the end
        for value in values:
            text = str(value)
            if SEPARATOR in text:
                raise ValueError(f"{type(self).__name__}: {SEPARATOR!r} in {text!r}")
            parts.append(text)
        return SEPARATOR.join(parts)

    @classmethod
    def parse(cls: type[B], data: str | None) -> B | None:
        """This kind's button from `data`, or None for anything else (never raises)."""
        if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
            return None
        head = cls.PREFIX + SEPARATOR
        if data == cls.PREFIX:
            rest: list[str] = []
        elif data.startswith(head):
            rest = data[len(head) :].split(SEPARATOR)
        else:
            return None
        fields = dataclasses.fields(cls)
        required = sum(
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            for f in fields
        )
        if not required <= len(rest) <= len(fields):
            return None
        hints = _hints(cls)
        values: dict[str, object] = {}
        for f, text in zip(fields, rest, strict=False):
            if hints[f.name] is int:
                if not text.isascii() or not text.isdecimal() or len(text) > 19:
                    return None
                number = int(text)
                if number > MAX_INT:
                    return None
                values[f.name] = number
            else:
                values[f.name] = text
        try:
            return cls(**values)
        except (TypeError, ValueError):
            return None


_HINTS: dict[type, dict[str, type]] = {}


def _hints(cls: type) -> dict[str, type]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def route(*kinds: type[Button]) -> str:
    """The pattern a CallbackQueryHandler routes these kinds on: the first part of their
    prefixes, so a feature's handler also gets its own stale or tampered buttons to explain."""
    heads = sorted({k.PREFIX.split(SEPARATOR)[0] for k in kinds})
    return rf"^({'|'.join(map(re.escape, heads))})({SEPARATOR}|$)"


def parse(data: str | None) -> Button | None:
    """Any kind's button: the longest matching prefix decides (never raises)."""
    if not isinstance(data, str):
        return None
    for prefix in sorted(KINDS, key=len, reverse=True):
        if data == prefix or data.startswith(prefix + SEPARATOR):
            found = KINDS[prefix].parse(data)
            if found is not None:
                return found
    return None


# -- the kinds of button -------------------------------------------------------------------------
# A kind without fields of its own needs no decorator: it is its base dataclass with a prefix.
@dataclasses.dataclass(frozen=True)
class TopicButton(Button):
    """A button about one topic (its id: at most 60 characters)."""

    topic: str


class OpenTopic(TopicButton):
    PREFIX = "t"


class MoreDetail(TopicButton):
    PREFIX = "m"


class WrongAnswer(TopicButton):
    """ "Wrong answer?": the topic, or `<topic>#<unit>` for a first reply from one unit."""

    PREFIX = "w"


class QuizTopic(TopicButton):
    """A practice round on one topic."""

    PREFIX = "q:t"


class Browse(Button):
    PREFIX = "b"


@dataclasses.dataclass(frozen=True)
class Category(Button):
    PREFIX = "c"
    category: str


@dataclasses.dataclass(frozen=True)
class SkipReason(Button):
    """Skip giving a reason for a "Wrong answer?" report."""

    PREFIX = "fb:skip"
    report: int


@dataclasses.dataclass(frozen=True)
class NoteStep(Button):
    """A field note's flow: a choice at one step of one draft."""

    PREFIX = "n"
    token: str
    step: str
    value: str


QUIZ_INT = 2**31 - 1  # round ids and positions are INTEGER columns


@dataclasses.dataclass(frozen=True)
class QuizAnswer(Button):
    PREFIX = "q:a"
    round_id: int
    position: int
    choice: int

    def __post_init__(self) -> None:
        if max(self.round_id, self.position, self.choice) > QUIZ_INT:
            raise ValueError("not one of ours")


@dataclasses.dataclass(frozen=True)
class QuizStart(Button):
    """A practice round: a category, "all", or "menu" to choose one."""

    PREFIX = "q:s"
    category: str = "all"


class QuizRefresh(Button):
    PREFIX = "q:r"


class QuizProgress(Button):
    PREFIX = "q:p"


# Scene checklists and the referral route keep their state in their buttons.
@dataclasses.dataclass(frozen=True)
class Checklist(Button):
    """`ck:<list>` opens a list; with its version, the ticks (hex) and a tap: an item's number,
    done, cancel, note or edit."""

    PREFIX = "ck"
    name: str
    version: str = ""
    mask: str = ""
    action: str = ""


@dataclasses.dataclass(frozen=True)
class ReferStep(Button):
    """The referral route at `path` (answer codes) of flow `version`; "" is the start."""

    PREFIX = "rf"
    version: str
    path: str


class ReferCancel(Button):
    PREFIX = "rf:x"


# Shortcuts under a first reply: start the matching guided flow as a new message.
@dataclasses.dataclass(frozen=True)
class GoCheck(Button):
    PREFIX = "go:check"
    name: str


class GoRefer(Button):
    PREFIX = "go:refer"
