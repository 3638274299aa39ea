"""Checking the notebook's hash chain, and purging old notes without breaking it.

Purge and the chain: retention deletes the oldest entries, which the first remaining entry's
`prev_hash` points to. A purge therefore removes only a *prefix* of the chain (every entry up to
the newest one past retention, in chain order), verifies the whole chain first and refuses if it
is not clean (so tampering is never purged away unseen), then records a checkpoint: the last
removed entry's position and hash, on the chain head and in the audit table. Verification starts
from that checkpoint, and a checkpoint that is not in the audit table is itself reported.

Truncation and rewinding: every append also records (seq, hash) in the audit table, and
verify checks that the latest such checkpoint is still in the chain. Someone able to write to
the database could delete those rows too: the head hash that `notes verify` prints, recorded
elsewhere (a supervisor's log) and given back with `--expect-head`, closes that gap. With
NOTES_CHAIN_KEY set, hashes are HMACs under a key the database does not hold, so rewritten
entries cannot be re-hashed to verify (entries written before the key are plain and still
verify; a plain entry after a keyed one is reported).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from peewee import fn

from bot.core.access.users import Audit, audit
from bot.core.clock import now
from bot.core.notes.drafts import purge_stale_drafts
from bot.core.notes.log import (
    CHECKPOINT,
    GENESIS,
    HASH_VERSIONS,
    Note,
    NoteChain,
    chain_key,
    entry_hash,
    hashed_content,
    lock_head,
    stream,
    writing,
)

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
    keyed: int | None = None  # entries whose hash is keyed (None: no key given)
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
        keyed = "" if self.keyed is None else f"; {self.keyed} keyed with NOTES_CHAIN_KEY"
        return (
            f"notes verify: {self.checked} entries{span} checked {start}{keyed}; "
            f"chain head {self.head_hash}: {verdict}"
        )


def _hash_kind(row: dict, key: bytes | None) -> str | None:
    """ "keyed" or "plain" when the stored hash matches the content, else None."""
    try:
        for version in HASH_VERSIONS:  # an entry keeps the version it was written with
            content = hashed_content(row, version)
            if key and entry_hash(content, row["prev_hash"], key) == row["hash"]:
                return "keyed"
            if entry_hash(content, row["prev_hash"]) == row["hash"]:
                return "plain"
    except (ValueError, TypeError, AttributeError):  # a field edited into something unreadable
        return None
    return None


def _number(ref: str) -> int | None:
    tail = ref.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


def verify(expect_head: str | None = None) -> Verification:
    """Walk the chain in order; report every edited, reordered or deleted entry, a chain cut
    back behind its last audit checkpoint, and (`expect_head`) a recorded head no longer in it.
    """
    key = chain_key()
    head = NoteChain.get_or_none(NoteChain.id == 1)
    base_seq, base_hash = (head.base_seq, head.base_hash) if head else (0, GENESIS)
    result = Verification(base_seq=base_seq, keyed=0 if key else None)
    # One streaming pass keeps only (seq, ref, hash, prev, kind): 100,000 entries fit.
    rows = [
        (r["seq"], r["ref"], r["hash"], r["prev_hash"], _hash_kind(r, key))
        for r in stream(Note.select().order_by(Note.seq))
    ]
    position = {h: i for i, (_, _, h, _, _) in enumerate(rows)}
    problems = result.problems
    prev_seq, prev_hash = base_seq, base_hash
    for i, (seq, ref, digest, prev, kind) in enumerate(rows):
        if kind is None:
            problems.append(ChainProblem(ref, "edited", "its content no longer matches its hash"))
        elif kind == "keyed":
            result.keyed = (result.keyed or 0) + 1  # 0 already: a keyed hash needs the key
        elif result.keyed:
            problems.append(
                ChainProblem(
                    ref,
                    "edited",
                    "its hash is not keyed with NOTES_CHAIN_KEY although an earlier entry's is: "
                    "rewritten without the key",
                )
            )
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
            elif (
                rows[i - 1][4] is not None
            ):  # the entry before was rewritten together with its hash
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
    hashes = {seq: digest for seq, _, digest, _, _ in rows}
    last = _last_checkpoint()
    if last is not None and last[0] > base_seq and hashes.get(last[0]) != last[1]:
        problems.append(
            ChainProblem(
                "end of log",
                "deleted",
                f"the audit table records entry #{last[0]} with hash {last[1][:16]}..., which "
                "the chain no longer holds: it was truncated or rewound",
            )
        )
    if expect_head and not _holds(expect_head, [base_hash, *hashes.values()]):
        problems.append(
            ChainProblem(
                "end of log",
                "head",
                f"the expected head {expect_head[:16]}... is not in the chain: it was rewound or "
                "rebuilt" + (" (or purged past it)" if base_seq else ""),
            )
        )
    return result


def _holds(wanted: str, hashes: list[str]) -> bool:
    wanted = wanted.lower()
    return any(h.startswith(wanted) for h in hashes)


def _last_checkpoint() -> tuple[int, str] | None:
    """(seq, hash) of the newest head checkpoint in the audit table."""
    row = (
        Audit.select(Audit.target, Audit.detail)
        .where(Audit.action == CHECKPOINT)
        .order_by(Audit.id.desc())
        .first()
    )
    if row is None or not row.target.lstrip("#").isdigit():
        return None
    return int(row.target.lstrip("#")), row.detail


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


def purge(
    days: int, actor: int | None = None, dry_run: bool = False, when: datetime | None = None
) -> Purge:
    """Delete entries older than `days` before `when` (now by default), a prefix of the chain,
    and record it in the audit."""
    cutoff = (when or now()) - timedelta(days=days)
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
