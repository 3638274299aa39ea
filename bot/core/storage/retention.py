"""Retention: what the bot keeps is deleted when its time is up, every day, not only by hand.

Gaps and "Wrong answer?" reports are kept GAPS_RETENTION_DAYS (default 90), notes
NOTES_RETENTION_DAYS (a prefix of the chain, with its checkpoint: bot.core.notes.chain.purge,
which also drops abandoned drafts). Each run is recorded in the audit table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.core.access.users import audit
from bot.core.clock import now
from bot.core.feedback import purge_before
from bot.core.notes.chain import purge
from bot.core.notes.log import writing


@dataclass(frozen=True)
class Retention:
    gaps: int
    feedback: int
    notes: int
    notes_refused: bool  # the chain has problems: nothing purged until someone looks


def purge_expired(gap_days: int, note_days: int) -> Retention:
    """Delete everything past its retention; audited as `retention_purge`."""
    with writing():
        gaps, reports = purge_before(now() - timedelta(days=gap_days))
    notes = purge(note_days, actor=None)
    result = Retention(gaps, reports, notes.removed, bool(notes.refused))
    detail = f"{gaps} gaps and {reports} feedback older than {gap_days} days; " + (
        "notes refused: the chain has problems (run notes verify)"
        if result.notes_refused
        else f"{notes.removed} notes older than {note_days} days"
    )
    audit(None, "retention_purge", "daily", detail)
    return result
