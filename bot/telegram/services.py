"""The services one bot process shares, kept in `application.bot_data`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from telegram import Update
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.core.access.ratelimit import RateLimiter
from bot.core.access.users import Access, Role
from bot.core.services import Knowledge
from bot.core.storage.store import Store

if TYPE_CHECKING:
    Context = ContextTypes.DEFAULT_TYPE

# A /cancel hook: a sentence saying what it stopped, or None (False) when nothing was open.
Canceller = Callable[[Update, "Context"], Awaitable[str | bool | None]]


@dataclass
class BotServices:
    settings: Settings
    knowledge: Knowledge
    store: Store
    access: Access
    limiter: RateLimiter
    tap_limiter: RateLimiter  # button taps and inline queries
    strangers: RateLimiter  # one answer per stranger per hour
    enrolments: RateLimiter  # enrolment codes one stranger may try an hour
    cancellers: list[Canceller] = field(default_factory=list)


def services(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    return cast(BotServices, context.bot_data["services"])


def role(context: ContextTypes.DEFAULT_TYPE) -> Role | None:
    """The caller's role, set by the access gate for this update."""
    return cast(
        Role | None, context.user_data.get("role") if context.user_data is not None else None
    )
