"""Upgrades keep data: a release-1 database, filled, upgraded through the real command line."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from peewee import CharField, Database
from playhouse.migrate import SchemaMigrator, migrate

from bot.core.access.users import Access, Role
from bot.core.storage import migrations
from bot.core.storage.db import connect_url, open_database
from bot.core.storage.migrations import SchemaTooNew, current_version, latest, upgrade
from bot.core.storage.schema import MODELS
from tests.fixtures import schema_v1
from tests.support import KNOWLEDGE, cli, stamp_newer_schema


def build_v1(url: str) -> dict:
    db = connect_url(url)
    with db.connection_context():
        fixture = schema_v1.build(db)
    db.close()
    return fixture


def _key_columns(model) -> list[str]:
    pk = model._meta.primary_key
    names = pk.field_names if hasattr(pk, "field_names") else [pk.name]
    return [model._meta.fields[n].column_name for n in names]


def kept_rows(model, frozen: list[dict]) -> int:
    """How many frozen rows are stored with every column unchanged (and nothing else is)."""
    if not frozen:
        return model.select().count()
    columns = list(frozen[0])
    keys = _key_columns(model)
    query = model.select(*[model._meta.columns[c] for c in columns]).tuples()
    stored = {}
    for values in query:
        row = dict(zip(columns, values, strict=True))
        stored[tuple(row[k] for k in keys)] = row
    assert len(stored) == len(frozen), model._meta.table_name
    kept = 0
    for row in frozen:
        found = stored[tuple(row[k] for k in keys)]
        bad = [c for c in columns if not _same(found[c], row[c])]
        assert not bad, (model._meta.table_name, row, bad)
        kept += 1
    return kept


def _same(stored: object, frozen: object) -> bool:
    if isinstance(frozen, dict) and "$dt" in frozen:
        return stored == datetime.fromisoformat(frozen["$dt"])
    if isinstance(frozen, dict) and "$date" in frozen:
        return stored == date.fromisoformat(frozen["$date"])
    if isinstance(frozen, bool):
        return bool(stored) is frozen
    return stored == frozen


def test_release_1_database_upgrades_with_every_row_intact(db_url: str) -> None:
    fixture = build_v1(db_url)
    out = cli("db", "upgrade", DATABASE_URL=db_url)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("db upgrade: schema version")
    assert "predates versioning" in out.stdout or "->" in out.stdout
    verify = cli("notes", "verify", DATABASE_URL=db_url)
    assert verify.returncode == 0, verify.stdout
    assert "4 entries" in verify.stdout and ": OK" in verify.stdout

    db = open_database(db_url, MODELS)
    try:
        with db.connection_context():
            assert current_version(db) == latest()
            for model in MODELS:
                frozen = fixture["rows"].get(model._meta.table_name, [])
                assert [kept_rows(model, frozen)] == [len(frozen)], model._meta.table_name
            access = Access(frozenset())
            assert access.role_of(700002) is Role.SUPERVISOR
            assert access.role_of(700004) is None  # revoked stays revoked
            from bot.core.quiz.bank import QuizBank
            from bot.core.quiz.service import QuizService
            from bot.core.services import load_knowledge

            bank = QuizBank.cached(load_knowledge(KNOWLEDGE).kb)
            progress = QuizService(bank, ZoneInfo("Europe/London")).progress(700003)
            assert progress.answered == 3
    finally:
        db.close()


def test_an_upgraded_database_has_exactly_the_models_columns(db_url: str) -> None:
    build_v1(db_url)
    db = connect_url(db_url)
    upgrade(db, MODELS)
    with db.connection_context():
        for model in MODELS:
            stored = {c.name: c.null for c in db.get_columns(model._meta.table_name)}
            declared = {f.column_name: f.null for f in model._meta.sorted_fields}
            assert stored == declared, model._meta.table_name


def _add_gap_source(m: SchemaMigrator, db: Database) -> None:
    migrate(m.add_column("gap", "source", CharField(max_length=8, null=True)))


def test_a_new_migration_runs_once(db_url: str, monkeypatch) -> None:
    build_v1(db_url)
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, _add_gap_source])
    db = connect_url(db_url)
    first = upgrade(db, MODELS)
    assert (first.before, first.after) == (1, latest())
    assert upgrade(db, MODELS).changed is False
    with db.connection_context():
        assert "source" in [c.name for c in db.get_columns("gap")]
        assert current_version(db) == latest()
        assert db.execute_sql('SELECT COUNT(*) FROM "gap"').fetchone()[0] == 1


def test_a_failing_migration_changes_nothing(db_url: str, monkeypatch) -> None:
    build_v1(db_url)

    def broken(m: SchemaMigrator, db: Database) -> None:
        _add_gap_source(m, db)
        raise RuntimeError("half way")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, broken])
    db = connect_url(db_url)
    with pytest.raises(RuntimeError):
        upgrade(db, MODELS)
    with db.connection_context():
        assert "source" not in [c.name for c in db.get_columns("gap")]
        assert "schema_version" not in db.get_tables()  # even the version stamp rolled back
        assert current_version(db) == 1


def test_a_newer_database_is_refused(db_url: str) -> None:
    stamp_newer_schema(db_url)
    bot = {
        "TELEGRAM_BOT_TOKEN": "123456:TEST-token",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
    }
    for args, env in (
        (("db", "upgrade"), {}),
        (("notes", "verify"), {}),
        (("serve",), bot),  # refused before the Bot API is ever called
        (("console",), {}),
    ):
        out = cli(*args, DATABASE_URL=db_url, stdin="/note a note\n", **env)
        assert out.returncode == 2, out.stdout
        assert "Traceback" not in out.stderr
        line = out.stderr.strip().splitlines()[-1]  # after serve's "starting ..." line
        assert f"schema is version {latest() + 1}" in line and "newer release" in line
    with pytest.raises(SchemaTooNew):
        open_database(db_url, MODELS)


def test_an_empty_database_starts_at_the_latest_version(db_url: str) -> None:
    db = connect_url(db_url)
    result = upgrade(db, MODELS)
    assert (result.before, result.after) == (0, latest())
    assert upgrade(db, MODELS).changed is False
    with db.connection_context():
        assert current_version(db) == latest()
