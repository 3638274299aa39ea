"""Quiz rounds, cards and reminders on a real SQLite file and on PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.access.users import Access, Role, User
from bot.core.clock import local_day_start, now
from bot.core.knowledge.base import KnowledgeBase
from bot.core.quiz.bank import QuizBank
from bot.core.quiz.cohorts import CohortError, CohortMember, Cohorts
from bot.core.quiz.schedule import DAILY_REVIEWS, review
from bot.core.quiz.service import (
    Answered,
    QuizAnswer,
    QuizCard,
    QuizRound,
    QuizService,
    ReminderAction,
    Stale,
)
from bot.core.storage.db import open_database
from bot.core.storage.schema import MODELS
from tests.support import KNOWLEDGE

LONDON = ZoneInfo("Europe/London")
RECRUIT, OTHER, TRAINER = 501, 502, 503
ADMIN_ID = 999


@pytest.fixture(scope="module")
def bank() -> QuizBank:
    kb = KnowledgeBase.load(KNOWLEDGE)
    return QuizBank.load(KNOWLEDGE, kb)


@pytest.fixture
def quiz(db_url, bank):
    db = open_database(db_url, MODELS)
    for uid, name, role in [
        (RECRUIT, "Riley Recruit", Role.OFFICER),
        (OTHER, "Olly Other", Role.OFFICER),
        (TRAINER, "Tess Trainer", Role.TRAINER),
    ]:
        User.create(id=uid, name=name, role=role.value, active=True, enrolled_at=now())
    yield QuizService(bank, LONDON, seed=11)
    db.close()


def play(
    quiz: QuizService,
    user: int,
    right: list[bool],
    kind="quiz",
    category=None,
    when=None,
    topic=None,
):
    """Start a round and answer each question right or wrong; the last result."""
    started = quiz.start(user, kind, category, when=when, topic=topic)
    shown, result = started.first, None
    for ok in right:
        assert shown is not None
        choice = shown.answer if ok else (shown.answer + 1) % len(shown.order)
        result = quiz.answer(user, shown.round_id, shown.position, choice, when=when)
        assert isinstance(result, Answered) and result.correct == ok
        shown = result.next
    return started, result


def test_a_full_round_is_recorded_once(quiz: QuizService) -> None:
    started, last = play(quiz, RECRUIT, [True, False, True, True, False], category="legislation")
    assert started.first.category == "legislation" and not started.replaced
    assert last.next is None and last.score == 3 and last.kind == "quiz"
    round_ = QuizRound.get_by_id(started.first.round_id)
    assert (round_.status, round_.position, round_.score) == ("done", 5, 3)
    answers = list(QuizAnswer.select().order_by(QuizAnswer.position))
    assert [a.correct for a in answers] == [True, False, True, True, False]
    cards = quiz.cards(RECRUIT)
    assert len(cards) == 5 and sorted(c.box for c in cards.values()) == [1, 1, 1, 1, 1]
    assert sum(c.right for c in cards.values()) == 3
    assert all(quiz.bank.categories[q] == "legislation" for q in cards)


def test_stale_buttons_change_nothing(quiz: QuizService) -> None:
    old = quiz.start(RECRUIT, "quiz").first
    first = quiz.answer(RECRUIT, old.round_id, 0, old.answer)
    assert isinstance(first, Answered)
    assert quiz.answer(RECRUIT, old.round_id, 0, old.answer) is Stale.ANSWERED  # double tap
    assert quiz.answer(OTHER, old.round_id, 1, 0) is Stale.UNKNOWN  # someone else's round
    assert quiz.answer(RECRUIT, old.round_id, 1, 7) is Stale.INVALID
    new = quiz.start(RECRUIT, "quiz")
    assert new.replaced
    before = (QuizAnswer.select().count(), quiz.cards(RECRUIT))
    assert quiz.answer(RECRUIT, old.round_id, 1, 0) is Stale.REPLACED
    assert quiz.answer(RECRUIT, 999_999, 0, 0) is Stale.UNKNOWN
    assert (QuizAnswer.select().count(), quiz.cards(RECRUIT)) == before
    assert QuizRound.get_by_id(old.round_id).status == "replaced"
    assert quiz.cancel(RECRUIT) == (0, 0)
    assert quiz.answer(RECRUIT, new.first.round_id, 0, 0) is Stale.CANCELLED
    assert quiz.cancel(RECRUIT) is None
    assert (QuizAnswer.select().count(), quiz.cards(RECRUIT)) == before


def test_a_withdrawn_question_is_skipped(quiz: QuizService) -> None:
    shown = quiz.start(RECRUIT, "quiz").first
    round_ = QuizRound.get_by_id(shown.round_id)
    items = json.loads(round_.items)
    items[1][0] = "removed-by-a-curator"
    QuizRound.update(items=json.dumps(items)).where(QuizRound.id == round_.id).execute()
    result = quiz.answer(RECRUIT, shown.round_id, 0, shown.answer)
    assert result.next.position == 2  # straight past the withdrawn one
    assert QuizRound.get_by_id(shown.round_id).position == 2
    assert quiz.current(RECRUIT).question.id == items[2][0]
    items[2][0] = "withdrawn-while-waiting"  # and one withdrawn while it is on screen
    QuizRound.update(items=json.dumps(items)).where(QuizRound.id == round_.id).execute()
    stored = QuizAnswer.select().count()
    assert quiz.answer(RECRUIT, shown.round_id, 2, 0) is Stale.WITHDRAWN
    assert QuizAnswer.select().count() == stored
    assert quiz.current(RECRUIT).position == 3


def test_refresh_brings_mistakes_back_first_and_caps_the_day(quiz: QuizService) -> None:
    t0 = datetime(2026, 3, 2, 9, 0)
    _, _ = play(quiz, RECRUIT, [False, True, True, True, True], kind="refresh", when=t0)
    missed = [q for q, c in quiz.cards(RECRUIT).items() if c.right == 0]
    later = quiz.start(RECRUIT, "refresh", when=t0 + timedelta(minutes=5))
    assert later.first.question.id == missed[0]  # due at once, before any new question
    assert later.plan.due == 1 and later.replaced is False
    quiz.cancel(RECRUIT)

    # Back after a month: every question answered so far is overdue, 40 of them.
    for qid in list(quiz.bank.questions)[:40]:
        quiz._save_card(RECRUIT, qid, review(None, True, t0))
    back = t0 + timedelta(days=30)
    plan = quiz.start(RECRUIT, "refresh", when=back).plan
    assert plan.welcome_back and plan.held_back == plan.due - DAILY_REVIEWS
    seen = set(quiz.cards(RECRUIT))
    for n in range(DAILY_REVIEWS // 5):
        when = back + timedelta(minutes=n)
        started, _ = play(quiz, RECRUIT, [True] * 5, kind="refresh", when=when)
        asked = [q for q, _ in json.loads(QuizRound.get_by_id(started.first.round_id).items)]
        assert set(asked) <= seen  # catching up: no new questions yet
    done = quiz.start(RECRUIT, "refresh", when=back + timedelta(hours=1))
    assert done.first is None and done.plan.held_back > 0
    tomorrow = quiz.start(RECRUIT, "refresh", when=back + timedelta(days=1))
    assert tomorrow.first is not None


def test_the_daily_allowance_follows_uk_local_days() -> None:
    summer_evening = datetime(2026, 7, 1, 22, 30)  # 23:30 in London
    assert local_day_start(summer_evening, LONDON) == datetime(2026, 6, 30, 23, 0)
    winter = datetime(2026, 1, 15, 0, 30)
    assert local_day_start(winter, LONDON) == datetime(2026, 1, 15, 0, 0)


def test_progress_and_the_cohort(quiz: QuizService) -> None:
    play(quiz, RECRUIT, [False, False, True, True, True], category="indicators")
    play(quiz, OTHER, [True, True, True, True, True], category="background")
    progress = quiz.progress(RECRUIT)
    assert progress.answered == 5 and progress.due == 2
    assert progress.tallies["indicators"].learning == 5
    assert progress.tallies["legislation"].new == quiz.bank.count_by_category()["legislation"]
    assert progress.weakest and all(w.right < w.seen for w in progress.weakest)


def test_only_a_recent_round_waits_for_an_answer(quiz: QuizService) -> None:
    start = datetime(2026, 3, 2, 9, 0)
    assert quiz.waiting(RECRUIT, when=start) is None  # no round
    first = quiz.start(RECRUIT, "quiz", when=start).first
    assert quiz.waiting(RECRUIT, when=start + timedelta(minutes=29)) == first
    assert quiz.waiting(RECRUIT, when=start + timedelta(minutes=31)) is None  # left long ago
    quiz.answer(RECRUIT, first.round_id, 0, first.answer, when=start + timedelta(minutes=40))
    second = quiz.waiting(RECRUIT, when=start + timedelta(minutes=60))
    assert second is not None and second.position == 1  # an answer keeps the round current
    quiz.cancel(RECRUIT)
    assert quiz.waiting(RECRUIT, when=start + timedelta(minutes=61)) is None


def test_cohorts_enrol_through_a_trainers_invite_and_show_results(quiz: QuizService) -> None:
    access = Access(frozenset())
    cohorts = Cohorts(quiz.bank, access)
    code, _, cohort = cohorts.invite_recruit(TRAINER, False)
    assert cohort.name == "Tess Trainer recruits" and cohort.trainer_id == TRAINER
    assert access.enrol(code, 601, "Nia New", None).ok
    assert CohortMember.get_by_id(601).cohort_id == cohort.id
    _again, _, same = cohorts.invite_recruit(TRAINER, False)
    assert same.id == cohort.id  # the trainer's first cohort is the default
    with pytest.raises(CohortError):
        cohorts.invite_recruit(OTHER, False, "tess trainer recruits")  # not theirs

    cohorts.move(ADMIN_ID, True, str(RECRUIT), "Tess Trainer recruits")
    jetway = quiz.bank.in_topic("operation-jetway")
    for ok in [False, True, True]:
        play(quiz, RECRUIT, [ok, ok, ok], kind="topic", category=None, topic="operation-jetway")
    play(quiz, 601, [True, False, True], kind="topic", topic="operation-jetway")
    [view] = cohorts.views(TRAINER, False)
    rows = {r.name: r for r in view.recruits}
    assert set(rows) == {"Riley Recruit", "Nia New"}
    riley, nia = rows["Riley Recruit"], rows["Nia New"]
    assert (riley.answers, riley.right) == (3 * len(jetway), 2 * len(jetway))
    assert [w.topic for w in riley.weakest] == ["operation-jetway"]  # 9 answers behind it
    assert (nia.answers, nia.right, nia.weakest) == (3, 2, [])  # too few answers to judge
    assert [(w.topic, w.answers) for w in view.weakest] == [("operation-jetway", 12)]
    assert cohorts.views(OTHER, False) == []  # an officer is no trainer: nothing of theirs
    everyone = cohorts.views(ADMIN_ID, True)
    assert [v.name for v in everyone] == ["Tess Trainer recruits", "No cohort"]
    assert [r.name for r in everyone[1].recruits] == ["Olly Other"]


def test_reminders_are_claimed_once_a_day(quiz: QuizService) -> None:
    quiz.set_reminder(RECRUIT, RECRUIT, 7, 30)
    quiz.set_reminder(OTHER, OTHER, 18, 0)
    assert quiz.reminders() == [(RECRUIT, RECRUIT, 7, 30), (OTHER, OTHER, 18, 0)]
    morning = datetime(2026, 3, 2, 7, 30)
    action, nudge = quiz.claim_reminder(RECRUIT, 7, 30, when=morning)
    assert action is ReminderAction.SEND and (nudge.chat_id, nudge.due, nudge.new) == (
        RECRUIT,
        0,
        5,
    )
    assert quiz.claim_reminder(RECRUIT, 7, 30, when=morning)[0] is ReminderAction.SKIP
    assert quiz.claim_reminder(RECRUIT, 7, 30, when=morning + timedelta(days=1))[0] is (
        ReminderAction.SEND
    )
    assert quiz.claim_reminder(RECRUIT, 6, 0, when=morning)[0] is ReminderAction.SKIP  # old time
    quiz.set_reminder(RECRUIT, RECRUIT, 8, 15)
    assert quiz.reminder(RECRUIT) == (8, 15)
    User.update(active=False).where(User.id == OTHER).execute()
    assert quiz.claim_reminder(OTHER, 18, 0, when=morning)[0] is ReminderAction.DROP
    assert quiz.reminder(OTHER) is None
    assert quiz.clear_reminder(RECRUIT) and not quiz.clear_reminder(RECRUIT)
    assert quiz.claim_reminder(RECRUIT, 8, 15)[0] is ReminderAction.DROP
    assert QuizCard.select().count() == 0  # reminders never touch progress
