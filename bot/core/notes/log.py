"""Field notes: an append-only, hash-chained notebook that any bot instance can write to.

A note is evidence and intelligence, so it is never updated or deleted in place: a correction is
a new entry linked to the one it corrects (`amends`). Each entry stores the SHA-256 (HMAC-SHA256
when NOTES_CHAIN_KEY is set) of its content, time, author and the previous entry's hash, so an
edited, reordered or deleted entry breaks the chain (`notes_chain.verify`). Entries get their
position (`seq`) under a lock on the one `NoteChain` row, which also remembers the last hash, so
two instances sharing PostgreSQL append in one order; each append also records (seq, hash) in
the audit table, so a tail deleted together with the head row is noticed too.

Every write is one transaction, idempotent by a natural key: the draft token, derived from the
Telegram update that began the note, so a redelivered update never makes a second note.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    CompositeKey,
    Database,
    DateTimeField,
    DoubleField,
    Expression,
    Insert,
    IntegerField,
    Query,
    Select,
    TextField,
    Update,
    Value,
)

from bot.core.access.users import audit
from bot.core.clock import local, now
from bot.core.storage.db import BaseModel, database, is_sqlite, tuples

MAX_TEXT = 3000
MAX_REASON = 500
GENESIS = "0" * 64

CATEGORIES = {
    "cuckooed": "Cuckooed address",
    "child": "Child or runner seen",
    "phone": "Deal-line phone",
    "vehicle": "Vehicle",
    "weapon": "Weapon",
    "other": "Other",
}
URGENCIES = {"routine": "Routine", "priority": "Priority (this shift)", "urgent": "Urgent (now)"}
# 3x5x2 as taught in force training (the fact sheet marks these meanings unverified).
SOURCE_GRADES = {"1": "Reliable", "2": "Untested", "3": "Not reliable"}
INFO_GRADES = {
    "A": "Known directly",
    "B": "Indirect, corroborated",
    "C": "Known indirectly",
    "D": "Not known",
    "E": "Suspected false",
}
HANDLING_CODES = {"P": "Sharing permitted", "C": "Sharing with conditions"}

M = TypeVar("M", bound=BaseModel)
_REF = re.compile(r"^FN-(\d{4})-(\d{6,})$", re.IGNORECASE)


class NoteContent(BaseModel):
    """What an officer writes and chooses: the one definition of the fields a saved note and
    its draft share (peewee gives each subclass its own copy of these columns)."""

    text = TextField(default="")
    category = CharField(max_length=16, null=True)
    urgency = CharField(max_length=16, null=True)
    latitude = DoubleField(null=True)
    longitude = DoubleField(null=True)
    source_grade = CharField(max_length=1, null=True)
    info_grade = CharField(max_length=1, null=True)
    handling = CharField(max_length=1, null=True)
    tags = TextField(default="[]")  # JSON list of Indicator.tag strings
    amends = CharField(max_length=24, null=True)  # ref of the corrected entry
    reason = TextField(default="")

    @property
    def tag_list(self) -> list[str]:
        return json.loads(self.tags or "[]")


CONTENT = tuple(f.name for f in NoteContent._meta.sorted_fields if not f.primary_key)


class Note(NoteContent):
    seq = BigIntegerField(primary_key=True)  # position in the chain, gapless, set under lock
    ref = CharField(max_length=24, unique=True)
    key = CharField(max_length=32, unique=True)  # natural key: the draft token (idempotency)
    created_at = DateTimeField(index=True)
    author_id = BigIntegerField(index=True)
    author_name = CharField(max_length=200, default="")
    amends = CharField(max_length=24, null=True, index=True)  # corrections are looked up by it
    prev_hash = CharField(max_length=64)
    hash = CharField(max_length=64)


class NoteChain(BaseModel):
    """The chain's head (one row, id 1): the lock every append takes, and the purge checkpoint."""

    id = IntegerField(primary_key=True)
    seq = BigIntegerField(default=0)  # the last entry appended
    hash = CharField(max_length=64, default=GENESIS)
    base_seq = BigIntegerField(default=0)  # entries up to here were purged...
    base_hash = CharField(max_length=64, default=GENESIS)  # ...and this was the last one's hash


