"""Durability as deployed: a writer killed with SIGKILL loses no acknowledged note, and the
`notes` command line finds a tampered row. Real processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bot.core.notes.chain import verify
from bot.core.notes.log import Note
from bot.core.storage.db import open_database
from bot.core.storage.schema import MODELS
from tests.support import ROOT, cli

WRITER = r"""
import sys
from bot.core.storage.db import open_database
from bot.core.notes.log import NoteInput, add_note
from bot.core.storage.schema import MODELS

open_database(sys.argv[1], MODELS)
n = 0
while True:
    note, _ = add_note(
        NoteInput(author_id=5150, author_name="Pat Placeholder", text=f"observation {n} " * 20),
        f"durability-{n}",
    )
    print(note.ref, flush=True)  # printed only after the commit: an acknowledgement
    n += 1
"""


def notes_command(db_url: str, *args: str) -> subprocess.CompletedProcess:
    return cli("notes", *args, DATABASE_URL=db_url)


def kill_a_busy_writer(db_url: str, wanted: int = 300) -> list[str]:
    """Start the writer, SIGKILL it mid-stream; the refs it acknowledged."""
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, db_url], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    acknowledged: list[str] = []
    deadline = time.monotonic() + 30
    while len(acknowledged) < wanted and time.monotonic() < deadline:
        line = writer.stdout.readline()
        if not line:
            break
        acknowledged.append(line.strip())
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=10)
    # Read through the file object, not `communicate(timeout=...)`, which reads the pipe
    # itself and loses what `readline` had already buffered: acknowledged refs went missing.
    rest = writer.stdout.read()
    writer.stdout.close()
    # Whatever it printed before dying was acknowledged too; a half-printed line was not.
    acknowledged += [line for line in rest.split("\n")[:-1] if line]
    assert writer.returncode == -signal.SIGKILL
    return acknowledged


def test_sigkill_loses_no_acknowledged_note_and_tampering_is_found(db_url, tmp_path) -> None:
    acknowledged = kill_a_busy_writer(db_url)
    assert len(acknowledged) >= 300

    db = open_database(db_url, MODELS)
    try:
        stored = {ref for (ref,) in Note.select(Note.ref).tuples()}
        assert set(acknowledged) <= stored
        assert len(stored) - len(acknowledged) <= 1  # at most the one being printed
        assert verify().ok
    finally:
        db.close()

    clean = notes_command(db_url, "verify")
    assert clean.returncode == 0, clean.stderr
    assert f"{len(stored)} entries" in clean.stdout and ": OK" in clean.stdout

    # Tamper with one row behind the bot's back: in the file itself for SQLite.
    victim = acknowledged[41]
    if db_url.startswith("sqlite"):
        raw = sqlite3.connect(db_url.split("sqlite:///", 1)[1])
        raw.execute("UPDATE note SET text = 'nothing seen' WHERE ref = ?", (victim,))
        raw.commit()
        raw.close()
    else:
        db = open_database(db_url, MODELS)
        db.execute_sql("UPDATE note SET text = 'nothing seen' WHERE ref = %s", (victim,))
        db.close()
    tampered = notes_command(db_url, "verify")
    assert tampered.returncode == 1
    lines = tampered.stdout.splitlines()
    assert lines[0] == f"{victim}: edited: its content no longer matches its hash"
    assert "1 problem(s)" in lines[-1]

    refused = notes_command(db_url, "purge", "--older-than", "1")
    assert refused.returncode == 1 and "refused" in refused.stdout


def test_export_and_purge_from_the_command_line(sqlite_url, tmp_path: Path) -> None:
    from bot.core.notes.log import NoteInput, add_note

    db = open_database(sqlite_url, MODELS)
    try:
        add_note(NoteInput(author_id=1, text="+44 7700 900123 rang the runner"), "cli-1")
        add_note(NoteInput(author_id=1, text="Cuckooed flat, £20 deals, Mill Lane"), "cli-2")
    finally:
        db.close()
    out = tmp_path / "notes.csv"
    exported = notes_command(sqlite_url, "export", "--out", str(out))
    assert exported.returncode == 0 and "2 entries" in exported.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["text"] for r in rows] == ["'+44 7700 900123 rang the runner", rows[1]["text"]]
    assert "£20" in rows[1]["text"]

    as_json = notes_command(sqlite_url, "export", "--format", "json", "--from", "2020-01-01")
    data = json.loads(as_json.stdout)
    assert data["count"] == 2 and data["from"] == "2020-01-01"
    assert data["notes"][0]["text"].startswith("+44")  # JSON keeps the exact text

    bad = notes_command(sqlite_url, "export", "--from", "yesterday")
    assert bad.returncode == 2 and "not a date" in bad.stderr

    purged = notes_command(sqlite_url, "purge", "--older-than", "30")
    assert purged.returncode == 0, purged.stderr
    assert "removed 0 notes older than 30 days" in purged.stdout
    db = open_database(sqlite_url, MODELS)
    try:
        from bot.core.access.users import Audit

        [row] = Audit.select().where(Audit.action == "notes_purge")
        assert row.actor is None and "0 notes older than 30 days" in row.detail
        assert Note.select().count() == 2
    finally:
        db.close()
