"""/start, /help, /cancel, unknown commands and messages the bot cannot read."""

from __future__ import annotations

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import ContextTypes

from bot.core.access.commands import help_sections
from bot.core.access.users import Role
from bot.core.answers.cards import CAVEAT
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

INLINE_HINT = "In any chat, type @ and my name, then a topic, to share a vetted summary."


def help_text(who: Role | None) -> str:
    """What the caller may run, from the commands table: nothing more, nothing less."""
    lines = [
        "<b>What I can do</b>",
        "Type any question to get a short answer; <i>Full topic</i> opens the whole card. "
        "Describe a scene (who, where, what you saw) to get the safeguarding steps.",
    ]
    for heading, commands in help_sections(who):
        lines += ["", f"<b>{heading}</b>"] if heading else []
        lines += commands
        if not heading:
            lines.append(INLINE_HINT)
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