class NoteDraft(NoteContent):
    """A note being written: one per officer per chat, in the database so any instance can
    carry on after a restart. `token` is in every button of the draft's flow."""

    chat_id = BigIntegerField()
    user_id = BigIntegerField()
    token = CharField(max_length=16)
    kind = CharField(max_length=8, default="note")  # note | amend
    step = CharField(max_length=8)
    reviewing = BooleanField(default=False)  # reached the confirm step once
    text_message_id = BigIntegerField(null=True)
    preset_tags = TextField(default="[]")
    panel_id = BigIntegerField(null=True)  # the bot's message showing the current step
    messages = TextField(default="[]")  # the officer's messages this flow consumed
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now, index=True)

    class Meta:
        primary_key = CompositeKey("chat_id", "user_id")

    @property
    def preset_list(self) -> list[str]:
        return json.loads(self.preset_tags or "[]")

    @property
    def message_ids(self) -> list[int]:
        return json.loads(self.messages or "[]")


@dataclass(frozen=True)
class NoteInput:
    """What an officer wrote and chose (the `CONTENT` fields, tags as a tuple) and who they
    are: everything a chained entry holds except its place."""

    author_id: int
    text: str
    author_name: str = ""
    category: str | None = None
    urgency: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    source_grade: str | None = None
    info_grade: str | None = None
    handling: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    amends: str | None = None
    reason: str = ""

    @classmethod
    def of(cls, content: NoteContent, author_id: int, author_name: str) -> NoteInput:
        """A draft's (or note's) content, as an entry by this author."""
        values = {name: getattr(content, name) for name in CONTENT}
        values["tags"] = tuple(content.tag_list)
        return cls(author_id=author_id, author_name=author_name[:200], **values)


def writing():
    """A write transaction; on SQLite it takes the write lock up front (BEGIN IMMEDIATE)."""
    db = database.obj
    return db.atomic("IMMEDIATE") if is_sqlite(db) else db.atomic()


# -- the hot paths ---------------------------------------------------------------------------
# peewee builds the SQL of every query anew, at about 20 µs a column here: more than the
# database's own work for the few statements run on every message (is a draft open?) and
# every save. So peewee builds each of those once per database, with a marker standing for
# each value, and that SQL is run from then on with the values in the markers' places.
_COMPILED: WeakKeyDictionary[Database, dict[Hashable, tuple[str, list]]] = WeakKeyDictionary()


class _Slot:
    """Stands for run-time argument `index` among a compiled statement's parameters."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


def run(build: Callable[..., Query], *args: object, key: Hashable | None = None):
    """Execute the query `build(*args)`, compiled on first use per database; the cursor.

    `build` must make the same SQL whatever its arguments: it is the cache key unless `key`
    is given, so it is a module-level function. `args` are in database form (db_value).
    """
    db = database.obj
    statements = _COMPILED.setdefault(db, {})
    key = build if key is None else key
    compiled = statements.get(key)
    if compiled is None:
        # converter=False: each marker reaches the parameter list as itself, unconverted.
        markers = [Value(_Slot(i), converter=False) for i in range(len(args))]
        compiled = statements[key] = build(*markers).sql()
    sql, params = compiled
    return db.execute_sql(sql, [args[p.index] if type(p) is _Slot else p for p in params])


def fetch_one(model: type[M], build: Callable[..., Select], *args: object) -> M | None:
    """The row `build(*args)` (a `model.select()` of whole rows) finds, as a model instance."""
    rows = run(build, *args).fetchall()
    if not rows:
        return None
    fields = model._meta.sorted_fields
    return model(**{f.name: f.python_value(v) for f, v in zip(fields, rows[0], strict=True)})


def update_where(
    model: type[BaseModel], values: dict, where: Callable[..., Expression], *args: object
) -> int:
    """Set the named fields where `where(*args)` holds; the number of rows changed."""
    fields = [model._meta.fields[name] for name in values]
    n = len(fields)

    def build(*markers: Value) -> Update:
        return model.update(dict(zip(fields, markers[:n], strict=True))).where(where(*markers[n:]))

    new = (f.db_value(values[f.name]) for f in fields)
    return run(build, *new, *args, key=(model, where, *values)).rowcount


def stream(query: Select) -> Iterator[dict]:
    """The rows of a Note query as plain dicts, for exports and verification of 100,000 notes:
    peewee's own conversion parses every SQLite datetime with strptime, several times slower."""
    sql, params = query.sql()
    cursor = database.obj.execute_sql(sql, params)
    names = [column[0] for column in cursor.description]
    for row in cursor:
        item = dict(zip(names, row, strict=True))
        at = item.get("created_at")
        if isinstance(at, str):  # SQLite keeps datetimes as ISO text
            item["created_at"] = datetime.fromisoformat(at)
        yield item


