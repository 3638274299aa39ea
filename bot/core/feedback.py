"""What the bot could not answer, and answers officers flagged as wrong: the curators' to-do list.

Unanswered questions are kept without the asker's id and with personal data redacted
(bot.core.redact): curators need the words, not the person. A report of a wrong answer keeps an
optional one-line reason (redacted the same way), and a key for the answer message it came from
(keyed by the adapter so it names no one) that makes a second tap file nothing. Both lists are
kept for GAPS_RETENTION_DAYS (90 by default) and purged daily (bot.core.storage.retention).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN, AutoField, CharField, DateTimeField, ForeignKeyField, TextField, fn

from bot.core.clock import now
from bot.core.redact import redact_personal
from bot.core.storage.db import BaseModel, database, tuples

MAX_KEPT = 500  # characters of a question worth keeping for curators
MAX_REASON = 300  # one line


class Gap(BaseModel):
    id = AutoField()
    text = TextField()
    key = CharField(max_length=200, index=True)  # normalised, so "NRM?" and "nrm" group
    at = DateTimeField(default=now, index=True)


class Feedback(BaseModel):
    id = AutoField()
    topic_id = CharField(max_length=80, index=True)
    question = TextField(default="")
    at = DateTimeField(default=now, index=True)


def _key(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())[:200]


def record_gap(text: str) -> None:
    text = redact_personal(text.strip()[:MAX_KEPT])
    if _key(text):
        Gap.create(text=text, key=_key(text))


def top_gaps(limit: int = 10) -> list[tuple[str, int]]:
    """Most frequent unanswered questions, newest wording shown."""
    rows = (
        Gap.select(Gap.key, fn.COUNT(Gap.id).alias("n"), fn.MAX(Gap.text).alias("text"))
        .group_by(Gap.key)
        .order_by(fn.COUNT(Gap.id).desc(), fn.MAX(Gap.at).desc())
        .limit(limit)
    )
    return [(text, n) for _, n, text in tuples(rows)]


class FeedbackDetail(BaseModel):
    feedback = ForeignKeyField(Feedback, primary_key=True, on_delete="CASCADE")
    message_key = CharField(max_length=64, unique=True)  # one report per answer message
    reason = TextField(null=True)
    reason_at = DateTimeField(null=True)


@dataclass(frozen=True)
class Report:
    """A "Wrong answer?" report as curators read it."""

    id: int
    topic_id: str
    question: str
    reason: str | None
    at: datetime


def record_feedback(topic_id: str, question: str, message_key: str | None = None) -> int | None:
    """File a report; None when this answer message was already reported (a double tap)."""
    with database.atomic():
        if (
            message_key
            and FeedbackDetail.select().where(FeedbackDetail.message_key == message_key).exists()
        ):
            return None
        question = redact_personal(question.strip()[:MAX_KEPT])
        row = Feedback.create(topic_id=topic_id[:80], question=question)
        if message_key:
            FeedbackDetail.create(feedback=row.id, message_key=message_key)
    return row.id


def add_reason(feedback_id: int, reason: str) -> bool:
    """The reporter's one line, kept once: a later message does not overwrite it."""
    line = redact_personal(" ".join(reason.split())[:MAX_REASON])
    if not line:
        return False
    return (
        FeedbackDetail.update(reason=line, reason_at=now())
        .where((FeedbackDetail.feedback == feedback_id) & FeedbackDetail.reason.is_null())
        .execute()
        == 1
    )


def recent_feedback(limit: int = 15) -> list[Report]:
    rows = (
        Feedback.select(Feedback, FeedbackDetail.reason)
        .join(FeedbackDetail, JOIN.LEFT_OUTER, on=(FeedbackDetail.feedback == Feedback.id))
        .order_by(Feedback.at.desc(), Feedback.id.desc())
        .limit(limit)
        .objects()
    )
    return [
        Report(r.id, r.topic_id, r.question, r.reason, r.at)  # type: ignore[attr-defined]
        for r in rows
    ]


def purge_before(cutoff: datetime) -> tuple[int, int]:
    """Delete gaps and feedback (with their details) recorded before `cutoff`: how many."""
    gaps = Gap.delete().where(Gap.at < cutoff).execute()
    old = Feedback.select(Feedback.id).where(Feedback.at < cutoff)
    FeedbackDetail.delete().where(FeedbackDetail.feedback.in_(old)).execute()
    reports = Feedback.delete().where(Feedback.at < cutoff).execute()
    return gaps, reports
