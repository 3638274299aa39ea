"""Spaced repetition for the refresher questions: Leitner boxes, due dates, what to ask next.

Pure functions of card states and the time, so the rules are unit-tested on their own; the
bot keeps the cards in the database and the terminal chat keeps them in memory.

The rules:
- a question answered right moves up one box and comes back later each time
  (1, 3, 7, 14, then 30 days); box 4 and above counts as mastered;
- a mistake sends it back to box 1, due again at once (the next round, never the same one);
- a right answer before the question is due (practice) changes nothing: no credit for cramming;
- a long break is handled gently: lateness is never punished, the due questions are served
  weakest first, at most `DAILY_REVIEWS` a day, and no new questions are added until the
  backlog is cleared.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

MAX_BOX = 5
MASTERED_BOX = 4
INTERVALS = {
    1: timedelta(days=1),
    2: timedelta(days=3),
    3: timedelta(days=7),
    4: timedelta(days=14),
    5: timedelta(days=30),
}
RETRY_AFTER = timedelta(0)
ROUND_SIZE = 5
DAILY_REVIEWS = 15  # three rounds of due questions a day at most
LONG_BREAK = timedelta(days=14)


@dataclass(frozen=True)
class Card:
    """One recruit's state for one question; box 0 means never answered."""

    box: int = 0
    due: datetime | None = None
    seen: int = 0
    right: int = 0
    last: datetime | None = None


NEW = Card()


def is_due(card: Card, now: datetime) -> bool:
    return card.box > 0 and card.due is not None and card.due <= now


def review(card: Card | None, correct: bool, now: datetime) -> Card:
    """The card after one answer."""
    card = card or NEW
    counted = replace(card, seen=card.seen + 1, right=card.right + int(correct), last=now)
    if not correct:
        return replace(counted, box=1, due=now + RETRY_AFTER)
    if card.box == 0 or is_due(card, now):
        box = min(card.box + 1, MAX_BOX)
        return replace(counted, box=box, due=now + INTERVALS[box])
    return counted  # right again before it was due: same box, same date


def status(card: Card | None) -> str:
    """mastered, learning or new (never answered)."""
    if card is None or card.box == 0:
        return "new"
    return "mastered" if card.box >= MASTERED_BOX else "learning"


@dataclass(frozen=True)
class Plan:
    """What a refresher round asks, and why, so the adapter can say so."""

    questions: list[str]
    due: int  # due questions in the pool, all of them
    held_back: int  # due, but over today's allowance: they wait for the next days
    new: int  # never-answered questions in the pool
    welcome_back: bool  # the first refresher after a long break
    next_due: datetime | None = None  # when something is next due, if nothing is now


def plan_refresh(
    cards: Mapping[str, Card],
    pool: Sequence[str],
    now: datetime,
    reviewed_today: int = 0,
    size: int = ROUND_SIZE,
    rng: random.Random | None = None,
) -> Plan:
    """Due questions first (lowest box, then longest overdue), then new ones.

    `reviewed_today` counts the due questions already answered today; past `DAILY_REVIEWS`
    the rest of a backlog waits, and new questions wait until the backlog is gone.
    """
    rng = rng or random.Random()
    due = sorted(
        (q for q in pool if q in cards and is_due(cards[q], now)),
        key=lambda q: (cards[q].box, cards[q].due),
    )
    allowance = max(0, DAILY_REVIEWS - reviewed_today)
    today = due[:allowance]
    held_back = len(due) - len(today)
    fresh = [q for q in pool if cards.get(q, NEW).box == 0]
    picked = today[:size]
    if not held_back and len(picked) < size:
        rng.shuffle(fresh)
        picked += fresh[: size - len(picked)]
    last = max((c.last for c in cards.values() if c.last), default=None)
    upcoming = [cards[q].due for q in pool if q in cards and cards[q].box and q not in due]
    return Plan(
        questions=picked,
        due=len(due),
        held_back=held_back,
        new=len(fresh),
        welcome_back=bool(due) and last is not None and now - last >= LONG_BREAK,
        next_due=min((d for d in upcoming if d), default=None),
    )


def plan_practice(
    cards: Mapping[str, Card],
    pool: Sequence[str],
    now: datetime,
    size: int = ROUND_SIZE,
    rng: random.Random | None = None,
) -> list[str]:
    """A practice round from `pool`: due ones, then new ones, then the weakest seen longest ago."""
    rng = rng or random.Random()
    order = list(pool)
    rng.shuffle(order)  # ties are broken at random, so two rounds are never the same

    def rank(q: str) -> tuple[int, int, float]:
        card = cards.get(q, NEW)
        if is_due(card, now):
            return (0, card.box, 0.0)
        if card.box == 0:
            return (1, 0, 0.0)
        return (2, card.box, card.last.timestamp() if card.last else 0.0)

    return sorted(order, key=rank)[:size]


@dataclass
class Tally:
    """Counts of mastered, learning and new questions (one category, or everything)."""

    mastered: int = 0
    learning: int = 0
    new: int = 0

    @property
    def total(self) -> int:
        return self.mastered + self.learning + self.new

    def add(self, card: Card | None) -> None:
        kind = status(card)
        setattr(self, kind, getattr(self, kind) + 1)


def tally_by_category(
    cards: Mapping[str, Card], categories: Mapping[str, str], order: Iterable[str]
) -> dict[str, Tally]:
    """mastered / learning / new per category (in `order`), over every question in the bank."""
    tallies = {c: Tally() for c in order}
    for qid, category in categories.items():
        tallies.setdefault(category, Tally()).add(cards.get(qid))
    return tallies


@dataclass
class TopicScore:
    topic: str
    seen: int = 0
    right: int = 0
    boxes: list[int] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Right answers with one right and one wrong imagined, so one answer is not 0% or 100%."""
        return (self.right + 1) / (self.seen + 2)


def weakest_topics(
    cards: Iterable[tuple[str, Card]], topic_of: Mapping[str, str], limit: int = 3
) -> list[TopicScore]:
    """Topics with mistakes that are not yet mastered, lowest accuracy first.

    `cards` are (question id, card) pairs, from one recruit or from a whole cohort.
    """
    scores: dict[str, TopicScore] = {}
    for qid, card in cards:
        topic = topic_of.get(qid)
        if topic is None or card.seen == 0:
            continue
        score = scores.setdefault(topic, TopicScore(topic))
        score.seen += card.seen
        score.right += card.right
        score.boxes.append(card.box)
    weak = [s for s in scores.values() if s.right < s.seen and min(s.boxes) < MASTERED_BOX]
    weak.sort(key=lambda s: (s.accuracy, sum(s.boxes) / len(s.boxes), s.topic))
    return weak[:limit]


def bar(tally: Tally, width: int = 10) -> str:
    """A small text chart: █ mastered, ▒ learning, · not seen yet."""
    if tally.total == 0:
        return "·" * width
    mastered = round(width * tally.mastered / tally.total)
    learning = round(width * (tally.mastered + tally.learning) / tally.total) - mastered
    if tally.learning and not learning and mastered + learning < width:
        learning = 1  # some learning always shows
    return "█" * mastered + "▒" * learning + "·" * (width - mastered - learning)