def make_ref(at: datetime, seq: int) -> str:
    return f"FN-{at.year}-{seq:06d}"


def parse_ref(text: str) -> str | None:
    """`fn-2026-000123` or `FN-2026-000123` to the stored form; None if it is not a reference."""
    match = _REF.match(text.strip())
    return f"FN-{match.group(1)}-{match.group(2)}" if match else None


def _coordinate(value: float | None) -> str | None:
    return None if value is None else f"{value:.6f}"


# The version of what an entry's hash covers. Version 1 is the form every note was written in
# before versions existed, so its payload carries no "v". A new field in the hash needs a new
# version (whose payload says "v": 2, ...): stored entries keep verifying under the version they
# were written with, and tests/test_notes_hash.py pins version 1's hash of a fixed note.
HASH_VERSION = 1
HASH_VERSIONS = (1,)  # newest first: `notes verify` tries each until one matches


def hashed_content(note: Note | dict, version: int = HASH_VERSION) -> dict:
    """The fields the hash covers, in a form that reads back the same from either database."""
    if version not in HASH_VERSIONS:
        raise ValueError(f"unknown note hash version {version}")
    get: Callable[[str], Any] = (
        note.get if isinstance(note, dict) else lambda name: getattr(note, name)
    )
    tags = get("tags")
    content = {
        "ref": get("ref"),
        "time": get("created_at").isoformat(timespec="microseconds"),
        "author": get("author_id"),
        "author_name": get("author_name"),
        "text": get("text"),
        "category": get("category"),
        "urgency": get("urgency"),
        "latitude": _coordinate(get("latitude")),
        "longitude": _coordinate(get("longitude")),
        "grading": [get("source_grade"), get("info_grade"), get("handling")],
        "tags": json.loads(tags) if isinstance(tags, str) else list(tags),
        "amends": get("amends"),
        "reason": get("reason"),
    }
    if version > 1:
        content["v"] = version
    return content


_chain_key: bytes | None = None  # NOTES_CHAIN_KEY; set once at start-up (use_chain_key)
CHECKPOINT = "notes_head"  # audit action: (sequence, hash) of the head after each append


def use_chain_key(key: str | None) -> None:
    """From now on every new entry's hash is an HMAC-SHA256 under `key` (None: plain SHA-256).

    The key lives outside the database (the environment), so someone who can write to the
    database alone cannot rebuild a chain that verifies."""
    global _chain_key
    _chain_key = key.encode() if key else None


def chain_key() -> bytes | None:
    return _chain_key


