"""What a note's hash covers is a stored format: pinned, versioned, and still verifying chains
written before any change."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.core.notes import chain as notes_chain
from bot.core.notes.log import (
    CONTENT,
    GENESIS,
    HASH_VERSION,
    NoteContent,
    NoteDraft,
    NoteInput,
    entry_hash,
    hashed_content,
)
from bot.core.storage.db import open_database
from bot.core.storage.schema import MODELS
from tests.fixtures import schema_v1

FIXED = {
    "ref": "FN-2026-000042",
    "created_at": datetime(2026, 11, 23, 14, 5, 6, 789),
    "author_id": 720001,
    "author_name": "Pat Example",
    "text": "Blue Audi outside 4 Example Street, two teenagers in and out all afternoon",
    "category": "vehicle",
    "urgency": "priority",
    "latitude": 51.5072,
    "longitude": -0.1276,
    "source_grade": "2",
    "info_grade": "B",
    "handling": "P",
    "tags": '["vehicle", "child_visitors"]',
    "amends": None,
    "reason": "",
}
# Version 1's hash of FIXED after GENESIS: if this changes, every stored note would fail
# `notes verify`. Cover a new field with a new HASH_VERSION instead of editing version 1.
GOLDEN_V1 = "dea760afce736c0c0a1a41fb69a698d1ab01e60b5f0de3ad3b869da97aa8ae5e"


def test_version_1_hash_of_a_fixed_note_is_pinned() -> None:
    assert entry_hash(hashed_content(FIXED, 1), GENESIS) == GOLDEN_V1
    assert "v" not in hashed_content(FIXED, 1)  # the form written before versions existed


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError):
        hashed_content(FIXED, HASH_VERSION + 1)


@pytest.mark.parametrize("name", CONTENT)
def test_every_field_an_officer_fills_in_is_covered_by_the_hash(name: str) -> None:
    """A field added to NoteContent but left out of the hash fails here: give the hash a new
    version that covers it."""
    changed = dict(FIXED)
    changed[name] = {"latitude": 1.0, "longitude": 2.0, "tags": '["other"]'}.get(name, "Z")
    before = entry_hash(hashed_content(FIXED), GENESIS)
    assert entry_hash(hashed_content(changed), GENESIS) != before


def test_note_and_draft_share_one_field_definition() -> None:
    from bot.core.notes.log import Note

    for model in (Note, NoteDraft):
        assert issubclass(model, NoteContent)
        assert set(CONTENT) <= set(model._meta.fields)
    assert set(CONTENT) <= set(NoteInput.__dataclass_fields__)


def test_a_chain_written_by_release_1_verifies(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'v1.db'}"
    from bot.core.storage.db import connect_url

    raw = connect_url(url)
    with raw.connection_context():
        fixture = schema_v1.build(raw)
    raw.close()
    db = open_database(url, MODELS)
    try:
        result = notes_chain.verify()
    finally:
        db.close()
    assert result.ok, result.problems
    assert result.checked == len(fixture["rows"]["note"]) == 4
