"""Who may use the bot: deny by default, one-time enrolment codes, roles, and an audit trail."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from peewee import AutoField, BigIntegerField, BooleanField, CharField, DateTimeField, TextField

from bot.core.clock import now
from bot.core.numbers import parse_int
from bot.core.storage.db import BaseModel

INVITE_TTL = timedelta(hours=24)


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    TRAINER = "trainer"
    ADMIN = "admin"


ASSIGNABLE = (Role.OFFICER, Role.SUPERVISOR, Role.TRAINER)


class User(BaseModel):
    id = BigIntegerField(primary_key=True)  # the Telegram user id
    name = CharField(max_length=200, default="")
    username = CharField(max_length=64, null=True, index=True)
    role = CharField(max_length=16, default=Role.OFFICER.value)
    active = BooleanField(default=True)
    enrolled_at = DateTimeField(default=now)
    revoked_at = DateTimeField(null=True)


class Invite(BaseModel):
    code_hash = CharField(max_length=64, primary_key=True)  # the code itself is never stored
    role = CharField(max_length=16, default=Role.OFFICER.value)
    created_by = BigIntegerField()
    created_at = DateTimeField(default=now)
    expires_at = DateTimeField()
    used_by = BigIntegerField(null=True)
    used_at = DateTimeField(null=True)


class Audit(BaseModel):
    id = AutoField()
    at = DateTimeField(default=now, index=True)
    actor = BigIntegerField(null=True)  # null for the command line
    action = CharField(max_length=32)
    target = CharField(max_length=100, default="")
    detail = TextField(default="")


def audit(actor: int | None, action: str, target: object = "", detail: str = "") -> None:
    Audit.create(actor=actor, action=action, target=str(target)[:100], detail=detail)


def code_hash(code: str) -> str:
    """How an enrolment code is stored: only its hash."""
    return hashlib.sha256(code.strip().encode()).hexdigest()


@dataclass(frozen=True)
class Enrolment:
    ok: bool
    reason: str = ""
    role: Role | None = None


class Access:
    """Decisions about people; `admin_ids` come from configuration and are always admins.

    Roles are cached for `cache_seconds`: every update asks, and a database round trip per
    update is the bot's biggest fixed cost. A change made here clears the cache at once; one
    made by another bot instance is seen within `cache_seconds`.
    """

    def __init__(self, admin_ids: frozenset[int], cache_seconds: float = 30.0) -> None:
        self.admin_ids = admin_ids
        self.cache_seconds = cache_seconds
        self._cache: dict[int, tuple[Role | None, float]] = {}
        # Run inside the enrolment's transaction with the invite used and the new user's id
        # (a trainer's invite puts the recruit in the trainer's cohort: `cohorts`).
        self.on_enrol: list[Callable[[Invite, int], None]] = []

    def cached_role(self, user_id: int) -> tuple[bool, Role | None]:
        """(known, role) without touching the database, for the event loop's fast path."""
        if user_id in self.admin_ids:
            return True, Role.ADMIN
        cached = self._cache.get(user_id)
        if cached and time.monotonic() - cached[1] < self.cache_seconds:
            return True, cached[0]
        return False, None

    def role_of(self, user_id: int) -> Role | None:
        known, role = self.cached_role(user_id)
        if known:
            return role
        user = User.get_or_none((User.id == user_id) & (User.active == True))
        found = Role(user.role) if user else None
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[user_id] = (found, time.monotonic())
        return found

    def forget(self, user_id: int) -> None:
        self._cache.pop(user_id, None)

    def create_invite(self, admin_id: int, role: Role = Role.OFFICER) -> tuple[str, datetime]:
        code = secrets.token_urlsafe(9)  # 12 URL-safe characters, fit for a /start deep link
        expires = now() + INVITE_TTL
        with User._meta.database.atomic():
            Invite.create(
                code_hash=code_hash(code), role=role.value, created_by=admin_id, expires_at=expires
            )
            audit(admin_id, "invite", role.value, f"expires {expires:%Y-%m-%d %H:%M} UTC")
        return code, expires

    def enrol(self, code: str, user_id: int, name: str, username: str | None) -> Enrolment:
        """Use a code once; the conditional update makes a race between two instances safe."""
        db = User._meta.database
        with db.atomic():
            invite = Invite.get_or_none(Invite.code_hash == code_hash(code))
            reason = (
                "unknown"
                if invite is None
                else "used"
                if invite.used_by is not None
                else "expired"
                if invite.expires_at < now()
                else None
            )
            if reason is not None:  # the code itself is never recorded
                audit(user_id, "enrol_failed", user_id, reason)
                return Enrolment(False, reason)
            assert invite is not None  # else the reason was "unknown"
            claimed = (
                Invite.update(used_by=user_id, used_at=now())
                .where((Invite.code_hash == invite.code_hash) & Invite.used_by.is_null())
                .execute()
            )
            if claimed != 1:
                audit(user_id, "enrol_failed", user_id, "used")
                return Enrolment(False, "used")
            role = Role(invite.role)
            User.insert(
                id=user_id,
                name=name[:200],
                username=username,
                role=role.value,
                active=True,
                enrolled_at=now(),
                revoked_at=None,
            ).on_conflict(
                conflict_target=[User.id],
                update={
                    User.name: name[:200],
                    User.username: username,
                    User.role: role.value,
                    User.active: True,
                    User.revoked_at: None,
                    User.enrolled_at: now(),
                },
            ).execute()
            audit(user_id, "enrol", user_id, f"role {role.value} (invite by {invite.created_by})")
            for hook in self.on_enrol:
                hook(invite, user_id)
        self.forget(user_id)
        return Enrolment(True, role=role)

    def find(self, who: str) -> User | None:
        """A user by numeric id or @username."""
        who = who.strip()
        if who.lstrip("-").isdecimal():
            number = parse_int(who)
            return None if number is None else User.get_or_none(User.id == number)
        name = who.lstrip("@")
        return User.get_or_none(User.username == name) if 0 < len(name) <= 64 else None

    def revoke(self, admin_id: int, who: str) -> User | None:
        user = self.find(who)
        if user is None or not user.active:
            return None
        with User._meta.database.atomic():
            User.update(active=False, revoked_at=now()).where(User.id == user.id).execute()
            audit(admin_id, "revoke", user.id, user.name)
        self.forget(user.id)
        return user

    def set_role(self, admin_id: int, who: str, role: Role) -> User | None:
        user = self.find(who)
        if user is None or not user.active:
            return None
        with User._meta.database.atomic():
            User.update(role=role.value).where(User.id == user.id).execute()
            audit(admin_id, "role", user.id, f"{user.role} -> {role.value}")
        self.forget(user.id)
        return user

    def users(self) -> list[User]:
        return list(User.select().where(User.active == True).order_by(User.enrolled_at))

    def members(self, role: Role) -> list[int]:
        query = User.select(User.id).where((User.active == True) & (User.role == role.value))
        return [u.id for u in query]
