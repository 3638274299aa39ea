"""What the bot could not answer, and answers officers flagged as wrong: the curators' to-do list.

Unanswered questions are kept without the asker's id and with personal data redacted
(bot.core.redact): curators need the words, not the person. Both lists are kept for
GAPS_RETENTION_DAYS (90 by default) and purged daily (bot.core.retention).
"""

from __future__ import annotations

from datetime import datetime

from peewee import AutoField, CharField, DateTimeField, TextField, fn

from bot.core.access import now
from bot.core.db import BaseModel
from bot.core.redact import redact_personal

MAX_KEPT = 500  # characters of a question worth keeping for curators


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
    return [(row.text, row.n) for row in rows]


def record_feedback(topic_id: str, question: str) -> None:
    question = redact_personal(question.strip()[:MAX_KEPT])
    Feedback.create(topic_id=topic_id[:80], question=question)


def recent_feedback(limit: int = 15) -> list[Feedback]:
    return list(Feedback.select().order_by(Feedback.at.desc(), Feedback.id.desc()).limit(limit))


def purge_before(cutoff: datetime) -> tuple[int, int]:
    """Delete gaps and feedback recorded before `cutoff`: (gaps, feedback) removed."""
    gaps = Gap.delete().where(Gap.at < cutoff).execute()
    reports = Feedback.delete().where(Feedback.at < cutoff).execute()
    return gaps, reports
