"""Callback data: one typed codec per kind of button, one registry. Every kind, packed with the
largest values it can carry, fits Telegram's 64 bytes and parses back to itself; anything else
parses to None without raising."""

from __future__ import annotations

import dataclasses
import random
import string

import pytest

from bot.core.guided.flows import CODES, MAX_CHECKLIST_ITEMS, MAX_CHECKLIST_NAME, MAX_DEPTH
from bot.core.knowledge.topics import CATEGORIES
from bot.core.notes import drafts as notes_drafts
from bot.core.notes.log import CATEGORIES as NOTE_CATEGORIES
from bot.telegram import callbacks as cb
from bot.telegram import checks

TOPIC = "a" * 60  # Topic.id: at most 60 characters
VERSION = "ffff"  # checklist and referral versions: 4 hex digits
NOTE_VALUES = [*NOTE_CATEGORIES, "save", "edit", "cancel", "keep", notes_drafts.SKIP]
WORST: dict[type[cb.Button], cb.Button] = {
    cb.OpenTopic: cb.OpenTopic(TOPIC),
    cb.MoreDetail: cb.MoreDetail(TOPIC),
    cb.WrongAnswer: cb.WrongAnswer(TOPIC),
    cb.Browse: cb.Browse(),
    cb.Category: cb.Category(max(CATEGORIES, key=len)),
    cb.SkipReason: cb.SkipReason(cb.MAX_INT),
    cb.NoteStep: cb.NoteStep(
        "f" * 16, max(notes_drafts.STEPS, key=len), max(NOTE_VALUES, key=len)
    ),
    cb.QuizAnswer: cb.QuizAnswer(cb.QUIZ_INT, cb.QUIZ_INT, cb.QUIZ_INT),
    cb.QuizStart: cb.QuizStart(max([*CATEGORIES, "menu", "all"], key=len)),
    cb.QuizTopic: cb.QuizTopic(TOPIC),
    cb.QuizRefresh: cb.QuizRefresh(),
    cb.QuizProgress: cb.QuizProgress(),
    cb.Checklist: cb.Checklist(
        "c" * MAX_CHECKLIST_NAME,
        VERSION,
        f"{2**MAX_CHECKLIST_ITEMS - 1:x}",
        max([str(MAX_CHECKLIST_ITEMS - 1), checks.DONE, checks.NOTE], key=len),
    ),
    cb.ReferStep: cb.ReferStep(VERSION, CODES[-1] * MAX_DEPTH),
    cb.ReferCancel: cb.ReferCancel(),
    cb.GoCheck: cb.GoCheck("c" * MAX_CHECKLIST_NAME),
    cb.GoRefer: cb.GoRefer(),
}


def test_every_kind_has_a_worst_case_here() -> None:
    assert set(WORST) == set(cb.KINDS.values())


@pytest.mark.parametrize("kind", list(WORST), ids=lambda k: k.__name__)
def test_the_largest_button_of_each_kind_fits_and_parses_back(kind: type[cb.Button]) -> None:
    button = WORST[kind]
    data = button.pack()
    assert len(data.encode()) <= cb.MAX_BYTES, data
    assert kind.parse(data) == button
    assert cb.parse(data) == button  # the registry finds the same kind


def test_prefixes_are_unique_and_checked_when_a_kind_is_defined() -> None:
    assert len(cb.KINDS) == len(set(cb.KINDS))
    with pytest.raises(ValueError, match="used by"):

        @dataclasses.dataclass(frozen=True)
        class Clash(cb.Button):
            PREFIX = "t"
            topic: str

    assert cb.KINDS["t"] is cb.OpenTopic


def test_packing_what_does_not_fit_is_refused() -> None:
    assert not cb.OpenTopic("a" * 63).fits()
    with pytest.raises(ValueError, match="64 bytes"):
        cb.OpenTopic("a" * 63).pack()
    with pytest.raises(ValueError):
        cb.OpenTopic("a:b").pack()


def test_the_wire_format_is_the_one_buttons_in_chats_carry() -> None:
    assert cb.QuizStart("all").pack() == "q:s:all"
    assert cb.parse("q:s") == cb.QuizStart("all")
    assert cb.Checklist("child").pack() == "ck:child"
    assert cb.ReferStep("0a1b", "").pack() == "rf:0a1b:"
    assert cb.parse("rf:x") == cb.ReferCancel()
    assert cb.parse("n:tok:cat:child") == cb.NoteStep("tok", "cat", "child")


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        ":",
        "t",
        "q:a:1:2",
        "q:a:1:2:3:4",
        "q:a:-1:0:0",
        "q:a:1:2:x",
        f"q:a:{2**31}:0:0",
        "q:a:١:0:0",
        "fb:skip:" + "9" * 30,
        "b:extra",
        "zz:1",
        "x" * 65,
        "n:a:b",
        "ck",
        "rf",
        "é" * 40,
    ],
)
def test_malformed_data_parses_to_none(data: str | None) -> None:
    assert cb.parse(data) is None


def test_parse_never_raises_on_random_data() -> None:
    rng = random.Random(14)
    alphabet = string.ascii_letters + string.digits + ":-_#é١ "
    prefixes = list(cb.KINDS)
    for _ in range(5000):
        head = rng.choice(prefixes) + ":" if rng.random() < 0.8 else ""
        data = head + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 70)))
        found = cb.parse(data)
        assert found is None or found.pack() == data or cb.parse(found.pack()) == found
