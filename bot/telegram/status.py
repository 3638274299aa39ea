"""/status for admins (private chat): version, load, database, backups, and what is due."""

from __future__ import annotations

import html
import time

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.core.clock import today
from bot.core.stats import ReplyTimes
from bot.core.status import (
    DUE_WITHIN,
    database_status,
    human_duration,
    human_size,
    reviews_due,
    version,
)
from bot.core.storage.db import database
from bot.telegram.services import services

KEY = "reply_times"
SHOWN_DUE = 8


class MeasuredApplication(Application):
    """The Application, timing each update from dispatch to the end of its handlers."""

    async def process_update(self, update: object) -> None:
        start = time.perf_counter()
        try:
            await super().process_update(update)
        finally:
            times = self.bot_data.get(KEY)
            if times is not None:
                times.record(time.perf_counter() - start)


def reply_times(app: Application) -> ReplyTimes:
    return app.bot_data.setdefault(KEY, ReplyTimes())


def _ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:.0f} ms"


async def status_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    svc = services(context)
    times = reply_times(context.application)
    url = svc.settings.database_url
    db = await svc.store.run(lambda: database_status(database.obj, url))
    due = reviews_due(svc.knowledge.kb, today(svc.settings.zone))
    schema = f"schema v{db.schema}" + (
        "" if db.schema == db.code_schema else f" (code v{db.code_schema})"
    )
    if db.last_backup is None:
        backup = "none recorded: run <code>run_bot.py backup --out FILE</code>"
    else:
        b = db.last_backup
        backup = f"{b.at:%d %b %Y %H:%M} UTC, {'verified' if b.ok else 'NOT verified'}"
    lines = [
        f"<b>Status</b> (version {html.escape(version())})",
        f"Up {human_duration(times.uptime)}; {times.count} updates handled",
        f"Reply time since start: p50 {_ms(times.percentile(50))}, "
        f"p95 {_ms(times.percentile(95))}",
        f"Database: {human_size(db.size_bytes)}, {schema}",
        f"Last backup: {backup}",
        f"Open gaps: {db.gaps} (/gaps); feedback: {db.feedback} (/feedback)",
        f"Reviews due within {DUE_WITHIN.days} days: {len(due)}",
    ]
    lines += [f"• {html.escape(title)}: {when:%d %b %Y}" for title, when in due[:SHOWN_DUE]]
    if len(due) > SHOWN_DUE:
        lines.append(f"… and {len(due) - SHOWN_DUE} more (<code>run_bot.py kb check</code>)")
    await message.reply_text("\n".join(lines))
