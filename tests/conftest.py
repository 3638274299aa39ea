"""Shared fixtures: the real knowledge base, loaded once per test session."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.core.services import Knowledge, load_knowledge
from tests.support import KNOWLEDGE


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge(KNOWLEDGE)


@pytest.fixture
def botapi():
    from tests.botapi import FakeBotAPI

    api = FakeBotAPI().start()
    yield api
    api.stop()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'bot.db'}"


PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin():
    import psycopg

    return psycopg.connect(PG_URL.replace("postgresql://", "postgresql://", 1), autocommit=True)


@pytest.fixture
def postgres_url():
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards.

    Skipped with the reason shown where no PostgreSQL answers (a laptop); CI sets
    REQUIRE_POSTGRES=1, where the same condition fails the test instead.
    """
    try:
        admin = _pg_admin()
    except Exception as exc:  # any failure to connect means "no PostgreSQL here"
        reason = f"no PostgreSQL at {PG_URL} ({type(exc).__name__}); set TEST_DATABASE_URL"
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(reason)
        pytest.skip(reason)
    schema = "t_" + uuid.uuid4().hex[:12]
    admin.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options={quote(f'-c search_path={schema}')}"
    admin.execute(f"DROP SCHEMA {schema} CASCADE")
    admin.close()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request):
    """Every storage test runs on both databases."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
async def bot(botapi, knowledge, sqlite_url):
    """The real Application polling the stand-in, on a fresh SQLite file."""
    from tests.support import running_bot

    async with running_bot(botapi, knowledge, sqlite_url) as harness:
        yield harness
