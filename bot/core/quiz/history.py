"""A recruit's refresher history: past rounds, and mastery week by week.

Nothing new is stored for it. Rounds are the `QuizRound` rows (date, kind, category, score);
mastery at any past moment is found by replaying the recruit's `QuizAnswer` rows through the
same Leitner rules that built their cards (`quiz_schedule.review`), so the chart can never
disagree with the cards.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.clock import day_start, local_date, now
from bot.core.knowledge.topics import CATEGORIES
from bot.core.quiz.bank import QuizBank
from bot.core.quiz.schedule import Card, is_due, review, status
from bot.core.quiz.service import TOPIC, Progress, QuizAnswer, QuizRound, QuizService, progress_of
from bot.core.storage.db import tuples

TREND_WEEKS = 4  # the text's trend: mastered now against this many weeks ago
CHART_WEEKS = 8
RECENT_ROUNDS = 5
MASTERED_MEANS = (
    "Mastered = right every time it came back due, until it now returns only every two "
    "weeks or less often; a mistake brings it back to the start."
)


@dataclass(frozen=True)
class RoundSummary:
    """One finished or abandoned round, as /progress lists it."""

    started_at: datetime
    kind: str  # quiz | refresh | topic
    category: str | None
    topic: str | None
    score: int
    answered: int
    total: int


@dataclass(frozen=True)
class Weekly:
    """Mastered questions per category at the end of each week, and answers given in it."""

    weeks: list[date]  # the local Monday each week starts on, oldest first
    mastered: dict[str, list[int]]  # category -> count at the end of each week (now for this one)
    right: list[int]
    wrong: list[int]


@dataclass(frozen=True)
class Report:
    """Everything /progress shows."""

    progress: Progress
    due_today: dict[str, int]  # per category
    weekly: Weekly
    rounds: list[RoundSummary]

    def trend(self, category: str | None = None, weeks: int = TREND_WEEKS) -> int:
        """Mastered now minus mastered `weeks` weeks ago (one category, or all)."""
        series = [
            counts
            for c, counts in self.weekly.mastered.items()
            if category in (None, c) and counts
        ]
        back = max(0, len(self.weekly.weeks) - 1 - weeks)
        return sum(s[-1] - s[back] for s in series)


def progress_report(quiz: QuizService, user_id: int, when: datetime | None = None) -> Report:
    """Progress, due today, weekly mastery and recent rounds, read in one go."""
    when = when or now()
    cards = quiz.cards(user_id)
    bank = quiz.bank
    return Report(
        progress=progress_of(bank, cards, when),
        due_today=due_by_end_of_day(cards, bank.categories, when, quiz.tz),
        weekly=weekly(answers_of(user_id), bank.categories, when, quiz.tz),
        rounds=recent_rounds(bank, user_id),
    )


def recent_rounds(bank: QuizBank, user_id: int, limit: int = RECENT_ROUNDS) -> list[RoundSummary]:
    """The latest rounds with at least one answer, newest first."""
    rows = (
        QuizRound.select()
        .where((QuizRound.user_id == user_id) & (QuizRound.position > 0))
        .order_by(QuizRound.started_at.desc(), QuizRound.id.desc())
        .limit(limit)
    )
    return [_summary(bank, row) for row in rows]


def _summary(bank: QuizBank, row: QuizRound) -> RoundSummary:
    items = json.loads(row.items)
    topic = None
    if row.kind == TOPIC and items:  # every question of a topic round is on that topic
        first = bank.questions.get(items[0][0])
        topic = first.topic if first else None
    return RoundSummary(
        row.started_at, row.kind, row.category, topic, row.score, row.position, len(items)
    )


def answers_of(user_id: int) -> list[tuple[str, bool, datetime]]:
    """(question id, right, when) of every answer, oldest first."""
    rows = (
        QuizAnswer.select(QuizAnswer.question_id, QuizAnswer.correct, QuizAnswer.at)
        .where(QuizAnswer.user_id == user_id)
        .order_by(QuizAnswer.at, QuizAnswer.id)
    )
    return [(q, bool(c), at) for q, c, at in tuples(rows)]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly(
    answers: Iterable[tuple[str, bool, datetime]],
    categories: Mapping[str, str],
    when: datetime,
    tz: ZoneInfo,
    weeks: int = CHART_WEEKS,
) -> Weekly:
    """Replay the answers: mastered per category at each week's end, answers per week."""
    this_week = week_start(local_date(when, tz))
    starts = [this_week - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    ends = [day_start(s + timedelta(weeks=1), tz) for s in starts[:-1]] + [when]
    mastered = {c: [0] * weeks for c in CATEGORIES}
    right, wrong = [0] * weeks, [0] * weeks
    cards: dict[str, Card] = {}
    pending = sorted(answers, key=lambda a: a[2])
    n = 0
    for i, end in enumerate(ends):
        while n < len(pending) and pending[n][2] < end:
            qid, correct, at = pending[n]
            n += 1
            cards[qid] = review(cards.get(qid), correct, at)
            if at >= (ends[i - 1] if i else day_start(starts[0], tz)):
                (right if correct else wrong)[i] += 1
        for qid, card in cards.items():
            category = categories.get(qid)
            if category in mastered and status(card) == "mastered":
                mastered[category][i] += 1
    return Weekly(starts, mastered, right, wrong)


def due_by_end_of_day(
    cards: Mapping[str, Card], categories: Mapping[str, str], when: datetime, tz: ZoneInfo
) -> dict[str, int]:
    """Questions due now or later today (local day), per category."""
    tonight = day_start(local_date(when, tz) + timedelta(days=1), tz)
    due = {c: 0 for c in CATEGORIES}
    for qid, card in cards.items():
        category = categories.get(qid)
        if category in due and is_due(card, tonight - timedelta(microseconds=1)):
            due[category] += 1
    return due
