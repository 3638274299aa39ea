"""Recruit refreshers: quiz rounds, answers, Leitner cards and daily reminders.

Everything a round needs lives in the database (`QuizRound`, `QuizAnswer`, `QuizCard`,
`QuizReminder`), so a restart or a second bot instance loses nothing, and a button from an
old round is recognised as stale and changes nothing. The scheduling rules are in
`quiz_schedule`; the terminal chat runs the same rounds in memory with `LocalQuiz`.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from peewee import (
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    SmallIntegerField,
    TextField,
    fn,
)

from bot.core.access.users import User
from bot.core.clock import local_date, local_day_start, now
from bot.core.knowledge.topics import CATEGORIES
from bot.core.quiz.bank import LETTERS, Option, Question, QuizBank
from bot.core.quiz.schedule import (
    NEW,
    Card,
    Plan,
    Tally,
    TopicScore,
    is_due,
    plan_practice,
    plan_refresh,
    review,
    tally_by_category,
    weakest_topics,
)
from bot.core.storage.db import BaseModel, database, is_sqlite

TOPIC = "topic"  # the kind of a round on one topic; its questions say which topic
QUESTION_IDLE = timedelta(minutes=30)  # after this, typing "B" is no longer taken as an answer


class QuizRound(BaseModel):
    id = AutoField()
    user_id = BigIntegerField(index=True)
    kind = CharField(max_length=16)  # quiz | refresh | topic
    category = CharField(max_length=16, null=True)  # a topic round: that topic's category
    items = TextField()  # JSON [[question id, [option index shown as A, B, ...]], ...]
    position = IntegerField(default=0)  # the question waiting for an answer
    score = IntegerField(default=0)
    status = CharField(max_length=12, default="open", index=True)
    started_at = DateTimeField(default=now)
    finished_at = DateTimeField(null=True)


class QuizAnswer(BaseModel):
    id = AutoField()
    round = ForeignKeyField(QuizRound, on_delete="CASCADE")
    position = IntegerField()
    user_id = BigIntegerField(index=True)
    question_id = CharField(max_length=40)
    chosen = IntegerField()  # option index in the bank, not the letter shown
    correct = BooleanField()
    was_due = BooleanField(default=False)  # counts against the day's review allowance
    at = DateTimeField(default=now, index=True)

    class Meta:
        indexes = ((("round", "position"), True),)  # one answer per question of a round


class QuizCard(BaseModel):
    user_id = BigIntegerField()
    question_id = CharField(max_length=40)
    box = SmallIntegerField(default=0)
    due = DateTimeField(null=True)
    seen = IntegerField(default=0)
    right = IntegerField(default=0)
    last = DateTimeField(null=True)

    class Meta:
        primary_key = CompositeKey("user_id", "question_id")

    def card(self) -> Card:
        return Card(self.box, self.due, self.seen, self.right, self.last)


class QuizReminder(BaseModel):
    user_id = BigIntegerField(primary_key=True)
    chat_id = BigIntegerField()
    hour = SmallIntegerField()
    minute = SmallIntegerField()
    last_sent = DateField(null=True)  # local date; claiming it stops a second send that day
    updated_at = DateTimeField(default=now)


# -- a round, as the recruit sees it -----------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One question of a round, options in the order shown (A, B, ...)."""

    round_id: int | None
    position: int
    total: int
    question: Question
    category: str
    order: tuple[int, ...]  # shown position -> option index in the bank

    @property
    def options(self) -> list[Option]:
        return [self.question.options[i] for i in self.order]

    @property
    def answer(self) -> int:
        """Shown position of the correct option."""
        return self.order.index(self.question.answer)

    @property
    def letters(self) -> str:
        return LETTERS[: len(self.order)]


@dataclass(frozen=True)
class Answered:
    shown: Shown
    chosen: int  # shown position
    correct: bool
    score: int  # right answers in the round so far
    next: Shown | None  # None: the round is over
    kind: str = "quiz"  # quiz | refresh | topic, to offer another round of the same kind
    category: str | None = None
    topic: str | None = None  # a topic round's topic


