"""The daily retention purge, on python-telegram-bot's job queue (bot.core.storage.retention)."""

from __future__ import annotations

import logging
from datetime import time

from telegram.ext import Application, ContextTypes

from bot.core.storage.retention import purge_expired
from bot.telegram.services import services

log = logging.getLogger(__name__)
AT = time(3, 30)  # local time: quiet hours


async def daily_purge(context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    settings = svc.settings
    result = await svc.store.run(
        purge_expired, settings.gaps_retention_days, settings.notes_retention_days
    )
    log.info(
        "retention: removed %d gaps, %d feedback, %d notes%s",
        result.gaps,
        result.feedback,
        result.notes,
        " (notes refused: the chain has problems)" if result.notes_refused else "",
    )


def schedule_retention(app: Application) -> None:
    zone = app.bot_data["services"].settings.zone
    app.job_queue.run_daily(daily_purge, AT.replace(tzinfo=zone), name="retention")
