"""`run_bot.py backup --out FILE`: a consistent copy of the live database, checked before trusted.

SQLite: the backup API copies a consistent snapshot while the bot keeps writing (readers and
the writer are not blocked for long). PostgreSQL: `pg_dump` in its custom format, restored into
a scratch database to be checked. Either way the copy is created readable by its owner only
(it holds every note), then `notes verify` runs on the copy, and the backup is recorded in the
audit table (what `/status` shows as the last backup).
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse, urlunparse

from peewee import Database, SqliteDatabase
from playhouse.db_url import connect

from bot.core.storage.db import database, sqlite_path

AUDIT_ACTION = "backup"


@dataclass
class BackupResult:
    ok: bool
    lines: list[str] = field(default_factory=list)


def private_file(path: Path) -> None:
    """Create `path` empty with mode 0600, whatever the umask (refusing an existing file)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


@contextmanager
def bound(db: Database) -> Iterator[None]:
    """Point the models at `db` for a while (the live database is restored afterwards)."""
    previous = database.obj
    database.initialize(db)
    try:
        with db.connection_context():
            yield
    finally:
        if previous is not None:
            database.initialize(previous)


def verify_copy(db: Database) -> tuple[bool, str]:
    from bot.core.notes.chain import verify
    from bot.core.storage.migrations import current_version

    with bound(db):
        result = verify()
        version = current_version(db)
    return result.ok, f"{result.summary()} (schema version {version})"


def backup(url: str, out: Path) -> BackupResult:
    if out.exists():
        return BackupResult(False, [f"backup: {out} exists; choose a new name or remove it"])
    source = sqlite_path(url)
    if source is not None:
        return _sqlite(source, out)
    return _postgres(url, out)


def _sqlite(source: Path, out: Path) -> BackupResult:
    if not source.exists():
        return BackupResult(False, [f"backup: no database at {source}"])
    if out.resolve() == source.resolve():
        return BackupResult(False, ["backup: --out is the live database itself"])
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    private_file(partial)
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        dst.close()
        src.close()
    os.replace(partial, out)
    copy = SqliteDatabase(str(out), pragmas={"query_only": 1})
    ok, summary = verify_copy(copy)
    size = out.stat().st_size
    return BackupResult(ok, [f"backup: {size} bytes to {out} (mode 0600)", f"copy: {summary}"])


def redacted_url(url: str) -> str:
    """The URL without its password: what may be printed."""
    parts = urlparse(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}@" if parts.username else ""
    return urlunparse(parts._replace(netloc=user + netloc))


def _schema(url: str) -> str | None:
    """The schema a `?options=-c search_path=NAME` URL confines the bot to, if any."""
    for option in parse_qs(urlparse(url).query).get("options", []):
        for part in option.replace("-c ", "\n").split("\n"):
            name, _, value = part.strip().partition("=")
            if name == "search_path" and value:
                return value.split(",")[0].strip()
    return None


def pg_dump_command(url: str, out: Path) -> list[str]:
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={out}"]
    schema = _schema(url)
    if schema:
        command.append(f"--schema={schema}")
    return [*command, redacted_url(url.replace("postgres://", "postgresql://", 1))]


def _postgres(url: str, out: Path) -> BackupResult:
    command = pg_dump_command(url, out)
    password = urlparse(url).password
    if shutil.which("pg_dump") is None:
        hint = " with PGPASSWORD set" if password else ""
        return BackupResult(
            False,
            [
                "backup: pg_dump is not installed here; on a machine with the PostgreSQL "
                f"client tools run{hint}:",
                "  " + " ".join(_quoted(c) for c in command),
                "  chmod 600 " + _quoted(str(out)),
            ],
        )
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = password  # not on the command line, where `ps` would show it
    out.parent.mkdir(parents=True, exist_ok=True)
    private_file(out)
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        out.unlink(missing_ok=True)
        return BackupResult(False, [f"backup: pg_dump failed: {done.stderr.strip()[:500]}"])
    os.chmod(out, 0o600)
    lines = [f"backup: {out.stat().st_size} bytes to {out} (pg_dump custom format, mode 0600)"]
    ok, summary = _check_dump(url, out, env)
    lines.append(f"copy: {summary}")
    return BackupResult(ok, lines)


def _check_dump(url: str, out: Path, env: dict[str, str]) -> tuple[bool, str]:
    """Restore the dump into a scratch database, verify the notes there, drop it."""
    import psycopg

    parts = urlparse(url.replace("postgres://", "postgresql://", 1))
    scratch = f"bot_backup_check_{secrets.token_hex(4)}"
    scratch_url = urlunparse(parts._replace(path="/" + scratch))
    try:
        admin = psycopg.connect(urlunparse(parts._replace(query="")), autocommit=True)
    except psycopg.Error as exc:
        return False, f"not verified: cannot connect ({type(exc).__name__})"
    try:
        try:
            admin.execute(f'CREATE DATABASE "{scratch}"')
        except psycopg.Error:
            return True, (
                "not verified: the database user may not create a scratch database to "
                "restore into (needs CREATEDB); `pg_restore --list` it, or verify after restoring"
            )
        restore = subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={redacted_url(scratch_url)}", str(out)],
            env=env,
            capture_output=True,
            text=True,
        )
        if restore.returncode != 0:
            return False, f"the dump does not restore: {restore.stderr.strip()[:300]}"
        copy = connect(scratch_url)
        try:
            return verify_copy(copy)
        finally:
            copy.close()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.close()


def _quoted(text: str) -> str:
    safe = all(c.isalnum() or c in "-_=./:@%" for c in text)
    return text if safe else "'" + text.replace("'", "'\\''") + "'"


def record(out: Path, summary: str) -> None:
    """Write a good backup into the live database's audit table (for /status)."""
    from bot.core.access.users import audit

    audit(None, AUDIT_ACTION, str(out)[-100:], summary)
