"""The notebook for supervisors: CSV and JSON exports, and weekly counts for the chart.

Dates given by people are UK local days (settings.timezone); stored times are UTC, and every
export shows both.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.access.users import audit
from bot.core.clock import day_bounds, local, local_date, now
from bot.core.notes.log import Note, stream
from bot.core.storage.db import tuples

FIELDS = [
    "ref",
    "created_utc",
    "created_local",
    "author_id",
    "author_name",
    "category",
    "urgency",
    "text",
    "indicators",
    "latitude",
    "longitude",
    "source_grade",
    "info_grade",
    "handling",
    "amends",
    "reason",
    "corrected_by",
    "hash",
    "prev_hash",
]
# Spreadsheets run a cell that starts like a formula; a leading ' keeps it text (CSV only).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
MAX_WEEKS = 52


def export_rows(start: datetime | None, end: datetime | None, timezone: str) -> list[dict]:
    """Every entry created in [start, end), in chain order, with its corrections' refs."""
    corrections: dict[str, list[str]] = {}
    for ref, amends in tuples(
        Note.select(Note.ref, Note.amends).where(Note.amends.is_null(False)).order_by(Note.seq)
    ):
        corrections.setdefault(amends, []).append(ref)
    query = Note.select().order_by(Note.seq)
    if start is not None:
        query = query.where(Note.created_at >= start)
    if end is not None:
        query = query.where(Note.created_at < end)
    zone = ZoneInfo(timezone)
    rows = []
    for note in stream(query):
        at = note["created_at"]
        rows.append(
            {
                "ref": note["ref"],
                "created_utc": at.isoformat(timespec="seconds") + "Z",
                "created_local": local(at, zone).isoformat(timespec="seconds"),
                "author_id": note["author_id"],
                "author_name": note["author_name"],
                "category": note["category"],
                "urgency": note["urgency"],
                "text": note["text"],
                "indicators": json.loads(note["tags"]) if note["tags"] != "[]" else [],
                "latitude": note["latitude"],
                "longitude": note["longitude"],
                "source_grade": note["source_grade"],
                "info_grade": note["info_grade"],
                "handling": note["handling"],
                "amends": note["amends"],
                "reason": note["reason"],
                "corrected_by": corrections.get(note["ref"], []),
                "hash": note["hash"],
                "prev_hash": note["prev_hash"],
            }
        )
    return rows


def export_notes(
    actor: int | None, start: date | None, end: date | None, timezone: str
) -> list[dict]:
    """The entries of local days `start`..`end`, recorded in the audit table (who took what)."""
    rows = export_rows(*day_bounds(start, end, timezone), timezone)
    audit_export(actor, start, end, len(rows))
    return rows


def audit_export(actor: int | None, start: date | None, end: date | None, count: int) -> None:
    audit(actor, "notes_export", f"{start or 'start'}..{end or 'now'}", f"{count} entries")


_LISTS = [FIELDS.index("indicators"), FIELDS.index("corrected_by")]
_FREE_TEXT = [FIELDS.index("author_name"), FIELDS.index("text"), FIELDS.index("reason")]


def to_csv(rows: list[dict]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet software reads accents and £ correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for row in rows:
        line = [row[name] for name in FIELDS]  # csv writes None as an empty cell
        for i in _LISTS:
            line[i] = "; ".join(line[i])
        for i in _FREE_TEXT:  # only people type these; the rest are ids, times and codes
            if line[i].startswith(_FORMULA):
                line[i] = "'" + line[i]
        writer.writerow(line)
    return out.getvalue().encode("utf-8-sig")


def to_json(rows: list[dict], start: date | None, end: date | None, timezone: str) -> bytes:
    payload: dict[str, object] = {
        "exported_utc": now().isoformat(timespec="seconds") + "Z",
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "timezone": timezone,
        "count": len(rows),
        "notes": [],
    }
    # One note a line: readable, and json's C encoder (an indent would use the slow one).
    head = json.dumps(payload, ensure_ascii=False)[: -len("[]}")]
    body = ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
    return f"{head}[\n{body}\n]}}\n".encode()


@dataclass(frozen=True)
class WeeklyStats:
    weeks: list[date]  # the Monday (local) of each week, oldest first
    by_category: dict[str, list[int]]  # category id, or "" for none, to counts per week
    by_indicator: dict[str, list[int]]  # indicator tag to counts per week
    total: int


def weekly_stats(weeks: int, timezone: str, today: date | None = None) -> WeeklyStats:
    """Notes (corrections left out) per local week, by category and by indicator tag."""
    weeks = max(1, min(weeks, MAX_WEEKS))
    zone = ZoneInfo(timezone)
    today = today or local_date(now(), zone)
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    mondays = [first + timedelta(weeks=n) for n in range(weeks)]
    start, _ = day_bounds(first, None, timezone)
    categories: dict[str, Counter] = {}
    indicators: dict[str, Counter] = {}
    total = 0
    query = Note.select(Note.created_at, Note.category, Note.tags).where(
        (Note.created_at >= start) & Note.amends.is_null()
    )
    for row in stream(query):
        at, category, tags = row["created_at"], row["category"], row["tags"]
        day = local_date(at, zone)
        week = day - timedelta(days=day.weekday())
        total += 1
        categories.setdefault(category or "", Counter())[week] += 1
        for tag in json.loads(tags or "[]"):
            indicators.setdefault(tag, Counter())[week] += 1

    def series(counts: dict[str, Counter]) -> dict[str, list[int]]:
        return {name: [c[m] for m in mondays] for name, c in counts.items()}

    return WeeklyStats(mondays, series(categories), series(indicators), total)