class Stale(StrEnum):
    """Why an answer changed nothing."""

    UNKNOWN = "unknown"  # no such round, or someone else's
    ANSWERED = "answered"  # that question was already answered (a double tap)
    FINISHED = "finished"  # the round is over
    REPLACED = "replaced"  # a newer round was started
    CANCELLED = "cancelled"
    INVALID = "invalid"  # a choice the question does not have
    WITHDRAWN = "withdrawn"  # the question left the bank while the round was open


_CLOSED = {"done": Stale.FINISHED, "replaced": Stale.REPLACED, "cancelled": Stale.CANCELLED}


@dataclass(frozen=True)
class Started:
    first: Shown | None  # None: nothing to ask
    plan: Plan | None = None  # refresher rounds only
    replaced: bool = False  # an unfinished round was set aside


def option_order(question: Question, rng: random.Random) -> tuple[int, ...]:
    """Single-choice options are shuffled per round, so the answer is never "always B";
    True and False keep their order."""
    order = list(range(len(question.options)))
    if question.type == "single":
        rng.shuffle(order)
    return tuple(order)


def _pool(bank: QuizBank, kind: str, category: str | None, topic: str | None) -> list[str]:
    """The questions a practice round draws on: one topic's, or one category's (None: all)."""
    return bank.in_topic(topic) if kind == TOPIC else bank.in_category(category)


def _shown(bank: QuizBank, round_id: int | None, items: list, position: int) -> Shown:
    qid, order = items[position]
    return Shown(
        round_id, position, len(items), bank.questions[qid], bank.categories[qid], tuple(order)
    )


# -- progress and the trainer's view -------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    tallies: dict[str, Tally]  # by category, in CATEGORIES order
    weakest: list[TopicScore]
    due: int
    answered: int  # questions answered at least once
    next_due: datetime | None


@dataclass(frozen=True)
class Nudge:
    """A reminder to send: what the next refresher round holds."""

    chat_id: int
    due: int  # questions in it due for review
    new: int  # questions in it never answered


class ReminderAction(StrEnum):
    SEND = "send"
    SKIP = "skip"  # already sent today, the time was changed, or nothing to do
    DROP = "drop"  # the reminder was removed or the recruit's access revoked


def progress_of(bank: QuizBank, cards: dict[str, Card], when: datetime) -> Progress:
    cards = {q: c for q, c in cards.items() if q in bank.questions}
    topic_of = {q: bank.questions[q].topic for q in bank.questions}
    upcoming = [c.due for c in cards.values() if c.box and c.due and c.due > when]
    return Progress(
        tallies=tally_by_category(cards, bank.categories, CATEGORIES),
        weakest=weakest_topics(cards.items(), topic_of),
        due=sum(is_due(c, when) for c in cards.values()),
        answered=sum(c.seen > 0 for c in cards.values()),
        next_due=min(upcoming, default=None),
    )


# -- the database service -----------------------------------------------------------------------


def _write():
    """A write transaction; on SQLite take the write lock up front (no busy-snapshot races)."""
    db = database.obj
    return db.atomic("IMMEDIATE") if is_sqlite(db) else db.atomic()


