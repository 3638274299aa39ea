"""The access gate: runs before every handler and stops anything a caller may not do.

Deny by default: a stranger gets one polite answer an hour (to a message, a button or an inline
query) and nothing else, except the one thing they may do, `/start CODE` with a valid
enrolment code: five tries an hour, each failure audited.
"""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.core.access.commands import STRANGER, allowed
from bot.telegram import menus
from bot.telegram.basics import WELCOME
from bot.telegram.services import services
from bot.telegram.whoami import is_whoami, whoami

log = logging.getLogger(__name__)

ENROL_ATTEMPTS = 5  # enrolment codes a stranger may try an hour

REFUSAL = (  # also a button alert: at most 200 characters
    "This bot is for enrolled police officers only. Ask your force's bot administrator for an "
    "enrolment code (/whoami shows your user id), then send /start and the code."
)
SLOW_DOWN = "You're sending messages faster than I can answer. Please wait a minute and try again."
INLINE_BUTTON = "That button works only in a chat with me. Send me /help."
TOO_MANY = (
    "Too many enrolment codes tried. Please wait an hour, then send the code your force's bot "
    "administrator gave you."
)
BAD_CODE = {
    "unknown": "That enrolment code is not valid. Check it, or ask your force's bot "
    "administrator for a new one.",
    "used": "That enrolment code has already been used. Ask your force's bot administrator for "
    "a new one.",
    "expired": "That enrolment code has expired (codes last 24 hours). Ask your force's bot "
    "administrator for a new one.",
}


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Let enrolled officers through (within their rate limit); stop everyone else."""
    svc = services(context)
    user = update.effective_user
    if user is None or user.is_bot:
        raise ApplicationHandlerStop  # channel posts, polls, other bots: nothing to answer
    known, who = svc.access.cached_role(user.id)
    if not known:
        who = await svc.store.run(svc.access.role_of, user.id)
    if context.user_data is not None:
        context.user_data["role"] = who
    if who is None:
        await _stranger(update, context)
        raise ApplicationHandlerStop
    # Taps and inline queries come many to a message (a quiz round, a checklist, each pause
    # while typing @bot...): they get their own, larger allowance.
    tapping = update.callback_query is not None or update.inline_query is not None
    limiter = svc.tap_limiter if tapping else svc.limiter
    if not limiter.allow(user.id):
        if update.inline_query:
            await update.inline_query.answer([], cache_time=0, is_personal=True)  # never hang
        elif update.callback_query:
            await update.callback_query.answer(SLOW_DOWN)
        elif svc.limiter.should_warn(user.id) and update.effective_message:
            await update.effective_message.reply_text(SLOW_DOWN)
        raise ApplicationHandlerStop
    if update.callback_query is not None and update.callback_query.message is None:
        # A button under a message posted in inline mode: ours carry none, so it is forged or
        # from an old version; every handler below works on the message it came with.
        await update.callback_query.answer(INLINE_BUTTON, show_alert=True)
        raise ApplicationHandlerStop


async def _stranger(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A stranger costs next to nothing: one answer an hour for whatever they send, and at most
    `ENROL_ATTEMPTS` enrolment codes tried an hour (each failure audited). What a stranger may
    run is the commands table's (bot.core.access.commands): /whoami, and /start with a code."""
    svc = services(context)
    user = update.effective_user
    message = update.message
    text = (message.text or "") if message else ""
    if is_whoami(text) and allowed(STRANGER, "whoami"):
        await whoami(update, context)  # limited to a few an hour by itself
        return
    command, _, code = text.partition(" ")
    if (
        message
        and message.chat.type == ChatType.PRIVATE
        and command.split("@")[0] == "/start"
        and code.strip()
        and allowed(STRANGER, "start")
    ):
        await _enrol(update, context, code.strip())
        return
    if not svc.strangers.allow(user.id):
        return  # already answered this hour: silence, and no work
    if update.inline_query:
        await update.inline_query.answer([], cache_time=0, is_personal=True)
    elif update.callback_query:
        await update.callback_query.answer(REFUSAL, show_alert=True)
    elif message:
        await message.reply_text(REFUSAL)


async def _enrol(update: Update, context: ContextTypes.DEFAULT_TYPE, code: str) -> None:
    svc, user, message = services(context), update.effective_user, update.message
    if not svc.enrolments.allow(user.id):
        if svc.enrolments.should_warn(user.id):
            await message.reply_text(TOO_MANY)
        return
    result = await svc.store.run(svc.access.enrol, code, user.id, user.full_name, user.username)
    if result.ok:
        log.info("user %s enrolled as %s", user.id, result.role)
        await message.reply_text(
            f"Welcome, {html.escape(user.first_name)}: you're enrolled.\n\n{WELCOME}"
        )
        await menus.show(context.bot, user.id, result.role)
    else:
        await message.reply_text(BAD_CODE[result.reason])