def entry_hash(content: dict, prev_hash: str, key: bytes | None = None) -> str:
    """SHA-256 of the entry and the previous hash; with `key`, an HMAC-SHA256 of the same."""
    payload = json.dumps(
        {**content, "prev": prev_hash}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()
    if key:
        return hmac.new(key, payload, hashlib.sha256).hexdigest()
    return hashlib.sha256(payload).hexdigest()


def _is_head() -> Expression:
    return NoteChain.id == 1


def _head() -> Select:
    query = NoteChain.select().where(_is_head())
    return query if is_sqlite(database.obj) else query.for_update()


def lock_head() -> NoteChain:
    """The chain head, locked for this transaction (SQLite: BEGIN IMMEDIATE already did;
    PostgreSQL: SELECT ... FOR UPDATE, so instances append one at a time, in one order)."""
    head = fetch_one(NoteChain, _head)
    if head is None:  # the first entry ever
        NoteChain.insert(
            id=1, seq=0, hash=GENESIS, base_seq=0, base_hash=GENESIS
        ).on_conflict_ignore().execute()
        head = fetch_one(NoteChain, _head)
    assert head is not None  # inserted just above if it was missing
    return head


def _values(entry: NoteInput, key: str, seq: int, at: datetime, prev_hash: str) -> dict:
    values = asdict(entry)
    values["latitude"] = None if entry.latitude is None else round(entry.latitude, 6)
    values["longitude"] = None if entry.longitude is None else round(entry.longitude, 6)
    values.update(
        seq=seq,
        ref=make_ref(at, seq),
        key=key,
        created_at=at,
        tags=json.dumps(list(entry.tags)),
        prev_hash=prev_hash,
    )
    values["hash"] = entry_hash(hashed_content(values), prev_hash, _chain_key)
    return values


def _note(key: str) -> Select:
    return Note.select().where(Note.key == key)


def _note_seq(key: str) -> Select:
    return Note.select(Note.seq).where(Note.key == key)


def _insert_note(*values: object) -> Insert:
    # ON CONFLICT DO NOTHING (not SQLite's INSERT OR IGNORE): only a duplicate is skipped.
    row = dict(zip(Note._meta.sorted_fields, values, strict=True))
    return Note.insert(row).on_conflict("NOTHING").returning(Note.seq)


def note_by_key(key: str) -> Note | None:
    """The note an update (draft token) already made, if any."""
    return fetch_one(Note, _note, key)


def _made_by(key: str) -> Note:
    note = note_by_key(key)
    assert note is not None  # the key was just seen in the table, in this transaction
    return note


def append(entry: NoteInput, key: str, when: datetime | None = None) -> tuple[Note, bool]:
    """Add one entry in the caller's write transaction: (note, created), made at `when` (now
    by default). A key seen before returns the note it made, so a redelivered update changes
    nothing."""
    if run(_note_seq, key).fetchall():
        return _made_by(key), False
    head = lock_head()
    values = _values(entry, key, head.seq + 1, when or now(), head.hash)
    # RETURNING, consumed inside the transaction, tells a real insert from an ignored
    # duplicate (another instance handling the same update got there first).
    row = (f.db_value(values[f.name]) for f in Note._meta.sorted_fields)
    if not run(_insert_note, *row).fetchall():
        return _made_by(key), False
    update_where(NoteChain, {"seq": values["seq"], "hash": values["hash"]}, _is_head)
    checkpoint(values["seq"], values["hash"], entry.author_id)
    return Note(**values), True


def checkpoint(seq: int, digest: str, actor: int | None = None) -> None:
    """Record the head outside the two note tables: `notes verify` then finds a chain that was
    truncated or wound back together with its head row."""
    audit(actor, CHECKPOINT, f"#{seq}", digest)


def add_note(entry: NoteInput, key: str, when: datetime | None = None) -> tuple[Note, bool]:
    """Append one entry in its own durable transaction."""
    with writing():
        return append(entry, key, when)


def add_notes(
    entries: Iterable[tuple[NoteInput, str]], batch: int = 500, when: datetime | None = None
) -> int:
    """Append many new entries in one transaction, all or none (imports, benchmarks).

    Keys must be new: a duplicate fails the whole import rather than being skipped.
    """
    added = 0
    with writing():
        head = lock_head()
        seq, prev = head.seq, head.hash
        rows: list[dict] = []
        for entry, key in entries:
            seq += 1
            rows.append(_values(entry, key, seq, when or now(), prev))
            prev = rows[-1]["hash"]
            if len(rows) >= batch:
                Note.insert_many(rows).execute()
                added, rows = added + len(rows), []
        if rows:
            Note.insert_many(rows).execute()
            added += len(rows)
        NoteChain.update(seq=seq, hash=prev).where(NoteChain.id == 1).execute()
        if added:
            checkpoint(seq, prev)
    return added


def find_note(ref: str) -> Note | None:
    wanted = parse_ref(ref)
    return Note.get_or_none(Note.ref == wanted) if wanted else None


def recent_notes(author_id: int, limit: int = 10) -> list[tuple[Note, list[str]]]:
    """An officer's latest entries, newest first, each with the refs of its corrections."""
    notes = list(
        Note.select().where(Note.author_id == author_id).order_by(Note.seq.desc()).limit(limit)
    )
    refs = [n.ref for n in notes]
    corrections: dict[str, list[str]] = {}
    if refs:
        for ref, amends in tuples(
            Note.select(Note.ref, Note.amends).where(Note.amends.in_(refs)).order_by(Note.seq)
        ):
            corrections.setdefault(amends, []).append(ref)
    return [(n, corrections.get(n.ref, [])) for n in notes]


def times_text(at: datetime, timezone: str) -> str:
    """`23 Nov 2026 14:05 UTC (14:05 GMT)`: both, so nobody converts by hand."""
    there = local(at, timezone)
    day = f" {there:%d %b}" if there.date() != at.date() else ""
    return f"{at:%d %b %Y %H:%M} UTC ({there:%H:%M}{day} {there.tzname()})"
