"""Backups as the README tells an administrator to take and restore them: real commands."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from bot.core.access.users import Access, Role
from bot.core.notes.log import NoteInput, add_note
from bot.core.services import Knowledge
from bot.core.storage.db import open_database, sqlite_path
from bot.core.storage.schema import MODELS
from tests.botapi import FakeBotAPI, plain
from tests.support import ADMIN, cli, run_bot, running_bot

OFFICER = 700101


def fill(url: str, notes: int) -> list[str]:
    db = open_database(url, MODELS)
    with db.connection_context():
        access = Access(frozenset({ADMIN}))
        code, _ = access.create_invite(ADMIN, Role.OFFICER)
        assert access.enrol(code, OFFICER, "Eve Invented", None).ok
        refs = [
            add_note(NoteInput(OFFICER, f"Test note {i} about Larkspur Close"), f"fill{i}")[0].ref
            for i in range(notes)
        ]
    db.close()
    return refs


def wipe(url: str) -> None:
    path = sqlite_path(url)
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    db = open_database(url, MODELS, upgrade=False)
    with db.connection_context():
        for table in db.get_tables():
            db.execute_sql(f'DROP TABLE "{table}" CASCADE')
        assert db.get_tables() == []
    db.close()


def restore(url: str, copy: Path) -> None:
    """The README's restore steps, word for word."""
    path = sqlite_path(url)
    if path is not None:
        shutil.copyfile(copy, path)
        path.chmod(0o600)
        return
    subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={url}", str(copy)],
        check=True,
    )


async def test_backup_wipe_restore_and_the_bot_has_every_note(
    db_url: str, tmp_path: Path, botapi: FakeBotAPI, knowledge: Knowledge
) -> None:
    if "postgresql" in db_url and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    refs = fill(db_url, 30)

    # The bot keeps writing while the backup runs: the copy must still be one consistent chain.
    stop = threading.Event()

    def writer() -> None:
        db = open_database(db_url, MODELS)
        with db.connection_context():
            n = 0
            while not stop.is_set() and n < 500:
                add_note(NoteInput(OFFICER, f"written during the backup {n}"), f"live{n}")
                n += 1
        db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    copy = tmp_path / "backups" / "bot-backup"
    try:
        out = run_bot("backup", "--out", str(copy), DATABASE_URL=db_url)  # beside a writer
    finally:
        stop.set()
        thread.join()
    assert out.returncode == 0, out.stdout + out.stderr
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert ": OK" in out.stdout and "copy: notes verify:" in out.stdout
    again = cli("backup", "--out", str(copy), DATABASE_URL=db_url)
    assert again.returncode == 1 and "exists" in again.stdout  # never overwrites

    wipe(db_url)
    restore(db_url, copy)
    verify = cli("notes", "verify", DATABASE_URL=db_url)
    assert verify.returncode == 0, verify.stdout
    exported = cli("notes", "export", "--format", "json", DATABASE_URL=db_url)
    kept = {n["ref"] for n in json.loads(exported.stdout)["notes"]}
    assert set(refs) <= kept

    # The bot starts on the restored database and the officer's notes are there.
    async with running_bot(botapi, knowledge, db_url) as bot:
        [reply] = await bot.say(OFFICER, "/mynotes")
        assert max(kept) in plain(reply.text)


def test_backup_of_a_missing_database_fails_politely(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'no.db'}"
    out = cli("backup", "--out", str(tmp_path / "x"), DATABASE_URL=missing)
    assert out.returncode == 1 and "no database at" in out.stdout
    assert not (tmp_path / "x").exists()


def test_without_pg_dump_the_exact_command_is_printed(tmp_path: Path) -> None:
    url = "postgresql://bot:s3cret-pw@db.example.invalid:5432/briefing"
    out = cli("backup", "--out", str(tmp_path / "b.dump"), DATABASE_URL=url, PATH="/nonexistent")
    assert out.returncode == 1
    assert "pg_dump --format=custom --no-owner" in out.stdout
    assert "postgresql://bot@db.example.invalid:5432/briefing" in out.stdout
    assert "s3cret" not in out.stdout + out.stderr and "PGPASSWORD" in out.stdout
