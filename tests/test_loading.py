"""One loader checks the whole bundle for every adapter, and the database module imports no
feature: it creates the models it is given."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.access.users import Audit, Invite, User
from bot.core.services import Knowledge, KnowledgeError, load_knowledge
from bot.core.storage.db import open_database
from tests.support import ROOT


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", copy, ignore=shutil.ignore_patterns("eval"))
    return copy


def test_the_bundle_holds_everything_an_adapter_needs(knowledge: Knowledge) -> None:
    assert knowledge.quiz_bank is not None and knowledge.quiz_bank.questions
    assert not knowledge.quiz_bank.errors
    assert knowledge.referral is not None and knowledge.indicators is not None
    assert knowledge.contacts is not None


def test_a_broken_quiz_bank_stops_every_adapter(knowledge_copy: Path) -> None:
    added = knowledge_copy / "quiz" / "added.yaml"
    added.write_text(added.read_text().replace("answer: 1", "answer: 9", 1))
    with pytest.raises(KnowledgeError, match=r"added\.yaml"):
        load_knowledge(knowledge_copy)
    assert load_knowledge(knowledge_copy, strict=False).quiz_bank.errors  # curators' tools


def test_a_broken_referral_flow_stops_every_adapter(knowledge_copy: Path) -> None:
    (knowledge_copy / "referral.yaml").write_text("start: nowhere\nquestions: {}\n")
    with pytest.raises(KnowledgeError, match=r"referral\.yaml"):
        load_knowledge(knowledge_copy)
    assert load_knowledge(knowledge_copy, strict=False).referral is None


def test_the_database_module_imports_no_feature() -> None:
    code = (
        "import sys, bot.core.storage.db; "
        "print(sorted(m for m in sys.modules"
        " if m.startswith('bot.') and m != 'bot.core.storage.db'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "['bot.core', 'bot.core.storage']"


def test_opening_the_database_creates_the_models_given(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'access.db'}", [User, Invite, Audit])
    try:
        tables = set(db.get_tables())
    finally:
        db.close()
    assert {"user", "invite", "audit"} <= tables
    assert not {"note", "quiz_round", "note_draft"} & tables