class QuizService:
    """Rounds, answers, progress and reminders; every method runs on the database thread."""

    def __init__(self, bank: QuizBank, tz: ZoneInfo, seed: int | None = None) -> None:
        self.bank = bank
        self.tz = tz
        self.rng = random.Random(seed)

    # rounds ---------------------------------------------------------------------------------
    def cards(self, user_id: int) -> dict[str, Card]:
        return {
            c.question_id: c.card() for c in QuizCard.select().where(QuizCard.user_id == user_id)
        }

    def start(
        self,
        user_id: int,
        kind: str,
        category: str | None = None,
        when: datetime | None = None,
        topic: str | None = None,
    ) -> Started:
        """A new round (practice in a category or on one topic, or the due refresher); an open
        one is set aside."""
        when = when or now()
        if kind == TOPIC:
            category = self.bank.topic_category(topic)
        with _write():
            replaced = (
                QuizRound.update(status=Stale.REPLACED.value, finished_at=when)
                .where((QuizRound.user_id == user_id) & (QuizRound.status == "open"))
                .execute()
            )
            cards = self.cards(user_id)
            plan = None
            if kind == "refresh":
                plan = plan_refresh(
                    cards,
                    self.bank.in_category(None),
                    when,
                    self._reviewed_today(user_id, when),
                    rng=self.rng,
                )
                picked = plan.questions
            else:
                picked = plan_practice(
                    cards, _pool(self.bank, kind, category, topic), when, rng=self.rng
                )
            if not picked:
                return Started(None, plan, bool(replaced))
            items = [[q, list(option_order(self.bank.questions[q], self.rng))] for q in picked]
            round_ = QuizRound.create(
                user_id=user_id,
                kind=kind,
                category=category,
                items=json.dumps(items),
                started_at=when,
            )
        return Started(_shown(self.bank, round_.id, items, 0), plan, bool(replaced))

    def _reviewed_today(self, user_id: int, when: datetime) -> int:
        return (
            QuizAnswer.select()
            .where(
                (QuizAnswer.user_id == user_id)
                & (QuizAnswer.was_due == True)
                & (QuizAnswer.at >= local_day_start(when, self.tz))
            )
            .count()
        )

    def answer(
        self, user_id: int, round_id: int, position: int, choice: int, when: datetime | None = None
    ) -> Answered | Stale:
        """Record one answer, exactly once; anything but the open question changes nothing."""
        when = when or now()
        with _write():
            round_ = QuizRound.get_or_none(QuizRound.id == round_id)
            if round_ is None or round_.user_id != user_id:
                return Stale.UNKNOWN
            if round_.status != "open":
                return _CLOSED.get(round_.status, Stale.FINISHED)
            if round_.position != position:
                return Stale.ANSWERED
            items = json.loads(round_.items)
            qid, order = items[position]
            question = self.bank.questions.get(qid)
            if question is None:  # withdrawn from the bank since the round began
                self._next_shown(round_id, items, position, when)
                return Stale.WITHDRAWN
            if not 0 <= choice < len(order):
                return Stale.INVALID
            correct = order[choice] == question.answer
            last = position + 1 >= len(items)
            claimed = (
                QuizRound.update(
                    position=position + 1,
                    score=QuizRound.score + int(correct),
                    status="done" if last else "open",
                    finished_at=when if last else None,
                )
                .where(
                    (QuizRound.id == round_id)
                    & (QuizRound.status == "open")
                    & (QuizRound.position == position)
                )
                .execute()
            )
            if claimed != 1:
                return Stale.ANSWERED
            row = QuizCard.get_or_none(
                (QuizCard.user_id == user_id) & (QuizCard.question_id == qid)
            )
            card = row.card() if row else NEW
            QuizAnswer.create(
                round=round_id,
                position=position,
                user_id=user_id,
                question_id=qid,
                chosen=order[choice],
                correct=correct,
                was_due=is_due(card, when),
                at=when,
            )
            self._save_card(user_id, qid, review(card, correct, when))
        shown = _shown(self.bank, round_id, items, position)
        following = None if last else self._next_shown(round_id, items, position + 1, when)
        return Answered(
            shown,
            choice,
            correct,
            round_.score + int(correct),
            following,
            round_.kind,
            round_.category,
            question.topic if round_.kind == TOPIC else None,
        )

    def _next_shown(
        self, round_id: int, items: list, position: int, when: datetime
    ) -> Shown | None:
        """The question at `position`, or the next one still in the bank: a curator may have
        withdrawn one while the round was open (the round then moves past it)."""
        target = position
        while target < len(items) and items[target][0] not in self.bank.questions:
            target += 1
        if target != position:
            done = target >= len(items)
            with _write():
                QuizRound.update(
                    position=target,
                    status="done" if done else "open",
                    finished_at=when if done else None,
                ).where(
                    (QuizRound.id == round_id)
                    & (QuizRound.status == "open")
                    & (QuizRound.position == position)
                ).execute()
        if target >= len(items):
            return None
        return _shown(self.bank, round_id, items, target)

    def _save_card(self, user_id: int, qid: str, card: Card) -> None:
        values = {
            "box": card.box,
            "due": card.due,
            "seen": card.seen,
            "right": card.right,
            "last": card.last,
        }
        QuizCard.insert(user_id=user_id, question_id=qid, **values).on_conflict(
            conflict_target=[QuizCard.user_id, QuizCard.question_id],
            update={getattr(QuizCard, k): v for k, v in values.items()},
        ).execute()

    def current(self, user_id: int) -> Shown | None:
        """The open round's waiting question (to show it again)."""
        round_ = self._open(user_id)
        if round_ is None:
            return None
        return self._next_shown(round_.id, json.loads(round_.items), round_.position, now())

    def waiting(
        self, user_id: int, idle: timedelta = QUESTION_IDLE, when: datetime | None = None
    ) -> Shown | None:
        """The question the recruit is on, if their open round was started or answered within
        `idle`: a round left open for days does not capture what they type."""
        round_ = self._open(user_id)
        if round_ is None:
            return None
        answered = (
            QuizAnswer.select(fn.MAX(QuizAnswer.at)).where(QuizAnswer.round == round_.id).scalar()
        )
        if (when or now()) - max(round_.started_at, answered or round_.started_at) > idle:
            return None
        return self._next_shown(round_.id, json.loads(round_.items), round_.position, now())

    def _open(self, user_id: int) -> QuizRound | None:
        return (
            QuizRound.select()
            .where((QuizRound.user_id == user_id) & (QuizRound.status == "open"))
            .order_by(QuizRound.id.desc())
            .first()
        )

    def cancel(self, user_id: int, when: datetime | None = None) -> tuple[int, int] | None:
        """End the open round: (questions answered, right) or None if there was none."""
        with _write():
            round_ = self._open(user_id)
            if round_ is None:
                return None
            QuizRound.update(status=Stale.CANCELLED.value, finished_at=when or now()).where(
                (QuizRound.user_id == user_id) & (QuizRound.status == "open")
            ).execute()
        return round_.position, round_.score

    # progress ----------------------------------------------------------------------------------
    def progress(self, user_id: int, when: datetime | None = None) -> Progress:
        return progress_of(self.bank, self.cards(user_id), when or now())

    # reminders -------------------------------------------------------------------------------
    def set_reminder(self, user_id: int, chat_id: int, hour: int, minute: int) -> None:
        values = {"chat_id": chat_id, "hour": hour, "minute": minute, "last_sent": None}
        with _write():
            QuizReminder.insert(user_id=user_id, updated_at=now(), **values).on_conflict(
                conflict_target=[QuizReminder.user_id],
                update={
                    **{getattr(QuizReminder, k): v for k, v in values.items()},
                    QuizReminder.updated_at: now(),
                },
            ).execute()

    def clear_reminder(self, user_id: int) -> bool:
        with _write():
            return QuizReminder.delete().where(QuizReminder.user_id == user_id).execute() > 0

    def reminder(self, user_id: int) -> tuple[int, int] | None:
        row = QuizReminder.get_or_none(QuizReminder.user_id == user_id)
        return (row.hour, row.minute) if row else None

    def reminders(self) -> list[tuple[int, int, int, int]]:
        """(user id, chat id, hour, minute) of every reminder, for scheduling at start-up."""
        return [
            (r.user_id, r.chat_id, r.hour, r.minute)
            for r in QuizReminder.select().order_by(QuizReminder.user_id)
        ]

    def claim_reminder(
        self, user_id: int, hour: int, minute: int, when: datetime | None = None
    ) -> tuple[ReminderAction, Nudge | None]:
        """Whether today's reminder should go out from this instance, and what it says.

        The conditional update is the claim: with several bot instances on one database,
        only one of them sends it.
        """
        when = when or now()
        today = local_date(when, self.tz)
        with _write():
            row = QuizReminder.get_or_none(QuizReminder.user_id == user_id)
            if row is None:
                return ReminderAction.DROP, None
            if not User.select().where((User.id == user_id) & (User.active == True)).exists():
                row.delete_instance()
                return ReminderAction.DROP, None
            if (row.hour, row.minute) != (hour, minute):
                return ReminderAction.SKIP, None  # an old schedule; the new one sends it
            plan = plan_refresh(
                self.cards(user_id),
                self.bank.in_category(None),
                when,
                self._reviewed_today(user_id, when),
                rng=random.Random(0),
            )
            if not plan.questions:
                return ReminderAction.SKIP, None
            claimed = (
                QuizReminder.update(last_sent=today)
                .where(
                    (QuizReminder.user_id == user_id)
                    & (QuizReminder.last_sent.is_null() | (QuizReminder.last_sent < today))
                )
                .execute()
            )
        if claimed != 1:
            return ReminderAction.SKIP, None
        due = min(plan.due - plan.held_back, len(plan.questions))
        return ReminderAction.SEND, Nudge(row.chat_id, due, len(plan.questions) - due)


