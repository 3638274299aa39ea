"""Issue 12, notes integrity: truncation and rewinding are found, a keyed chain cannot be
rebuilt from the database alone, and `notes export --out` never destroys data. Real
`run_bot.py notes` processes on a real database (SQLite, and PostgreSQL where it runs)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from bot.core.db import open_database
from bot.core.notes import Note, NoteChain, NoteInput, add_note, entry_hash, hashed_content
from tests.conftest import ROOT

KEY = "a-long-random-chain-key-kept-outside-the-database"


def cli(db_url: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NOTES_CHAIN_KEY"))
    }
    environ.update(DATABASE_URL=db_url, **env)
    return subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), "notes", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environ,
        timeout=60,
    )


def write_notes(db_url: str, n: int, key: str | None = None, start: int = 0) -> None:
    from bot.core import notes

    db = open_database(db_url)
    if key:
        notes.use_chain_key(key)
    try:
        for i in range(start, start + n):
            add_note(NoteInput(author_id=5150, text=f"observation {i}"), f"integrity-{i}")
    finally:
        if key:
            notes.use_chain_key(None)
        db.close()


def sql(db_url: str, *statements: str) -> None:
    db = open_database(db_url)
    try:
        for statement in statements:
            db.execute_sql(statement)
    finally:
        db.close()


def head_hash(result: subprocess.CompletedProcess) -> str:
    return re.search(r"chain head ([0-9a-f]{64})", result.stdout).group(1)


def test_verify_finds_every_note_deleted_with_the_head(db_url) -> None:
    write_notes(db_url, 5)
    assert cli(db_url, "verify").returncode == 0
    sql(db_url, "DELETE FROM note", "DELETE FROM note_chain")
    result = cli(db_url, "verify")
    assert result.returncode == 1, result.stdout
    assert "truncated or rewound" in result.stdout


def test_verify_finds_the_head_wound_back(db_url) -> None:
    write_notes(db_url, 5)
    before = cli(db_url, "verify")
    recorded = head_hash(before)
    db = open_database(db_url)
    try:
        fourth = Note.get(Note.seq == 4)
        Note.delete().where(Note.seq == 5).execute()
        NoteChain.update(seq=4, hash=fourth.hash).execute()
    finally:
        db.close()
    result = cli(db_url, "verify")
    assert result.returncode == 1 and "truncated or rewound" in result.stdout, result.stdout
    # Even with the audit checkpoints gone too, the head recorded elsewhere finds it.
    sql(db_url, "DELETE FROM audit")
    assert cli(db_url, "verify").returncode == 0  # what the database alone can tell
    expected = cli(db_url, "verify", "--expect-head", recorded)
    assert expected.returncode == 1 and "expected head" in expected.stdout
    assert cli(db_url, "verify", "--expect-head", recorded[:16]).returncode == 1
    # A head recorded earlier is still found after the chain has grown.
    current = head_hash(cli(db_url, "verify"))
    write_notes(db_url, 2, start=10)
    assert cli(db_url, "verify", "--expect-head", current).returncode == 0
    bad = cli(db_url, "verify", "--expect-head", "not-a-hash")
    assert bad.returncode == 2 and "not a chain head" in bad.stderr


def test_a_keyed_chain_cannot_be_rebuilt_from_the_database_alone(db_url) -> None:
    write_notes(db_url, 3)  # before the key: plain hashes, still verifiable
    write_notes(db_url, 3, key=KEY, start=3)
    assert cli(db_url, "verify", NOTES_CHAIN_KEY=KEY).returncode == 0
    # Someone with write access to the database rewrites note 5 and re-hashes the rest
    # (plain SHA-256, as the key is not in the database), head and checkpoints included.
    db = open_database(db_url)
    try:
        notes = list(Note.select().order_by(Note.seq))
        prev = notes[3].hash
        for note in notes[4:]:
            if note.seq == 5:
                note.text = "nothing seen"
            note.prev_hash = prev
            note.hash = prev = entry_hash(hashed_content(note), prev)
            note.save()
        NoteChain.update(hash=prev).execute()
        db.execute_sql("DELETE FROM audit")
    finally:
        db.close()
    keyed = cli(db_url, "verify", NOTES_CHAIN_KEY=KEY)
    assert keyed.returncode == 1, keyed.stdout
    assert "not keyed" in keyed.stdout
    wrong = cli(db_url, "verify", NOTES_CHAIN_KEY="another-key-entirely-0123456789")
    assert wrong.returncode == 1
