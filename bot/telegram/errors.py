"""One error handler: log first, then tell the officer politely; never let an error escape."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

log = logging.getLogger(__name__)

SORRY = (
    "Sorry, something went wrong on my side and I could not finish that. Please try again; "
    "if it keeps happening, tell your supervisor."
)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure with its traceback, then apologise in the chat it came from."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    if update.callback_query:
        with contextlib.suppress(TelegramError):  # stop the button's spinner if still pending
            await update.callback_query.answer()
    if update.effective_chat:
        try:
            await context.bot.send_message(update.effective_chat.id, SORRY)
        except TelegramError:
            log.warning("could not tell the user about the error", exc_info=True)
