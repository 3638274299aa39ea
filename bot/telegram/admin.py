"""Admin commands: enrolment codes, revoking access, roles, and the curators' lists."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.access.users import ASSIGNABLE, Role
from bot.core.feedback import recent_feedback, top_gaps
from bot.telegram import menus
from bot.telegram.services import services

ROLES = ", ".join(r.value for r in ASSIGNABLE)


def _role_arg(text: str | None) -> Role | None:
    try:
        found = Role((text or "officer").lower())
    except ValueError:
        return None
    return found if found in ASSIGNABLE else None


async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Make a one-time enrolment code (24 hours), optionally for a role."""
    wanted = _role_arg(context.args[0] if context.args else None)
    if wanted is None:
        await update.effective_message.reply_text(f"Usage: /invite [{ROLES}]")
        return
    svc = services(context)
    code, expires = await svc.store.run(svc.access.create_invite, update.effective_user.id, wanted)
    link = f"https://t.me/{context.bot.username}?start={code}" if context.bot.username else ""
    await update.effective_message.reply_text(
        f"One-time enrolment code for a new <b>{wanted.value}</b>:\n<code>{code}</code>\n\n"
        f"They send <code>/start {code}</code> to me{', or open ' + link if link else ''}.\n"
        f"It works once and expires {expires:%d %b %H:%M} UTC. Share it only with that person."
    )


async def revoke(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remove someone's access by id or @username."""
    if not context.args:
        await update.effective_message.reply_text("Usage: /revoke USER (numeric id or @username)")
        return
    svc = services(context)
    user = await svc.store.run(svc.access.revoke, update.effective_user.id, context.args[0])
    if user is None:
        await update.effective_message.reply_text("No enrolled user matches that. See /users.")
        return
    await update.effective_message.reply_text(
        f"Access removed for {html.escape(user.name or str(user.id))} ({user.id})."
    )
    await menus.show(context.bot, user.id, await svc.store.run(svc.access.role_of, user.id))


async def set_role(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Give an enrolled user a role."""
    args = context.args or []
    wanted = _role_arg(args[1]) if len(args) == 2 else None
    if wanted is None:
        await update.effective_message.reply_text(f"Usage: /role USER {ROLES.replace(', ', '|')}")
        return
    svc = services(context)
    user = await svc.store.run(svc.access.set_role, update.effective_user.id, args[0], wanted)
    if user is None:
        await update.effective_message.reply_text("No enrolled user matches that. See /users.")
        return
    await update.effective_message.reply_text(
        f"{html.escape(user.name or str(user.id))} is now a {wanted.value}."
    )
    await menus.show(context.bot, user.id, await svc.store.run(svc.access.role_of, user.id))


async def users(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List enrolled users with their roles."""
    svc = services(context)
    people = await svc.store.run(svc.access.users)
    if not people:
        await update.effective_message.reply_text("Nobody is enrolled yet. Use /invite.")
        return
    lines = [f"<b>Enrolled users ({len(people)})</b>"] + [
        f"• {html.escape(u.name or '?')}"
        + (f" @{html.escape(u.username)}" if u.username else "")
        + f" ({u.id}): {u.role}, since {u.enrolled_at:%d %b %Y}"
        for u in people
    ]
    await update.effective_message.reply_text("\n".join(lines)[:4000])


async def gaps(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The most frequent questions the bot could not answer."""
    rows = await services(context).store.run(top_gaps, 15)
    if not rows:
        await update.effective_message.reply_text("No unanswered questions recorded.")
        return
    lines = ["<b>Most asked, not answered</b>"] + [
        f"{n}× {html.escape(text[:150])}" for text, n in rows
    ]
    await update.effective_message.reply_text("\n".join(lines))


async def feedback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Recent "Wrong answer?" reports."""
    rows = await services(context).store.run(recent_feedback, 15)
    if not rows:
        await update.effective_message.reply_text("No answers have been flagged as wrong.")
        return
    lines = ["<b>Flagged as wrong</b>"] + [
        f"• {r.at:%d %b %H:%M} <code>{html.escape(r.topic_id)}</code>: "
        f"{html.escape(r.question[:120]) or '(question not available)'}"
        + (f"\n  <i>Reason: {html.escape(r.reason)}</i>" if r.reason else "")
        for r in rows
    ]
    await update.effective_message.reply_text("\n".join(lines))
