"""Trainers' cohorts: who trains whom, and how each recruit is doing on the refreshers.

A cohort belongs to one trainer; a recruit is in at most one cohort. A trainer's invite for a
recruit carries a cohort (`CohortInvite`), and using it puts the recruit there (a hook run
inside the enrolment). Trainers see and manage only their own cohorts; admins see all, and
the recruits who are in none.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from peewee import (
    JOIN,
    AutoField,
    BigIntegerField,
    Case,
    CharField,
    DateTimeField,
    ForeignKeyField,
    fn,
)

from bot.core.access.users import Access, Invite, Role, User, audit, code_hash
from bot.core.clock import now
from bot.core.quiz.bank import QuizBank
from bot.core.quiz.schedule import MASTERED_BOX
from bot.core.quiz.service import QuizAnswer, QuizCard
from bot.core.storage.db import BaseModel, database, tuples

MIN_ANSWERS = 5  # a weakest topic is named only with at least this many answers behind it
WEAKEST = 3
NAME_MAX = 40
_NAME = re.compile(r"^[^\W_][\w .'&()-]*$")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run these as formulas


class Cohort(BaseModel):
    id = AutoField()
    name = CharField(max_length=NAME_MAX)
    key = CharField(max_length=NAME_MAX, unique=True)  # the name, case-folded: names are unique
    trainer_id = BigIntegerField(index=True)
    created_at = DateTimeField(default=now)


class CohortMember(BaseModel):
    user_id = BigIntegerField(primary_key=True)  # one cohort per recruit
    cohort = ForeignKeyField(Cohort, on_delete="CASCADE", index=True)
    added_at = DateTimeField(default=now)


class CohortInvite(BaseModel):
    code_hash = CharField(max_length=64, primary_key=True)  # Invite.code_hash
    cohort = ForeignKeyField(Cohort, on_delete="CASCADE")


class CohortError(ValueError):
    """A request that cannot be done, with the sentence to say why."""


@dataclass(frozen=True)
class TopicStat:
    topic: str
    answers: int
    right: int

    @property
    def accuracy(self) -> float:
        return self.right / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class RecruitRow:
    user_id: int
    name: str
    answers: int
    right: int
    mastered: int
    bank_size: int
    last_active: datetime | None
    weakest: list[TopicStat]

    @property
    def accuracy(self) -> float | None:
        return self.right / self.answers if self.answers else None

    @property
    def mastered_share(self) -> float:
        return self.mastered / self.bank_size if self.bank_size else 0.0


@dataclass(frozen=True)
class CohortView:
    name: str
    trainer: str
    recruits: list[RecruitRow] = field(default_factory=list)
    weakest: list[TopicStat] = field(default_factory=list)


def clean_name(text: str) -> str:
    name = " ".join(text.split())
    if not name or len(name) > NAME_MAX or not _NAME.match(name):
        raise CohortError(
            f"A cohort name is 1 to {NAME_MAX} letters, digits and spaces, for example "
            "<code>Intake March</code>."
        )
    return name


class Cohorts:
    """Every method runs on the database thread."""

    def __init__(self, bank: QuizBank, access: Access) -> None:
        self.bank = bank
        self.access = access
        access.on_enrol.append(self.join_from_invite)

    # who is where ---------------------------------------------------------------------------
    def create(self, trainer_id: int, name: str) -> Cohort:
        name = clean_name(name)
        with database.obj.atomic():
            if Cohort.select().where(Cohort.key == name.casefold()).exists():
                raise CohortError(f"There is already a cohort called {name}.")
            cohort = Cohort.create(name=name, key=name.casefold(), trainer_id=trainer_id)
            audit(trainer_id, "cohort-new", cohort.id, name)
        return cohort

    def default_for(self, trainer_id: int) -> Cohort:
        """The trainer's first cohort, created (named after them) if they have none."""
        found = (
            Cohort.select()
            .where(Cohort.trainer_id == trainer_id)
            .order_by(Cohort.created_at, Cohort.id)
            .first()
        )
        if found:
            return found
        user = User.get_or_none(User.id == trainer_id)
        base = f"{(user.name if user and user.name else 'Trainer')[:28]} recruits".strip()
        name, n = base, 1
        while Cohort.select().where(Cohort.key == name.casefold()).exists():
            n += 1
            name = f"{base} {n}"
        return Cohort.create(name=name, key=name.casefold(), trainer_id=trainer_id)

    def find(self, name: str, viewer: int, is_admin: bool) -> Cohort:
        cohort = Cohort.get_or_none(Cohort.key == " ".join(name.split()).casefold())
        if cohort is None or not (is_admin or cohort.trainer_id == viewer):
            raise CohortError("You have no cohort of that name. Send /cohort to see yours.")
        return cohort

    def invite_recruit(
        self, trainer_id: int, is_admin: bool, cohort_name: str | None = None
    ) -> tuple[str, datetime, Cohort]:
        """A one-time officer enrolment code that puts its user in the cohort."""
        with database.obj.atomic():
            cohort = (
                self.find(cohort_name, trainer_id, is_admin)
                if cohort_name
                else self.default_for(trainer_id)
            )
            code, expires = self.access.create_invite(trainer_id, Role.OFFICER)
            CohortInvite.create(code_hash=code_hash(code), cohort=cohort)
        return code, expires, cohort

    def join_from_invite(self, invite: Invite, user_id: int) -> None:
        """The enrolment hook: an invite made for a cohort puts the new recruit in it."""
        cohort_id = (
            CohortInvite.select(CohortInvite.cohort)
            .where(CohortInvite.code_hash == invite.code_hash)
            .scalar()
        )
        if cohort_id is not None:
            self._put(user_id, cohort_id)

    def _put(self, user_id: int, cohort_id: int) -> None:
        CohortMember.insert(user_id=user_id, cohort=cohort_id, added_at=now()).on_conflict(
            conflict_target=[CohortMember.user_id],
            update={CohortMember.cohort: cohort_id, CohortMember.added_at: now()},
        ).execute()

    def move(self, actor: int, is_admin: bool, who: str, cohort_name: str) -> tuple[User, Cohort]:
        """Put a recruit in another cohort: a trainer only between their own cohorts."""
        with database.obj.atomic():
            target = self.find(cohort_name, actor, is_admin)
            user = self.access.find(who)
            if user is None or not user.active:
                raise CohortError("No enrolled user matches that (numeric id or @username).")
            member = CohortMember.get_or_none(CohortMember.user_id == user.id)
            if not is_admin and (member is None or member.cohort.trainer_id != actor):
                raise CohortError("You can move only recruits who are in one of your cohorts.")
            self._put(user.id, target.id)
            audit(actor, "cohort-move", user.id, target.name)
        return user, target

    def visible(self, viewer: int, is_admin: bool) -> list[Cohort]:
        query = Cohort.select().order_by(Cohort.created_at, Cohort.id)
        if not is_admin:
            query = query.where(Cohort.trainer_id == viewer)
        return list(query)

    # how they are doing ----------------------------------------------------------------------
    def views(self, viewer: int, is_admin: bool) -> list[CohortView]:
        """Every cohort the viewer may see; for admins also the recruits in no cohort."""
        cohorts = self.visible(viewer, is_admin)
        members: dict[int, list[User]] = defaultdict(list)
        if cohorts:
            rows = (
                User.select(User, CohortMember.cohort.alias("cohort_id"))
                .join(CohortMember, on=(CohortMember.user_id == User.id))
                .where((User.active == True) & CohortMember.cohort.in_([c.id for c in cohorts]))
                .order_by(User.name)
                .objects()
            )
            for user in rows:
                members[user.cohort_id].append(user)  # type: ignore[attr-defined]  # the alias
        groups = [(c.name, c.trainer_id, members.get(c.id, [])) for c in cohorts]
        if is_admin:
            loose = list(
                User.select()
                .join(CohortMember, JOIN.LEFT_OUTER, on=(CohortMember.user_id == User.id))
                .where(
                    (User.active == True)
                    & (User.role == Role.OFFICER.value)
                    & CohortMember.user_id.is_null()
                )
                .order_by(User.name)
            )
            if loose:
                groups.append(("No cohort", 0, loose))
        everyone = [u.id for _, _, people in groups for u in people]
        stats = self._stats(everyone)
        trainers = {
            u.id: u.name or str(u.id)
            for u in User.select().where(User.id.in_([t for _, t, _ in groups if t]))
        }
        return [
            self._view(name, trainers.get(trainer, "") if trainer else "", people, stats)
            for name, trainer, people in groups
        ]

    def _stats(
        self, user_ids: list[int]
    ) -> dict[int, tuple[dict[str, list[int]], int, datetime | None]]:
        """Per user: answers and right answers per topic, mastered questions, last answer."""
        if not user_ids:
            return {}
        per_topic: dict[int, dict[str, list[int]]] = defaultdict(
            lambda: defaultdict(lambda: [0, 0])
        )
        last: dict[int, datetime] = {}
        right = fn.SUM(Case(None, [(QuizAnswer.correct == True, 1)], 0))
        rows = (
            QuizAnswer.select(
                QuizAnswer.user_id,
                QuizAnswer.question_id,
                fn.COUNT(QuizAnswer.id),
                right,
                fn.MAX(QuizAnswer.at),
            )
            .where(QuizAnswer.user_id.in_(user_ids))
            .group_by(QuizAnswer.user_id, QuizAnswer.question_id)
        )
        for uid, qid, count, good, at in tuples(rows):
            if at and (uid not in last or at > last[uid]):
                last[uid] = at
            question = self.bank.questions.get(qid)
            if question is None:  # withdrawn from the bank: not counted
                continue
            tally = per_topic[uid][question.topic]
            tally[0] += count
            tally[1] += int(good or 0)
        mastered: dict[int, int] = defaultdict(int)
        cards = QuizCard.select(QuizCard.user_id, QuizCard.question_id).where(
            QuizCard.user_id.in_(user_ids) & (QuizCard.box >= MASTERED_BOX)
        )
        for uid, qid in tuples(cards):
            if qid in self.bank.questions:
                mastered[uid] += 1
        return {u: (per_topic.get(u, {}), mastered.get(u, 0), last.get(u)) for u in user_ids}

    def _view(self, name: str, trainer: str, people: list[User], stats: dict) -> CohortView:
        rows = []
        together: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for user in people:
            topics, mastered, last = stats.get(user.id, ({}, 0, None))
            for topic, (count, good) in topics.items():
                together[topic][0] += count
                together[topic][1] += good
            rows.append(
                RecruitRow(
                    user.id,
                    user.name or str(user.id),
                    sum(c for c, _ in topics.values()),
                    sum(g for _, g in topics.values()),
                    mastered,
                    len(self.bank.questions),
                    last,
                    weakest(topics),
                )
            )
        return CohortView(name, trainer, rows, weakest(together))


