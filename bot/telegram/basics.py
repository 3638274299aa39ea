"""/start, /help, /cancel, unknown commands and messages the bot cannot read."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.ext import ContextTypes

from bot.core.access import Role
from bot.core.cards import CAVEAT
from bot.telegram.services import role, services

WELCOME = (
    "<b>County Lines briefing</b>\n"
    "Quick, sourced answers on County Lines indicators, safeguarding referral routes and "
    "legislation, written for officers on the street.\n\n"
    "<b>How to ask:</b> type a question in your own words, for example:\n"
    "• signs of cuckooing\n"
    "• 15yo from London with 3 phones, what now\n"
    "• s45 defence\n\n"
    "Every answer shows its sources and when it was last reviewed. If I am not sure, I say so "
    "and show the nearest topics.\n\n"
    f"<i>{CAVEAT}</i>"
)

OFFICER_COMMANDS = [
    ("topics", "Browse every topic by category"),
    ("help", "How to ask, and what I can do"),
    ("cancel", "Stop what you are doing"),
]
SUPERVISOR_COMMANDS: list[tuple[str, str]] = []
ADMIN_COMMANDS = [
    ("invite", "/invite [officer|supervisor|trainer]: one-time enrolment code"),
    ("revoke", "/revoke USER: remove someone's access"),
    ("users", "List enrolled users"),
    ("role", "/role USER officer|supervisor|trainer"),
    ("gaps", "Questions I could not answer"),
    ("feedback", "Answers flagged as wrong"),
]


def bot_commands() -> list[BotCommand]:
    """The command menu every officer sees (admin commands are listed in /help)."""
    return [BotCommand(name, text) for name, text in OFFICER_COMMANDS]


def help_text(who: Role | None) -> str:
    lines = ["<b>What I can do</b>", "Type any question to get an answer card."]
    lines += [f"/{name}: {text}" for name, text in OFFICER_COMMANDS]
    if who in (Role.SUPERVISOR, Role.ADMIN):
        lines += [f"/{name}: {text}" for name, text in SUPERVISOR_COMMANDS]
    if who is Role.ADMIN:
        lines += ["", "<b>Admin</b>"] + [f"/{name}: {text}" for name, text in ADMIN_COMMANDS]
    return "\n".join(lines)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet an enrolled officer (strangers never get this far)."""
    await update.effective_message.reply_text(WELCOME)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List what the caller can do."""
    await update.effective_message.reply_text(help_text(role(context)))


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop any flow in progress (note, quiz, checklist)."""
    cancelled = False
    for canceller in services(context).cancellers:
        cancelled = await canceller(update, context) or cancelled
    text = "Cancelled. Nothing was saved." if cancelled else "Nothing to cancel."
    await update.effective_message.reply_text(text + " Ask a question any time.")


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an unknown command with help instead of silence."""
    await update.effective_message.reply_text(
        "I don't know that command.\n\n" + help_text(role(context))
    )


async def unreadable(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice notes and the like: say what I can read."""
    await update.effective_message.reply_text(
        "I can only read text. Type your question, for example <i>signs of cuckooing</i>, "
        "or use /topics to browse."
    )
