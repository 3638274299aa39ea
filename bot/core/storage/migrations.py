"""The schema's version history: every change to a table ships as a numbered migration here.

The database remembers the version it is at (`schema_version`). At start-up (`open_database`)
and with `run_bot.py db upgrade`, the migrations it has not had yet run in order, all of them in
one transaction (SQLite and PostgreSQL both roll DDL back), so a failed upgrade leaves the
database as it was. A database newer than this code is refused rather than half understood.

Version 1 is the schema as first released. A database made before versioning existed has
today's tables and no `schema_version`: it is recognised as version 1. An empty database gets
the current models' tables and is stamped with the latest version straight away.

Adding a migration is one function, appended to `MIGRATIONS`:

    @migration
    def add_note_shift(m: SchemaMigrator, db: Database) -> None:
        \"\"\"v2: the shift a note was written on.\"\"\"
        migrate(m.add_column("note", "shift", CharField(max_length=8, null=True)))
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from peewee import Database, DateTimeField, IntegerField, Model, PostgresqlDatabase
from playhouse.migrate import SchemaMigrator

from bot.core.clock import now

log = logging.getLogger(__name__)

Migration = Callable[[SchemaMigrator, Database], None]
MIGRATIONS: list[Migration] = []

# Tables every database made before versioning has: their presence identifies version 1.
BASELINE_TABLES = ("user", "invite", "audit", "note", "note_chain")


def migration(func: Migration) -> Migration:
    """Register `func` as the next version (its position in MIGRATIONS, counted from 1)."""
    MIGRATIONS.append(func)
    return func


@migration
def baseline(m: SchemaMigrator, db: Database) -> None:
    """v1: the schema as first released (tables created from the models, see `upgrade`)."""


@migration
def cohorts_feedback_reasons_keys_consumed(m: SchemaMigrator, db: Database) -> None:
    """v2: trainers' cohorts, "Wrong answer?" reasons, the server's secret keys and the chat
    messages a note has consumed (new tables only; nothing existing changes)."""
    from bot.core.access.keys import ServerKey
    from bot.core.feedback import FeedbackDetail
    from bot.core.notes.drafts import ConsumedMessage
    from bot.core.quiz.cohorts import Cohort, CohortInvite, CohortMember

    db.create_tables(
        [ServerKey, FeedbackDetail, ConsumedMessage, Cohort, CohortMember, CohortInvite],
        safe=True,
    )


def latest() -> int:
    return len(MIGRATIONS)


class SchemaTooNew(Exception):
    """The database was upgraded by a newer release than this code."""


class SchemaVersion(Model):
    """One row per applied version: when each upgrade happened is worth keeping."""

    version = IntegerField(primary_key=True)
    applied_at = DateTimeField(default=now)

    class Meta:
        table_name = "schema_version"


@dataclass(frozen=True)
class Upgrade:
    before: int  # 0: an empty database
    after: int
    stamped: bool = False  # a database from before versioning got its version recorded

    @property
    def changed(self) -> bool:
        return self.after != self.before

    def summary(self) -> str:
        if not self.changed:
            known = " (recorded: it predates versioning)" if self.stamped else ""
            return f"db upgrade: schema version {self.after} is current{known}"
        if self.before == 0:
            return f"db upgrade: new database created at schema version {self.after}"
        return f"db upgrade: schema version {self.before} -> {self.after}"


def current_version(db: Database) -> int:
    """The version the database is at: 0 when empty, 1 when it predates versioning."""
    tables = set(db.get_tables())
    if SchemaVersion._meta.table_name in tables:
        with SchemaVersion.bind_ctx(db):
            found = (
                SchemaVersion.select(SchemaVersion.version)
                .order_by(SchemaVersion.version.desc())
                .first()
            )
        if found is not None:
            return found.version
    return 1 if all(t in tables for t in BASELINE_TABLES) else 0


def check_not_newer(version: int) -> None:
    if version > latest():
        raise SchemaTooNew(
            f"database schema is version {version} but this code knows only up to "
            f"{latest()}: run the newer release (or restore a backup taken for this one)"
        )


def upgrade(db: Database, models: Sequence[type[Model]]) -> Upgrade:
    """Bring `db` to the latest version in one transaction; create tables new models need."""
    with db.connection_context(), db.bind_ctx([*models, SchemaVersion]), db.atomic():
        if isinstance(db, PostgresqlDatabase):
            # Two instances starting together: the second waits, then finds nothing to do.
            db.execute_sql("SELECT pg_advisory_xact_lock(20261201)")
        before = current_version(db)
        check_not_newer(before)
        db.create_tables([SchemaVersion], safe=True)
        if before == 0:
            db.create_tables(models, safe=True)
            SchemaVersion.create(version=latest())
            return Upgrade(0, latest())
        stamped = not SchemaVersion.select().exists()
        if stamped:
            SchemaVersion.create(version=before)  # a database from before versioning
        migrator = SchemaMigrator.from_database(db)
        for version in range(before + 1, latest() + 1):
            step = MIGRATIONS[version - 1]
            log.info("schema: applying v%d (%s)", version, step.__name__)
            step(migrator, db)
            SchemaVersion.create(version=version)
        # A brand-new table needs no more than its model in schema.MODELS.
        db.create_tables(models, safe=True)
    return Upgrade(before, latest(), stamped)
