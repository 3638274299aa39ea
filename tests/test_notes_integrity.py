"""Issue 12, notes integrity: truncation and rewinding are found, a keyed chain cannot be
rebuilt from the database alone, and `notes export --out` never destroys data. Real
`run_bot.py notes` processes on a real database (SQLite, and PostgreSQL where it runs)."""

from __future__ import annotations

import re
import stat
import subprocess
from pathlib import Path

from bot.core.notes.log import Note, NoteChain, NoteInput, add_note, entry_hash, hashed_content
from bot.core.storage.db import open_database
from bot.core.storage.schema import MODELS
from tests.support import cli

KEY = "a-long-random-chain-key-kept-outside-the-database"


def notes_command(db_url: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return cli("notes", *args, DATABASE_URL=db_url, **env)


def write_notes(db_url: str, n: int, key: str | None = None, start: int = 0) -> None:
    from bot.core.notes import log as notes

    db = open_database(db_url, MODELS)
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
    db = open_database(db_url, MODELS)
    try:
        for statement in statements:
            db.execute_sql(statement)
    finally:
        db.close()


def head_hash(result: subprocess.CompletedProcess) -> str:
    return re.search(r"chain head ([0-9a-f]{64})", result.stdout).group(1)


def test_verify_finds_every_note_deleted_with_the_head(db_url) -> None:
    write_notes(db_url, 5)
    assert notes_command(db_url, "verify").returncode == 0
    sql(db_url, "DELETE FROM note", "DELETE FROM note_chain")
    result = notes_command(db_url, "verify")
    assert result.returncode == 1, result.stdout
    assert "truncated or rewound" in result.stdout


def test_verify_finds_the_head_wound_back(db_url) -> None:
    write_notes(db_url, 5)
    before = notes_command(db_url, "verify")
    recorded = head_hash(before)
    db = open_database(db_url, MODELS)
    try:
        fourth = Note.get(Note.seq == 4)
        Note.delete().where(Note.seq == 5).execute()
        NoteChain.update(seq=4, hash=fourth.hash).execute()
    finally:
        db.close()
    result = notes_command(db_url, "verify")
    assert result.returncode == 1 and "truncated or rewound" in result.stdout, result.stdout
    # Even with the audit checkpoints gone too, the head recorded elsewhere finds it.
    sql(db_url, "DELETE FROM audit")
    assert notes_command(db_url, "verify").returncode == 0  # what the database alone can tell
    expected = notes_command(db_url, "verify", "--expect-head", recorded)
    assert expected.returncode == 1 and "expected head" in expected.stdout
    assert notes_command(db_url, "verify", "--expect-head", recorded[:16]).returncode == 1
    # A head recorded earlier is still found after the chain has grown.
    current = head_hash(notes_command(db_url, "verify"))
    write_notes(db_url, 2, start=10)
    assert notes_command(db_url, "verify", "--expect-head", current).returncode == 0
    bad = notes_command(db_url, "verify", "--expect-head", "not-a-hash")
    assert bad.returncode == 2 and "not a chain head" in bad.stderr


def test_a_keyed_chain_cannot_be_rebuilt_from_the_database_alone(db_url) -> None:
    write_notes(db_url, 3)  # before the key: plain hashes, still verifiable
    write_notes(db_url, 3, key=KEY, start=3)
    assert notes_command(db_url, "verify", NOTES_CHAIN_KEY=KEY).returncode == 0
    # Someone with write access to the database rewrites note 5 and re-hashes the rest
    # (plain SHA-256, as the key is not in the database), head and checkpoints included.
    db = open_database(db_url, MODELS)
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
    keyed = notes_command(db_url, "verify", NOTES_CHAIN_KEY=KEY)
    assert keyed.returncode == 1, keyed.stdout
    assert "not keyed" in keyed.stdout
    wrong = notes_command(db_url, "verify", NOTES_CHAIN_KEY="another-key-entirely-0123456789")
    assert wrong.returncode == 1


def audited_exports(db_url: str) -> int:
    from bot.core.access.users import Audit

    db = open_database(db_url, MODELS)
    try:
        return Audit.select().where(Audit.action == "notes_export").count()
    finally:
        db.close()


def test_export_out_never_destroys_data(sqlite_url, tmp_path: Path) -> None:
    write_notes(sqlite_url, 3)
    database = Path(sqlite_url.split("sqlite:///", 1)[1])
    before = database.read_bytes()
    # The live database itself, directly or through a symlink: refused, untouched.
    link = tmp_path / "innocent.csv"
    link.symlink_to(database)
    for target in (database, link):
        for force in ([], ["--force"]):
            result = notes_command(sqlite_url, "export", "--out", str(target), *force)
            assert result.returncode == 2, result.stderr
            assert len(result.stderr.strip().splitlines()) == 1
    assert database.read_bytes()[:100] == before[:100]
    assert notes_command(sqlite_url, "verify").returncode == 0
    assert audited_exports(sqlite_url) == 0
    # A new file: created, private; an existing one: kept unless --force.
    out = tmp_path / "notes.csv"
    made = notes_command(sqlite_url, "export", "--out", str(out))
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_bytes().count(b"observation") == 3
    again = notes_command(sqlite_url, "export", "--out", str(out), "--format", "json")
    assert again.returncode == 2 and "--force" in again.stderr
    assert out.read_bytes().count(b"observation") == 3 and b"{" not in out.read_bytes()[:5]
    forced = notes_command(sqlite_url, "export", "--out", str(out), "--format", "json", "--force")
    assert forced.returncode == 0 and out.read_bytes().startswith(b"{")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert audited_exports(sqlite_url) == 2  # only the two that were written
    # Bad paths: one line each, nothing audited.
    for bad in (tmp_path / "missing" / "x.csv", tmp_path):
        result = notes_command(sqlite_url, "export", "--out", str(bad))
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert audited_exports(sqlite_url) == 2


def test_the_database_file_is_private(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh' / 'bot.db'}"
    assert notes_command(url, "verify").returncode == 0
    assert stat.S_IMODE((tmp_path / "fresh" / "bot.db").stat().st_mode) == 0o600
    write_notes(url, 1)
    for path in (tmp_path / "fresh").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_export_to_the_end_of_time(sqlite_url) -> None:
    write_notes(sqlite_url, 2)
    result = notes_command(sqlite_url, "export", "--from", "2000-01-01", "--to", "9999-12-31")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("observation") == 2


def test_export_out_works_on_either_database(db_url, tmp_path: Path) -> None:
    """Only a SQLite file has database files to guard; PostgreSQL's export must still write."""
    write_notes(db_url, 2)
    out = tmp_path / "notes.csv"
    made = notes_command(db_url, "export", "--out", str(out))
    assert made.returncode == 0, made.stderr
    assert out.read_bytes().count(b"observation") == 2
