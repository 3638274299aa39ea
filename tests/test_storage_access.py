"""Access control and the curators' logs on a real SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.access.users import Access, Audit, Invite, Role, User
from bot.core.clock import now
from bot.core.feedback import recent_feedback, record_feedback, record_gap, top_gaps
from bot.core.storage.db import database, open_database
from bot.core.storage.schema import MODELS

ADMIN = 1


@pytest.fixture
def access(db_url):
    db = open_database(db_url, MODELS)
    yield Access(frozenset({ADMIN}), cache_seconds=0)
    db.close()


def test_deny_by_default_and_admins_from_config(access: Access) -> None:
    assert access.role_of(ADMIN) is Role.ADMIN
    assert access.role_of(42) is None


def test_code_enrols_once_then_is_spent(access: Access) -> None:
    code, expires = access.create_invite(ADMIN, Role.SUPERVISOR)
    assert expires - now() <= timedelta(hours=24)
    assert Invite.select().count() == 1
    assert Invite.get().code_hash != code  # only the hash is stored
    first = access.enrol(code, 42, "Alex Example", "alex")
    assert first.ok and first.role is Role.SUPERVISOR
    assert access.role_of(42) is Role.SUPERVISOR
    second = access.enrol(code, 43, "Sam Sample", None)
    assert not second.ok and second.reason == "used"
    assert access.role_of(43) is None
    assert not access.enrol("nope", 44, "x", None).ok


def test_expired_code_is_refused(access: Access) -> None:
    code, _ = access.create_invite(ADMIN)
    Invite.update(expires_at=now() - timedelta(minutes=1)).execute()
    result = access.enrol(code, 42, "Alex Example", None)
    assert not result.ok and result.reason == "expired"


def test_revoke_role_and_audit_trail(access: Access) -> None:
    code, _ = access.create_invite(ADMIN)
    access.enrol(code, 42, "Alex Example", "alex")
    assert access.set_role(ADMIN, "@alex", Role.TRAINER) is not None
    assert access.role_of(42) is Role.TRAINER
    assert access.members(Role.TRAINER) == [42]
    assert access.revoke(ADMIN, "42") is not None
    assert access.role_of(42) is None
    assert access.revoke(ADMIN, "42") is None  # already revoked
    assert [u.id for u in access.users()] == []
    actions = [a.action for a in Audit.select().order_by(Audit.id)]
    assert actions == ["invite", "enrol", "role", "revoke"]
    code, _ = access.create_invite(ADMIN)
    assert access.enrol(code, 42, "Alex Example", "alex").ok  # re-enrolled with a new code
    assert User.get_by_id(42).revoked_at is None


def test_role_cache_is_cleared_by_local_changes(db_url) -> None:
    db = open_database(db_url, MODELS)
    access = Access(frozenset(), cache_seconds=300)
    code, _ = access.create_invite(ADMIN)
    assert access.role_of(42) is None  # cached as a stranger...
    access.enrol(code, 42, "Alex Example", None)
    assert access.role_of(42) is Role.OFFICER  # ...until enrolment clears it
    access.revoke(ADMIN, "42")
    assert access.role_of(42) is None
    db.close()


def test_gaps_group_by_wording_without_user_ids(access: Access) -> None:
    for text in ["Best pizza?", "best  pizza", "weather", "  "]:
        record_gap(text)
    gaps = top_gaps()
    assert [n for _, n in gaps] == [2, 1]
    assert gaps[0][0].casefold().startswith("best") and gaps[1][0] == "weather"
    assert "user" not in {f.name for f in database.get_columns("gap")}
    record_feedback("ddtro", "what is a ddtro")
    assert [(f.topic_id, f.question) for f in recent_feedback()] == [("ddtro", "what is a ddtro")]