def weakest(topics: dict[str, list[int]], limit: int = WEAKEST) -> list[TopicStat]:
    """Topics with at least `MIN_ANSWERS` answers and some wrong, lowest accuracy first."""
    stats = [
        TopicStat(topic, count, good)
        for topic, (count, good) in topics.items()
        if count >= MIN_ANSWERS and good < count
    ]
    stats.sort(key=lambda s: (s.accuracy, -s.answers, s.topic))
    return stats[:limit]


CSV_FIELDS = [
    "cohort",
    "trainer",
    "user_id",
    "name",
    "answers",
    "right",
    "accuracy_percent",
    "mastered",
    "bank_questions",
    "mastered_percent",
    "last_active_utc",
    "weakest_topics",
]


def to_csv(views: list[CohortView]) -> bytes:
    """One row per recruit; UTF-8 with a byte-order mark so spreadsheets read names right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for view in views:
        for r in view.recruits:
            writer.writerow(
                [
                    _cell(view.name),
                    _cell(view.trainer),
                    r.user_id,
                    _cell(r.name),
                    r.answers,
                    r.right,
                    "" if r.accuracy is None else round(100 * r.accuracy),
                    r.mastered,
                    r.bank_size,
                    round(100 * r.mastered_share),
                    f"{r.last_active:%Y-%m-%d %H:%M}" if r.last_active else "",
                    "; ".join(w.topic for w in r.weakest),
                ]
            )
    return out.getvalue().encode("utf-8-sig")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA) else text


def active_since(rows: list[RecruitRow], when: datetime, days: int = 7) -> int:
    return sum(1 for r in rows if r.last_active and r.last_active >= when - timedelta(days=days))
