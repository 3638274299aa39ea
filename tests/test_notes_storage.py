"""The notebook on a real SQLite file and on PostgreSQL: drafts, the chain, purge, export."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, timedelta

import pytest

from bot.core.access.users import Audit
from bot.core.clock import day_bounds, now
from bot.core.notes import drafts
from bot.core.notes import log as notes_module
from bot.core.notes.chain import purge, verify
from bot.core.notes.export import export_rows, to_csv, weekly_stats
from bot.core.notes.log import Note, NoteChain, NoteDraft, NoteInput, add_note, add_notes
from bot.core.storage.db import database, open_database
from bot.core.storage.schema import MODELS

CHAT = USER = 4201


@pytest.fixture
def db(db_url):
    database_ = open_database(db_url, MODELS)
    yield database_
    database_.close()


def entry(text: str, **extra) -> NoteInput:
    return NoteInput(author_id=USER, author_name="Sam Sample", text=text, **extra)


def make(n: int, start: int = 0) -> list[Note]:
    return [add_note(entry(f"note {i}"), f"key-{i}")[0] for i in range(start, start + n)]


def problems(kind: str | None = None) -> list[str]:
    return [str(p) for p in verify().problems if kind is None or p.kind == kind]


def test_draft_steps_are_compare_and_set(db) -> None:
    begun = drafts.begin(CHAT, USER, "m:1:1", text="Blue van at the flats", text_message_id=1)
    assert begun.status == "started" and begun.draft.step == drafts.CATEGORY
    token = begun.draft.token
    assert drafts.begin(CHAT, USER, "m:1:1").status == "resumed"  # the same update again
    assert drafts.begin(CHAT, USER, "m:1:2").status == "busy"  # another /note
    assert drafts.choose(CHAT, USER, token, drafts.URGENCY, "urgent") is None  # wrong step
    assert drafts.choose(CHAT, USER, token, drafts.CATEGORY, "bicycle") is None  # not offered
    assert drafts.choose(CHAT, USER, "0" * 12, drafts.CATEGORY, "vehicle") is None  # other draft
    assert drafts.choose(CHAT, USER, token, drafts.CATEGORY, "vehicle").step == drafts.URGENCY
    assert drafts.choose(CHAT, USER, token, drafts.CATEGORY, "other") is None  # done already
    assert drafts.choose(CHAT, USER, token, drafts.URGENCY, "skip").step == drafts.LOCATION
    located = drafts.set_location(CHAT, USER, 51.5, -0.1, 7)
    assert located.step == drafts.SOURCE and located.message_ids == [1, 7]
    assert drafts.choose(CHAT, USER, token, drafts.SOURCE, "skip").step == drafts.CONFIRM
    assert drafts.save(CHAT, USER, "0" * 12, "Sam").status == "stale"
    saved = drafts.save(CHAT, USER, token, "Sam Sample")
    assert saved.status == "saved" and saved.note.category == "vehicle"
    again = drafts.save(CHAT, USER, token, "Sam Sample")
    assert again.status == "duplicate" and again.note.ref == saved.note.ref
    assert drafts.begin(CHAT, USER, "m:1:1").status == "saved"
    assert Note.select().count() == 1 and NoteDraft.select().count() == 0
    assert drafts.why_stale(CHAT, USER, token) == ("saved", saved.note.ref)


def test_duplicate_key_returns_the_first_note(db) -> None:
    first, created = add_note(entry("one"), "same-key")
    second, created_again = add_note(entry("two"), "same-key")
    assert created and not created_again
    assert second.ref == first.ref and second.text == "one"
    assert NoteChain.get_by_id(1).seq == 1


def test_chain_is_clean_and_references_are_gapless(db) -> None:
    made = make(5)
    result = verify()
    assert result.ok and result.checked == 5
    assert [n.seq for n in made] == [1, 2, 3, 4, 5]
    assert made[0].ref == f"FN-{now().year}-000001"
    assert result.head_hash == made[-1].hash


def test_an_edited_entry_is_reported(db) -> None:
    make(4)
    Note.update(text="something else").where(Note.seq == 2).execute()
    assert problems() == [
        f"FN-{now().year}-000002: edited: its content no longer matches its hash"
    ]


def test_an_entry_rewritten_with_a_new_hash_is_reported(db) -> None:
    make(4)
    note = Note.get(Note.seq == 2)
    note.text = "rewritten"
    new_hash = notes_module.entry_hash(notes_module.hashed_content(note), note.prev_hash)
    Note.update(text="rewritten", hash=new_hash).where(Note.seq == 2).execute()
    assert [p.split(": ")[:2] for p in problems()] == [[note.ref, "edited"]]


def test_deleted_entries_are_reported(db) -> None:
    made = make(6)
    Note.delete().where(Note.seq == 3).execute()
    found = problems("deleted")
    assert found == [f"{made[3].ref}: deleted: 1 entry(ies) missing before it"]
    Note.delete().where(Note.seq == 6).execute()
    assert any("deleted at the end" in p for p in problems("deleted"))


def test_reordered_entries_are_reported(db) -> None:
    make(4)
    # Swap the positions of entries 2 and 3, keeping everything else.
    Note.update(seq=100).where(Note.seq == 2).execute()
    Note.update(seq=2).where(Note.seq == 3).execute()
    Note.update(seq=3).where(Note.seq == 100).execute()
    found = problems("reordered")
    assert found and all("reordered" in p for p in found)
    assert not problems("edited")


def test_concurrent_writers_keep_one_chain(db) -> None:
    """Two connections appending at once (two bot instances) interleave without a gap."""
    errors: list[Exception] = []

    def writer(name: str) -> None:
        try:
            with database.connection_context():
                for i in range(25):
                    add_note(entry(f"{name} {i}"), f"{name}-{i}")
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [n.seq for n in Note.select().order_by(Note.seq)] == list(range(1, 51))
    assert verify().ok


def _backdated(days: int, n: int, start: int) -> None:
    add_notes(
        ((entry(f"old {i}"), f"old-{i}") for i in range(start, start + n)),
        when=now() - timedelta(days=days),
    )


def test_purge_removes_a_prefix_and_verification_goes_on(db) -> None:
    _backdated(400, 3, 0)
    _backdated(100, 2, 3)
    make(2, start=10)
    drafts.begin(CHAT, USER, "m:1:9", text="left open")
    NoteDraft.update(updated_at=now() - timedelta(days=40)).execute()

    dry = purge(365, dry_run=True)
    assert dry.removed == 3 and Note.select().count() == 7
    result = purge(365, actor=None)
    assert result.removed == 3 and result.through.endswith("000003") and result.drafts == 1
    assert Note.select().count() == 4
    check = verify()
    assert check.ok and check.base_seq == 3 and check.first.endswith("000004")
    [row] = Audit.select().where(Audit.action == "notes_purge")
    assert "3 notes older than 365 days" in row.detail and row.target.endswith("000003")

    assert purge(365).removed == 0  # nothing more is past retention; still audited
    assert Audit.select().where(Audit.action == "notes_purge").count() == 2
    make(1, start=20)
    assert verify().ok

    Audit.delete().where(Audit.action == "notes_purge").execute()
    assert any("checkpoint is not in the audit" in p for p in problems())


def test_purge_refuses_while_the_chain_is_broken(db) -> None:
    _backdated(400, 3, 0)
    Note.update(text="tampered").where(Note.seq == 1).execute()
    result = purge(365)
    assert result.refused and result.removed == 0
    assert Note.select().count() == 3  # the evidence of tampering is kept


def test_export_rows_range_corrections_and_csv(db) -> None:
    first, _ = add_note(entry("=SUM(A1) flat 3 with new faces", category="cuckooed"), "k1")
    add_note(entry("Correct flat is 4", amends=first.ref, reason="wrong flat"), "k2")
    rows = export_rows(None, None, "Europe/London")
    assert [r["ref"] for r in rows] == [first.ref, first.ref[:-1] + "2"]
    assert rows[0]["corrected_by"] == [rows[1]["ref"]] and rows[1]["amends"] == first.ref
    text = to_csv(rows).decode("utf-8-sig")
    assert "'=SUM(A1) flat 3" in text and "wrong flat" in text
    tomorrow = now() + timedelta(days=1)
    assert export_rows(tomorrow, None, "Europe/London") == []


def test_day_bounds_follow_uk_time() -> None:
    summer = day_bounds(date(2026, 7, 1), date(2026, 7, 1), "Europe/London")
    assert summer == (datetime(2026, 6, 30, 23, 0), datetime(2026, 7, 1, 23, 0))
    winter = day_bounds(date(2026, 12, 1), None, "Europe/London")
    assert winter == (datetime(2026, 12, 1, 0, 0), None)


def test_weekly_stats_by_category_and_indicator(db) -> None:
    add_note(entry("a", category="vehicle", tags=("t#1", "t#2")), "s1")
    add_note(entry("b", category="vehicle", tags=("t#1",)), "s2")
    add_note(entry("c"), "s3")
    add_note(entry("fix", amends="FN-2026-000001", reason="typo"), "s4")  # not counted
    stats = weekly_stats(3, "Europe/London")
    assert len(stats.weeks) == 3 and stats.weeks[-1].weekday() == 0
    assert stats.total == 3
    assert stats.by_category["vehicle"][-1] == 2 and stats.by_category[""][-1] == 1
    assert stats.by_indicator == {"t#1": [0, 0, 2], "t#2": [0, 0, 1]}


def test_tags_and_location_survive_the_round_trip(db) -> None:
    note, _ = add_note(entry("x", latitude=51.1234567, longitude=-0.7654321, tags=("a#b",)), "r")
    stored = Note.get_by_id(note.seq)
    assert json.loads(stored.tags) == ["a#b"]
    assert stored.latitude == pytest.approx(51.123457, abs=1e-9)
    assert verify().ok