# -- the terminal chat's rounds, in memory -----------------------------------------------------


class LocalQuiz:
    """The same rounds for one person in the terminal chat; nothing outlives the session."""

    def __init__(self, bank: QuizBank, seed: int | None = None) -> None:
        self.bank = bank
        self.rng = random.Random(seed)
        self.cards: dict[str, Card] = {}
        self.items: list = []
        self.position = 0
        self.score = 0
        self.kind: str = "quiz"
        self.category: str | None = None
        self.topic: str | None = None

    @property
    def active(self) -> bool:
        return self.position < len(self.items)

    def start(
        self,
        kind: str,
        category: str | None = None,
        when: datetime | None = None,
        topic: str | None = None,
    ) -> Started:
        when = when or now()
        replaced = self.active
        if kind == TOPIC:
            category = self.bank.topic_category(topic)
        plan = None
        if kind == "refresh":
            plan = plan_refresh(self.cards, self.bank.in_category(None), when, rng=self.rng)
            picked = plan.questions
        else:
            pool = _pool(self.bank, kind, category, topic)
            picked = plan_practice(self.cards, pool, when, rng=self.rng)
        self.items = [[q, list(option_order(self.bank.questions[q], self.rng))] for q in picked]
        self.position = self.score = 0
        self.kind, self.category, self.topic = kind, category, topic if kind == TOPIC else None
        first = _shown(self.bank, None, self.items, 0) if picked else None
        return Started(first, plan, replaced)

    def answer(self, choice: int, when: datetime | None = None) -> Answered | Stale:
        if not self.active:
            return Stale.FINISHED
        shown = _shown(self.bank, None, self.items, self.position)
        if not 0 <= choice < len(shown.order):
            return Stale.INVALID
        correct = choice == shown.answer
        qid = self.items[self.position][0]
        self.cards[qid] = review(self.cards.get(qid), correct, when or now())
        self.score += int(correct)
        self.position += 1
        following = _shown(self.bank, None, self.items, self.position) if self.active else None
        return Answered(
            shown, choice, correct, self.score, following, self.kind, self.category, self.topic
        )

    def current(self) -> Shown | None:
        return _shown(self.bank, None, self.items, self.position) if self.active else None

    def cancel(self) -> bool:
        was = self.active
        self.items, self.position = [], 0
        return was

    def progress(self, when: datetime | None = None) -> Progress:
        return progress_of(self.bank, self.cards, when or now())


CATEGORY_WORDS = {
    "signs": "indicators",
    "indicator": "indicators",
    "referral": "safeguarding",
    "referrals": "safeguarding",
    "law": "legislation",
    "legal": "legislation",
    "powers": "legislation",
    "terms": "background",
}


def parse_category(text: str) -> str | None:
    """'legislation', 'Law', 'safe' -> a category id; None when nothing matches."""
    word = text.strip().casefold()
    if word in CATEGORY_WORDS:
        return CATEGORY_WORDS[word]
    matches = [c for c in CATEGORIES if len(word) >= 3 and c.startswith(word)]
    return matches[0] if len(matches) == 1 else None


def parse_letter(text: str, letters: Sequence[str] = LETTERS) -> int | None:
    """'b', 'B.', '(b)' or 'b)' -> 1; anything else None."""
    cleaned = text.strip().strip("().").upper()
    return letters.index(cleaned) if len(cleaned) == 1 and cleaned in letters else None
