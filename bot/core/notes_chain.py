"""Checking the notebook's hash chain, and purging old notes without breaking it.

Purge and the chain: retention deletes the oldest entries, which the first remaining entry's
`prev_hash` points to. A purge therefore removes only a *prefix* of the chain (every entry up to
the newest one past retention, in chain order), verifies the whole chain first and refuses if it
is not clean (so tampering is never purged away unseen), then records a checkpoint: the last
removed entry's position and hash, on the chain head and in the audit table. Verification starts
from that checkpoint, and a checkpoint that is not in the audit table is itself reported.

A plain hash chain shows that stored rows were changed; someone able to rewrite every row and
the head could rebuild it. The head hash that `notes verify` prints is worth recording elsewhere
(a supervisor's log) to close that gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from peewee import fn

from bot.core.access import Audit, audit, now
from bot.core.notes import (
    GENESIS,
    Note,
    NoteChain,
    entry_hash,
    hashed_content,
    lock_head,
    stream,
    writing,
)
from bot.core.notes_drafts import purge_stale_drafts

Kind = Literal["edited", "reordered", "deleted", "head"]


@dataclass(frozen=True)
class ChainProblem:
    where: str  # a reference, or "end of log"
    kind: Kind
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.message}"


@dataclass
class Verification:
    checked: int = 0
    first: str | None = None
    last: str | None = None
    base_seq: int = 0
    head_hash: str = GENESIS
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        start = (
            f"from the purge checkpoint after #{self.base_seq}"
            if self.base_seq
            else ("from the start")
        )
        span = f" ({self.first} to {self.last})" if self.first else ""
        verdict = "OK" if self.ok else f"{len(self.problems)} problem(s)"
        return (
            f"notes verify: {self.checked} entries{span} checked {start}; "
            f"chain head {self.head_hash[:16]}: {verdict}"
        )


def _content_ok(row: dict) -> bool:
    try:
        return entry_hash(hashed_content(row), row["prev_hash"]) == row["hash"]
    except (ValueError, TypeError, AttributeError):  # a field edited into something unreadable
        return False


def _number(ref: str) -> int | None:
    tail = ref.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


def verify() -> Verification:
    """Walk the chain in order; report every edited, reordered or deleted entry."""
    head = NoteChain.get_or_none(NoteChain.id == 1)
    base_seq, base_hash = (head.base_seq, head.base_hash) if head else (0, GENESIS)
    result = Verification(base_seq=base_seq)
    # One streaming pass keeps only (seq, ref, hash, prev, content ok): 100,000 entries fit.
    rows = [
        (r["seq"], r["ref"], r["hash"], r["prev_hash"], _content_ok(r))
        for r in stream(Note.select().order_by(Note.seq))
    ]
    position = {h: i for i, (_, _, h, _, _) in enumerate(rows)}
    problems = result.problems
    prev_seq, prev_hash = base_seq, base_hash
    for i, (seq, ref, digest, prev, content_ok) in enumerate(rows):
        if not content_ok:
            problems.append(ChainProblem(ref, "edited", "its content no longer matches its hash"))
        if _number(ref) != seq:
            problems.append(
                ChainProblem(ref, "reordered", f"its reference does not match position {seq}")
            )
        if prev != prev_hash:
            if prev in position and position[prev] != i - 1:
                after = rows[position[prev]][1]
                problems.append(
                    ChainProblem(ref, "reordered", f"it was written straight after {after}")
                )
            elif seq > prev_seq + 1:
                missing = seq - prev_seq - 1
                problems.append(
                    ChainProblem(ref, "deleted", f"{missing} entry(ies) missing before it")
                )
            elif i == 0:
                problems.append(
                    ChainProblem(
                        ref, "deleted", "the log does not start where the last purge left it"
                    )
                )
            elif rows[i - 1][4]:  # the entry before was rewritten together with its hash
                problems.append(
                    ChainProblem(
                        rows[i - 1][1], "edited", "changed and re-hashed; the next link broke"
                    )
                )
        elif seq != prev_seq + 1:
            problems.append(ChainProblem(ref, "reordered", "its position was renumbered"))
        prev_seq, prev_hash = seq, digest
    result.checked = len(rows)
    if rows:
        result.first, result.last = rows[0][1], rows[-1][1]
    result.head_hash = prev_hash
    if head is None:
        if rows:
            problems.append(ChainProblem("end of log", "head", "the chain head row is missing"))
    elif head.seq > prev_seq:
        problems.append(
            ChainProblem(
                "end of log",
                "deleted",
                f"{head.seq - prev_seq} entry(ies) deleted at the end "
                f"(the chain head records #{head.seq})",
            )
        )
    elif head.seq != prev_seq or head.hash != prev_hash:
        problems.append(
            ChainProblem("end of log", "head", "the chain head does not match the last entry")
        )
    if base_seq and not _checkpoint_audited(base_hash):
        problems.append(
            ChainProblem("start of log", "head", "the purge checkpoint is not in the audit table")
        )
    return result


def _checkpoint_audited(base_hash: str) -> bool:
    return (
        Audit.select()
        .where((Audit.action == "notes_purge") & Audit.detail.contains(base_hash))
        .exists()
    )


@dataclass
class Purge:
    cutoff: datetime
    removed: int = 0
    through: str | None = None
    drafts: int = 0
    refused: list[ChainProblem] = field(default_factory=list)


def purge(days: int, actor: int | None = None, dry_run: bool = False) -> Purge:
    """Delete entries older than `days` (a prefix of the chain) and record it in the audit."""
    cutoff = now() - timedelta(days=days)
    result = Purge(cutoff=cutoff)
    with writing():
        head = lock_head()
        check = verify()
        if not check.ok:
            result.refused = check.problems
            return result
        young = Note.select(fn.MIN(Note.seq)).where(Note.created_at >= cutoff).scalar()
        last_seq = young - 1 if young is not None else head.seq
        if last_seq > head.base_seq:
            last = Note.get(Note.seq == last_seq)
            result.through = last.ref
            result.removed = Note.select().where(Note.seq <= last_seq).count()
            if not dry_run:
                Note.delete().where(Note.seq <= last_seq).execute()
                NoteChain.update(base_seq=last_seq, base_hash=last.hash).where(
                    NoteChain.id == 1
                ).execute()
        if dry_run:
            return result
        detail = (
            f"{result.removed} notes older than {days} days (before {cutoff:%Y-%m-%d %H:%M} UTC)"
        )
        if result.through:
            detail += f"; chain continues after #{last_seq}, hash {last.hash}"
        audit(actor, "notes_purge", f"to {result.through}" if result.through else "none", detail)
    if not dry_run:
        result.drafts = purge_stale_drafts()
    return result
