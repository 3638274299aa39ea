"""What an administrator needs at a glance (`/status`): health, load, and what is due."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import metadata

from peewee import Database, fn

from bot.core.access.users import Audit
from bot.core.feedback import Feedback, Gap
from bot.core.knowledge.base import STALE_AFTER, KnowledgeBase
from bot.core.storage.backup import AUDIT_ACTION
from bot.core.storage.db import is_sqlite, sqlite_path
from bot.core.storage.migrations import current_version, latest

DUE_WITHIN = timedelta(days=30)


def version() -> str:
    try:
        return metadata.version("countylines-briefing-bot")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class LastBackup:
    at: datetime
    where: str
    ok: bool


@dataclass(frozen=True)
class DatabaseStatus:
    size_bytes: int | None
    schema: int
    code_schema: int
    last_backup: LastBackup | None
    gaps: int  # distinct unanswered questions
    feedback: int


def database_status(db: Database, url: str) -> DatabaseStatus:
    """Runs on the database thread."""
    last = Audit.select().where(Audit.action == AUDIT_ACTION).order_by(Audit.id.desc()).first()
    return DatabaseStatus(
        size_bytes=_size(db, url),
        schema=current_version(db),
        code_schema=latest(),
        last_backup=LastBackup(last.at, last.target, ": OK" in last.detail) if last else None,
        gaps=Gap.select(fn.COUNT(fn.DISTINCT(Gap.key))).scalar() or 0,
        feedback=Feedback.select().count(),
    )


def _size(db: Database, url: str) -> int | None:
    if is_sqlite(db):
        path = sqlite_path(url)
        if path is None:
            return None
        return sum(
            os.path.getsize(f"{path}{s}") for s in ("", "-wal") if os.path.exists(f"{path}{s}")
        )
    row = db.execute_sql(
        "SELECT SUM(pg_total_relation_size(format('%I.%I', schemaname, tablename))) "
        "FROM pg_tables WHERE schemaname = current_schema()"
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def reviews_due(kb: KnowledgeBase, today: date) -> list[tuple[str, date]]:
    """Topics whose yearly review falls within DUE_WITHIN (or is overdue), soonest first."""
    due = [(t.title, t.reviewed + STALE_AFTER) for t in kb.topics.values()]
    return sorted((d for d in due if d[1] <= today + DUE_WITHIN), key=lambda d: d[1])


def human_size(size: int | None) -> str:
    if size is None:
        return "unknown"
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def human_duration(seconds: float) -> str:
    minutes, _ = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
