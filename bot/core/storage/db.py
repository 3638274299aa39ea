"""One database for everything that must survive a restart: SQLite by default, PostgreSQL by URL.

Models bind to `database`, a proxy initialised once at start-up (`open_database`), so the same
code runs on an embedded SQLite file or on a PostgreSQL shared by several bot instances.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from peewee import BaseQuery, Database, DatabaseProxy, Model, SqliteDatabase
from playhouse.db_url import connect

log = logging.getLogger(__name__)

database = DatabaseProxy()

# WAL + synchronous=FULL: every acknowledged commit survives a crash or power loss; the write
# rate of a notes log makes the extra fsync irrelevant.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",
    "busy_timeout": 5000,
    "foreign_keys": 1,
    "cache_size": -16000,
}


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


def tuples(query: BaseQuery) -> Iterator[tuple[Any, ...]]:
    """A query's rows as plain tuples, typed as such (peewee's stubs say model instances)."""
    return iter(query.tuples())


def sqlite_path(url: str) -> Path | None:
    """The file of a `sqlite:///relative` or `sqlite:////absolute` URL; None otherwise."""
    if not urlparse(url).scheme.startswith("sqlite"):
        return None
    path = url.split("://", 1)[1].lstrip("/") if "://" in url else url
    if not path or path == ":memory:":
        return None
    return Path("/" + path if url.startswith("sqlite:////") else path)


def connect_url(url: str) -> Database:
    """A peewee database for `sqlite:///path` or `postgresql://...` (pragmas for SQLite).

    A new SQLite file is created mode 0600 (its directory 0700): it holds notes and names, and
    SQLite gives its -wal and -shm files the same permissions.
    """
    scheme = urlparse(url).scheme
    if scheme.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not path.exists():
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        return connect(url, pragmas=SQLITE_PRAGMAS)
    if scheme in ("postgres", "postgresql"):
        url = "postgresql" + url[len(scheme) :]
    return connect(url)


def open_database(url: str, models: Sequence[type[Model]], upgrade: bool = True) -> Database:
    """Connect, bind the models and bring their schema up to date (`migrations.upgrade`).

    The caller says which models (the bot's: `bot.core.storage.schema.MODELS`), so this
    module imports no feature and no feature's module imports back into it.
    Raises `SchemaTooNew` for a database written by a newer release. With `upgrade=False`
    (the doctor, a backup) nothing is changed and an old schema is left for the caller to report.
    """
    from bot.core.storage.migrations import check_not_newer, current_version
    from bot.core.storage.migrations import upgrade as upgrade_schema

    db = connect_url(url)
    database.initialize(db)
    if upgrade:
        result = upgrade_schema(db, list(models))
        if result.changed and result.before:
            log.info(result.summary())
    else:
        with db.connection_context():
            check_not_newer(current_version(db))
    return db


def is_sqlite(db: Database) -> bool:
    return isinstance(db, SqliteDatabase)
