"""The commands table's Telegram side: each command's handler, and the check run before it.

Who may run a command, and where, is decided by `bot.core.access.commands`; here a refused command
gets its polite reason and the handler never runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import wraps

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from bot.core.access.commands import COMMANDS, Command, allowed
from bot.telegram import (
    admin,
    basics,
    browse,
    checks,
    cohorts,
    notes,
    notes_reports,
    quiz,
    refer,
    status,
    whoami,
)
from bot.telegram.services import role

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]

PRIVATE_ONLY = (
    "/{command} works only in a private chat with me: its reply holds {what}, and everyone "
    "in this chat would see it. Send it to me directly."
)

HANDLERS: Mapping[str, Handler] = {
    "start": basics.start,
    "help": basics.help_command,
    "cancel": basics.cancel,
    "topics": browse.topics,
    "whoami": whoami.whoami,
    "note": notes.note_command,
    "amend": notes.amend_command,
    "mynotes": notes_reports.mynotes_command,
    "export": notes_reports.export_command,
    "stats": notes_reports.stats_command,
    "quiz": quiz.quiz_command,
    "refresh": quiz.refresh_command,
    "progress": quiz.progress_command,
    "remind": quiz.remind_command,
    "cohort": cohorts.cohort_command,
    "invite": cohorts.invite,  # trainers' own, else the admin's
    "check": checks.check,
    "refer": refer.refer,
    "revoke": admin.revoke,
    "role": admin.set_role,
    "users": admin.users,
    "gaps": admin.gaps,
    "feedback": admin.feedback,
    "status": status.status_command,
}


def guarded(command: Command, handler: Handler) -> Handler:
    """Run `handler` only in a chat and for a role the table allows; otherwise say why.

    A private-only command typed in a group is refused there before anything else, so the
    group learns nothing about the caller either.
    """

    @wraps(handler)
    async def check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        chat = update.effective_chat
        if command.private and (chat is None or chat.type != ChatType.PRIVATE):
            if message is not None:
                await message.reply_text(
                    PRIVATE_ONLY.format(command=command.name, what=command.private)
                )
            return
        if not allowed(role(context), command.name):
            if message is not None:
                await message.reply_text(command.refusal)
            return
        await handler(update, context)

    return check


def register(app: Application) -> None:
    """A handler for every command in the table. An edit of a command message must not run it
    again (a second enrolment code, say): only the commands marked `edits` (/note, /amend)
    take one, as a change to the text of the draft they began."""
    missing = {c.name for c in COMMANDS} ^ set(HANDLERS)
    if missing:
        raise RuntimeError(f"commands without a handler or a table row: {sorted(missing)}")
    for command in COMMANDS:
        only = None if command.edits else filters.UpdateType.MESSAGE
        app.add_handler(
            CommandHandler(command.name, guarded(command, HANDLERS[command.name]), filters=only)
        )
