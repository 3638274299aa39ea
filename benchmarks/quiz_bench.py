"""Recruit refreshers: what a recruit waits for after a tap, and what a trainer waits for.

1. Tap to next question, whole stack: the real Application polls the Bot API stand-in
   in-process; 40 recruits each play a round, and every answer is timed from the tap being
   queued to the next question (or the score) arriving. Includes the SQLite write with
   synchronous=FULL.
2. /refresh for a recruit who has answered the whole bank (the plan reads every card).
3. /cohort over 300 recruits in one cohort who have each answered the whole bank once (a card
   and an answer for every question).
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from benchmarks.report import figure
from bot.core.access.users import Access, User
from bot.core.answers.evaluation import percentile
from bot.core.clock import now
from bot.core.quiz.bank import QuizBank
from bot.core.quiz.cohorts import Cohort, CohortMember, Cohorts
from bot.core.quiz.service import QuizAnswer, QuizCard, QuizRound, QuizService
from bot.core.services import load_knowledge
from bot.core.storage.db import open_database
from bot.core.storage.schema import MODELS
from tests.botapi import FakeBotAPI
from tests.support import KNOWLEDGE, settings_for, start_bot, stop_bot

RECRUITS = 40
COHORT = 300
TRAINER = 899_999


async def _taps(api: FakeBotAPI, db_url: str) -> list[float]:
    knowledge = load_knowledge(KNOWLEDGE)
    settings = settings_for(api, db_url, rate_limit_per_minute=100_000)
    app = await start_bot(settings, knowledge)
    recruits = list(range(800_000, 800_000 + RECRUITS))
    latencies: list[float] = []
    try:

        def enrol() -> None:
            User.insert_many(
                [
                    {"id": u, "name": "Bench", "role": "officer", "enrolled_at": now()}
                    for u in recruits
                ]
            ).execute()

        await app.bot_data["services"].store.run(enrol)
        mark = api.mark()
        for uid in recruits:
            api.send(uid, "/quiz all")
        questions = await api.wait("sendMessage", count=RECRUITS, after=mark, timeout=30)
        current = {int(q.params["chat_id"]): q for q in questions}
        rng = random.Random(1)
        for _ in range(5):
            for uid, question in current.items():
                data = question.buttons[rng.randrange(len(question.buttons))][1]
                mark = api.mark()
                start = time.monotonic()
                api.press(uid, question, data)
                [following] = await api.wait("sendMessage", chat_id=uid, after=mark, timeout=10)
                latencies.append((following.at - start) * 1000)
                current[uid] = following
    finally:
        await stop_bot(app)
    return latencies


def _service(db_url: str) -> QuizService:
    knowledge = load_knowledge(KNOWLEDGE)
    open_database(db_url, MODELS)
    return QuizService(QuizBank.cached(knowledge.kb), ZoneInfo("Europe/London"), seed=2)


def _fill_cohort(quiz: QuizService) -> None:
    people = list(range(900_000, 900_000 + COHORT))
    User.insert_many(
        [
            {"id": u, "name": f"Recruit {u}", "role": "officer", "enrolled_at": now()}
            for u in people
        ]
    ).execute()
    rng = random.Random(3)
    when = now() - timedelta(days=2)
    rows = [
        {
            "user_id": u,
            "question_id": q,
            "box": rng.randint(1, 5),
            "due": when + timedelta(days=rng.randint(0, 30)),
            "seen": (seen := rng.randint(1, 6)),
            "right": rng.randint(0, seen),
            "last": when,
        }
        for u in people
        for q in quiz.bank.questions
    ]
    cohort = Cohort.create(name="Bench", key="bench", trainer_id=TRAINER)
    CohortMember.insert_many([{"user_id": u, "cohort": cohort.id} for u in people]).execute()
    rounds = {
        u: QuizRound.create(user_id=u, kind="quiz", items="[]", status="done") for u in people
    }
    answers = [
        {
            "round": rounds[u].id,
            "position": n,
            "user_id": u,
            "question_id": q,
            "chosen": 0,
            "correct": rng.random() < 0.7,
            "at": when,
        }
        for u in people
        for n, q in enumerate(quiz.bank.questions)
    ]
    with QuizCard._meta.database.atomic():
        for start in range(0, len(rows), 500):
            QuizCard.insert_many(rows[start : start + 500]).execute()
        for start in range(0, len(answers), 500):
            QuizAnswer.insert_many(answers[start : start + 500]).execute()


def run() -> int:
    api = FakeBotAPI().start()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            taps = asyncio.run(_taps(api, f"sqlite:///{tmp}/taps.db"))
        finally:
            api.stop()
        quiz = _service(f"sqlite:///{tmp}/cohort.db")
        _fill_cohort(quiz)
        uid = 900_000
        refresh = []
        for _ in range(50):
            start = time.perf_counter()
            started = quiz.start(uid, "refresh")
            refresh.append((time.perf_counter() - start) * 1000)
            assert started.first is not None
        QuizRound.delete().where(QuizRound.status == "open").execute()
        cohorts = Cohorts(quiz.bank, Access(frozenset()))
        start = time.perf_counter()
        [view] = cohorts.views(TRAINER, False)
        cohort_ms = (time.perf_counter() - start) * 1000
        assert len(view.recruits) == COHORT and view.weakest
        QuizCard._meta.database.close()
    print(f"  {len(taps)} answers from {RECRUITS} recruits; cohort of {COHORT} x full bank")
    missed = figure("tap to next question p50, whole stack", percentile(taps, 50), "ms", 50, False)
    missed += figure(
        "tap to next question p99, whole stack", percentile(taps, 99), "ms", 150, False
    )
    missed += figure(
        "/refresh round with a full bank p99", percentile(refresh, 99), "ms", 50, False
    )
    missed += figure(f"/cohort over {COHORT} recruits", cohort_ms, "ms", 2000, False)
    return missed
