"""Mastery week by week, due today, and the trainer's view fitting one message: pure functions."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.quiz.cohorts import CohortView, RecruitRow, TopicStat, weakest
from bot.core.quiz.history import due_by_end_of_day, weekly
from bot.core.quiz.schedule import review
from bot.telegram.cohorts import MAX_CHARS, cohort_html

LONDON = ZoneInfo("Europe/London")
CATEGORIES = {"q1": "legislation", "q2": "legislation", "q3": "indicators"}


def test_weekly_mastery_replays_the_answers_through_the_leitner_rules() -> None:
    now = datetime(2026, 12, 1, 12, 0)  # a Tuesday
    start = datetime(2026, 10, 20, 9, 0)  # six weeks earlier, a Tuesday
    answers = []
    # q1 right on every review (1, 3 and 7 days apart): mastered after the fourth right answer
    when = start
    for gap in (0, 1, 3, 7):
        when += timedelta(days=gap)
        answers.append(("q1", True, when))
    mastered_at = when  # 11 days after the first answer
    # q2: same, but a mistake at the end sends it back
    answers += [("q2", True, start), ("q2", True, start + timedelta(days=1))]
    answers.append(("q2", False, start + timedelta(days=20)))
    answers.append(("q3", False, now - timedelta(hours=1)))
    result = weekly(answers, CATEGORIES, now, LONDON, weeks=8)

    assert result.weeks[-1] == datetime(2026, 11, 30).date()  # this week's Monday
    assert [w.weekday() for w in result.weeks] == [0] * 8
    legislation = result.mastered["legislation"]
    week_of_mastery = next(i for i, w in enumerate(result.weeks) if w > mastered_at.date()) - 1
    assert legislation[week_of_mastery - 1] == 0 and legislation[week_of_mastery] == 1
    assert legislation[-1] == 1 and result.mastered["indicators"] == [0] * 8
    assert sum(result.right) == 6 and sum(result.wrong) == 2
    assert result.wrong[-1] == 1  # q3, answered this week


def test_due_today_counts_what_comes_due_before_local_midnight() -> None:
    now = datetime(2026, 7, 1, 10, 0)  # 11:00 in London
    cards = {
        "q1": review(None, False, now - timedelta(hours=1)),  # due at once
        "q2": review(None, True, datetime(2026, 6, 30, 21, 0)),  # due 1 Jul 21:00 UTC = 22:00
        "q3": review(None, True, datetime(2026, 6, 30, 23, 30)),  # due 00:30 tomorrow, London
    }
    assert due_by_end_of_day(cards, CATEGORIES, now, LONDON) == {
        "background": 0,
        "indicators": 0,
        "safeguarding": 0,
        "legislation": 2,
    }


def test_weakest_topics_need_five_answers() -> None:
    topics = {"a": [4, 1], "b": [5, 4], "c": [9, 3], "d": [6, 6]}
    assert [(w.topic, w.answers) for w in weakest(topics)] == [("c", 9), ("b", 5)]


def test_a_full_cohort_fits_one_message() -> None:
    when = datetime(2026, 12, 1)
    stats = [TopicStat(f"topic-{n}", 9, 2) for n in range(3)]
    recruits = [
        RecruitRow(n, f"Recruit with a long name {n}", 50, 30, 10, 142, when, stats)
        for n in range(60)
    ]
    titles = {s.topic: "A rather long topic title that goes on " * 2 for s in stats}
    text = cohort_html(CohortView("Intake", "Tess", recruits, stats), titles, when)
    assert len(text) <= MAX_CHARS
    assert "more in /cohort export" in text and "… and 20 more" in text
    assert text.rstrip().endswith("(2 of 9)")  # the cohort's weakest topics are never cut
