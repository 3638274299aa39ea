"""/start, /help, /cancel, unknown commands and messages the bot cannot read."""

from __future__ import annotations

from telegram import BotCommand, ReplyKeyboardRemove, Update
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
    ("note", "Write a field note: /note, or /note what you saw"),
    ("mynotes", "Your recent field notes; /mynotes REF shows one in full"),
    ("amend", "/amend REF: add a correction to one of your notes"),
    ("check", "Scene checklist: /check child, cuckooing or adult"),
    ("refer", "Which referral route? A few questions, then the steps"),
    ("quiz", "Practice round: /quiz, /quiz legislation or /quiz cuckooing"),
    ("refresh", "Your refresher: questions due for review first"),
    ("progress", "Your refresher progress: mastered, due, trend and a chart"),
    ("remind", "Daily refresher reminder: /remind 07:30, or /remind off"),
    ("whoami", "Your Telegram user id"),
    ("help", "How to ask, and what I can do"),
    ("cancel", "Stop what you are doing"),
]
SUPERVISOR_COMMANDS: list[tuple[str, str]] = [
    ("export", "/export [FROM] [TO]: field notes as CSV and JSON files"),
    ("stats", "/stats [WEEKS]: chart of field notes per week"),
]
TRAINER_COMMANDS = [
    ("cohort", "Your recruits' results; /cohort new NAME, move USER NAME, export"),
    ("invite", "/invite recruit [COHORT]: enrolment code that puts a recruit in a cohort"),
]
ADMIN_COMMANDS = [
    ("invite", "/invite [officer|supervisor|trainer]: one-time enrolment code"),
    ("revoke", "/revoke USER: remove someone's access"),
    ("users", "List enrolled users"),
    ("role", "/role USER officer|supervisor|trainer"),
    ("gaps", "Questions I could not answer"),
    ("feedback", "Answers flagged as wrong"),
    ("status", "Uptime, reply times, database, last backup, reviews due"),
]


def bot_commands() -> list[BotCommand]:
    """The command menu every officer sees (admin commands are listed in /help)."""
    return [BotCommand(name, text) for name, text in OFFICER_COMMANDS]


def help_text(who: Role | None) -> str:
    lines = [
        "<b>What I can do</b>",
        "Type any question to get a short answer; <i>Full topic</i> opens the whole card. "
        "Describe a scene (who, where, what you saw) to get the safeguarding steps.",
    ]
    lines += [f"/{name}: {text}" for name, text in OFFICER_COMMANDS]
    lines.append("In any chat, type @ and my name, then a topic, to share a vetted summary.")
    if who in (Role.SUPERVISOR, Role.ADMIN):
        lines += [f"/{name}: {text}" for name, text in SUPERVISOR_COMMANDS]
    if who in (Role.TRAINER, Role.ADMIN):
        lines += [f"/{name}: {text}" for name, text in TRAINER_COMMANDS]
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
    """Stop any flow in progress (note, quiz round, checklist, referral route)."""
    said: list[str] = []
    for canceller in services(context).cancellers:
        outcome = await canceller(update, context)
        if isinstance(outcome, str):
            said.append(outcome)
        elif outcome:
            said.append("Cancelled.")
    text = " ".join(dict.fromkeys(said)) if said else "Nothing to cancel."
    # A note's location step shows a reply keyboard; cancelling takes it away.
    await update.effective_message.reply_text(
        f"{text} Ask a question any time.", reply_markup=ReplyKeyboardRemove() if said else None
    )


async def edited_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited command is not run a second time."""
    await update.effective_message.reply_text(
        "Editing a command doesn't run it again. Send it as a new message if you meant to."
    )


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
