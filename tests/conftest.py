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
