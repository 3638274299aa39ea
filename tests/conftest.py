"""Shared fixtures: the real knowledge base, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.services import Knowledge, load_knowledge

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"


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


@pytest.fixture
async def bot(botapi, knowledge, sqlite_url):
    """The real Application polling the stand-in, on a fresh SQLite file."""
    from tests.harness import Harness, settings_for, start_bot, stop_bot

    app = await start_bot(settings_for(botapi, sqlite_url), knowledge)
    yield Harness(botapi, app)
    await stop_bot(app)
