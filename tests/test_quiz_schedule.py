"""The spaced-repetition rules on their own: boxes, due dates, what a round asks, progress."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from bot.core.quiz.schedule import (
    DAILY_REVIEWS,
    INTERVALS,
    LONG_BREAK,
    MASTERED_BOX,
    Card,
    Tally,
    bar,
    is_due,
    plan_practice,
    plan_refresh,
    review,
    status,
    tally_by_category,
    weakest_topics,
)

T0 = datetime(2026, 3, 2, 8, 0)
DAY = timedelta(days=1)


def run(answers: list[bool], start: datetime = T0, wait_until_due: bool = True) -> Card:
    """A card after a series of answers, each given as soon as the card was due."""
    card, when = None, start
    for correct in answers:
        card = review(card, correct, when)
        when = card.due if wait_until_due else when + timedelta(hours=1)
    assert card is not None
    return card


def test_right_answers_climb_the_boxes_and_come_back_later_each_time() -> None:
    card = review(None, True, T0)
    assert (card.box, card.due) == (1, T0 + INTERVALS[1])
    gaps = []
    for _ in range(5):
        before = card
        card = review(card, True, card.due)
        gaps.append(card.due - before.due)
    assert card.box == 5  # the top box holds
    assert gaps == sorted(gaps) and gaps[0] < gaps[-1]
    assert card.seen == 6 and card.right == 6


def test_a_mistake_goes_back_to_box_one_and_is_due_at_once() -> None:
    strong = run([True, True, True, True])
    assert strong.box == MASTERED_BOX
    when = strong.due + DAY
    missed = review(strong, False, when)
    assert missed.box == 1 and is_due(missed, when)
    assert missed.due < review(None, True, when).due  # sooner than any right answer
    assert (missed.seen, missed.right) == (5, 4)


def test_practice_before_the_due_date_earns_no_promotion() -> None:
    card = review(None, True, T0)  # box 1, due tomorrow
    crammed = review(card, True, T0 + timedelta(hours=2))
    assert (crammed.box, crammed.due) == (card.box, card.due)
    assert crammed.seen == 2 and crammed.last == T0 + timedelta(hours=2)
    wrong_early = review(card, False, T0 + timedelta(hours=2))
    assert wrong_early.box == 1 and is_due(wrong_early, T0 + timedelta(hours=2))


def test_lateness_is_never_punished() -> None:
    card = run([True, True])  # box 2
    months_late = card.due + timedelta(days=90)
    assert is_due(card, months_late) and card.box == 2
    assert review(card, True, months_late).box == 3


def test_status_new_learning_mastered() -> None:
    assert status(None) == "new" and status(Card()) == "new"
    assert status(run([True])) == "learning"
    assert status(run([True] * MASTERED_BOX)) == "mastered"
    assert status(run([True] * MASTERED_BOX + [False])) == "learning"


def test_refresh_serves_due_ones_first_weakest_first_then_new() -> None:
    pool = [f"q{i}" for i in range(20)]
    now = T0 + timedelta(days=40)
    cards = {
        "q1": Card(box=3, due=now - DAY, seen=3, right=3, last=T0),
        "q2": Card(box=1, due=now - timedelta(hours=1), seen=2, right=1, last=T0),
        "q3": Card(box=1, due=now - DAY, seen=1, right=0, last=T0),
        "q4": Card(box=4, due=now + DAY, seen=4, right=4, last=T0),  # not due
    }
    plan = plan_refresh(cards, pool, now, rng=random.Random(1))
    assert plan.questions[:3] == ["q3", "q2", "q1"]  # box 1 (longest overdue first), box 3
    assert len(plan.questions) == 5 and "q4" not in plan.questions
    assert all(cards.get(q) is None for q in plan.questions[3:])  # topped up with new ones
    assert (plan.due, plan.held_back, plan.new) == (3, 0, 16)


def test_a_long_break_comes_back_gently() -> None:
    pool = [f"q{i}" for i in range(60)]
    before = T0
    cards = {q: review(None, True, before) for q in pool[:40]}  # all due a day later
    back = before + LONG_BREAK + DAY
    plan = plan_refresh(cards, pool, back, rng=random.Random(1))
    assert plan.welcome_back and plan.due == 40
    assert plan.held_back == 40 - DAILY_REVIEWS  # capped, not all at once
    assert len(plan.questions) == 5 and all(q in cards for q in plan.questions)  # no new ones
    done_for_today = plan_refresh(cards, pool, back, reviewed_today=DAILY_REVIEWS)
    assert done_for_today.questions == [] and done_for_today.held_back == 40
    tomorrow = plan_refresh(cards, pool, back + DAY, reviewed_today=0)
    assert len(tomorrow.questions) == 5
    not_long = plan_refresh(cards, pool, before + 2 * DAY)
    assert not not_long.welcome_back


def test_all_caught_up_says_when_the_next_one_is_due() -> None:
    pool = ["a", "b"]
    cards = {"a": review(None, True, T0), "b": run([True, True])}
    plan = plan_refresh(cards, pool, T0 + timedelta(hours=1))
    assert plan.questions == [] and plan.due == 0
    assert plan.next_due == T0 + INTERVALS[1]


def test_practice_prefers_due_then_new_then_weakest_seen_longest_ago() -> None:
    pool = ["due", "new1", "weak-old", "weak-recent", "strong", "new2"]
    now = T0 + timedelta(days=3)
    cards = {
        "due": Card(box=2, due=now - DAY, seen=2, right=2, last=T0),
        "weak-old": Card(box=1, due=now + DAY, seen=1, right=0, last=T0),
        "weak-recent": Card(box=1, due=now + DAY, seen=1, right=0, last=now - DAY),
        "strong": Card(box=5, due=now + 30 * DAY, seen=5, right=5, last=T0),
    }
    picked = plan_practice(cards, pool, now, size=5, rng=random.Random(3))
    assert picked[0] == "due" and set(picked[1:3]) == {"new1", "new2"}
    assert picked[3:] == ["weak-old", "weak-recent"]
    assert len(plan_practice(cards, pool, now, size=3)) == 3


def test_tallies_and_weakest_topics() -> None:
    categories = {"a1": "law", "a2": "law", "b1": "signs", "b2": "signs", "c1": "signs"}
    topic_of = {"a1": "ta", "a2": "ta", "b1": "tb", "b2": "tb", "c1": "tc"}
    cards = {
        "a1": run([True] * MASTERED_BOX),
        "a2": run([True, False]),
        "b1": run([False, False, True], wait_until_due=False),
        "c1": run([True, True]),
    }
    tallies = tally_by_category(cards, categories, ["signs", "law", "empty"])
    assert list(tallies) == ["signs", "law", "empty"]
    assert (tallies["law"].mastered, tallies["law"].learning, tallies["law"].new) == (1, 1, 0)
    assert (tallies["signs"].mastered, tallies["signs"].learning, tallies["signs"].new) == (
        0,
        2,
        1,
    )
    weak = weakest_topics(cards.items(), topic_of)
    assert [w.topic for w in weak] == ["tb", "ta"]  # tc has no mistakes
    assert weak[0].accuracy < weak[1].accuracy
    healed = {**cards, "b1": run([False] + [True] * MASTERED_BOX)}
    assert "tb" not in [w.topic for w in weakest_topics(healed.items(), topic_of)]


def test_the_text_chart() -> None:
    assert bar(Tally(0, 0, 10)) == "··········"
    assert bar(Tally(5, 3, 2)) == "█████▒▒▒··"
    assert bar(Tally(0, 1, 99)) == "▒·········"  # any learning shows
    assert bar(Tally(0, 0, 0)) == "··········"
    assert all(len(bar(Tally(m, lr, 7))) == 10 for m in range(8) for lr in range(8))
