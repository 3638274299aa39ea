"""Reading field notes: an officer's own list, and the supervisors' exports and chart."""

from __future__ import annotations

import asyncio
import contextlib
import html
import io
import re
from datetime import date, timedelta

from telegram import InputFile, Update
from telegram.ext import ContextTypes

from bot.core.access.users import now
from bot.core.clock import local, local_date
from bot.core.notes.export import export_notes, to_csv, to_json, weekly_stats
from bot.core.notes.log import CATEGORIES, parse_ref, recent_notes
from bot.core.notes.view import details, own_note
from bot.core.numbers import parse_int
from bot.telegram.notes import known_indicators
from bot.telegram.render import split
from bot.telegram.services import services

EXPORT_DAYS = 30
STATS_WEEKS = 12
MAX_DOCUMENT = 50 * 1024 * 1024  # the Bot API's upload limit
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$|^(\d{1,2})/(\d{1,2})/(\d{4})$")


async def mynotes_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/mynotes: your latest notes, by reference (the texts stay in the notebook)."""
    svc, message = services(context), update.effective_message
    if context.args:
        await _one_note(update, context, " ".join(context.args))
        return
    rows = await svc.store.run(recent_notes, update.effective_user.id, 10)
    if not rows:
        await message.reply_text("You have no saved notes yet. Start one with /note.")
        return
    lines = ["<b>Your recent notes</b> (newest first)"]
    for note, corrections in rows:
        at = local(note.created_at, svc.settings.timezone)
        parts = [f"<b>{note.ref}</b>", f"{at:%d %b %H:%M} {at.tzname()}"]
        if note.amends:
            parts.append(f"correction to {note.amends}")
        else:
            parts.append(CATEGORIES.get(note.category, "no category"))
            if note.urgency:
                parts.append(note.urgency)
            count = len(known_indicators(context, note.tag_list))
            parts.append(f"{count} indicator{'s' * (count != 1)}")
        if corrections:
            parts.append("corrected by " + ", ".join(corrections))
        lines.append("• " + " · ".join(parts))
    lines.append(
        "\nTo read one in full: /mynotes REF. To correct one: /amend REF. The texts are kept "
        "in the notebook, not in this chat."
    )
    await message.reply_text("\n".join(lines))


async def _one_note(update: Update, context: ContextTypes.DEFAULT_TYPE, typed: str) -> None:
    """/mynotes REF: the author's own note in full, then each correction linked to it."""
    svc, message = services(context), update.effective_message
    ref = parse_ref(typed)
    found = await svc.store.run(own_note, ref, update.effective_user.id) if ref else "unknown"
    if found == "unknown":
        await message.reply_text(
            f"I can't find a note <code>{html.escape(typed[:30])}</code>. Your references are "
            "in /mynotes (they look like FN-2026-000123)."
        )
        return
    if found == "not yours":
        await message.reply_text(f"{ref} was written by someone else: you can read only yours.")
        return
    zone = svc.settings.timezone

    def block(note, labels: list[str], heading: str) -> list[str]:
        rows = [heading, f"<blockquote>{html.escape(note.text)}</blockquote>"]
        rows += [
            f"{name}: {html.escape(value)}"
            for name, value in details(note, zone, labels)
            if not (name == "Corrects" and note.amends == found.note.ref)
        ]
        return rows

    labels = [i.label for i in known_indicators(context, found.note.tag_list)]
    # One paragraph per entry: a note is at most 3,000 characters, so no quote is ever cut.
    paragraphs = ["\n".join(block(found.note, labels, f"<b>{found.note.ref}</b>"))]
    paragraphs += [
        "\n".join(block(a, [], f"<b>Corrected by {a.ref}</b>")) for a in found.amendments
    ]
    if not found.note.amends:
        paragraphs.append(f"To correct it: /amend {found.note.ref}")
    for part in split(paragraphs):
        await message.reply_text(part)


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export [FROM] [TO]: the notes of those UK days as CSV and JSON files (supervisors)."""
    message, svc = update.effective_message, services(context)
    zone = svc.settings.timezone
    today = local_date(now(), zone)
    try:
        start, end = _date_range(context.args or [], today)
    except ValueError as exc:
        await message.reply_text(
            f"{exc}\nUsage: <code>/export [FROM] [TO]</code>, dates as 2026-11-01 or "
            f"01/11/2026 (UK days, inclusive). Without dates: the last {EXPORT_DAYS} days."
        )
        return
    rows = await svc.store.run(export_notes, update.effective_user.id, start, end, zone)
    span = f"{start:%d %b %Y} to {end:%d %b %Y}"
    if not rows:
        await message.reply_text(f"No field notes from {span}.")
        return
    csv_bytes, json_bytes = await asyncio.to_thread(
        lambda: (to_csv(rows), to_json(rows, start, end, zone))
    )
    if max(len(csv_bytes), len(json_bytes)) > MAX_DOCUMENT:
        await message.reply_text(
            "That export is too large to send here. Choose fewer days, or ask an admin to run "
            "<code>python run_bot.py notes export</code>."
        )
        return
    name = f"field-notes_{start:%Y-%m-%d}_{end:%Y-%m-%d}"
    corrections = sum(1 for r in rows if r["amends"])
    await message.reply_document(
        InputFile(io.BytesIO(csv_bytes), filename=f"{name}.csv"),
        caption=f"Field notes, {span} (UK days): {len(rows)} entries, {corrections} of them "
        "corrections. Cells starting with = + - @ have a ' added in the CSV.",
    )
    await message.reply_document(
        InputFile(io.BytesIO(json_bytes), filename=f"{name}.json"),
        caption=f"The same {len(rows)} entries as JSON, with their chain hashes.",
    )


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats [WEEKS]: a chart of notes per week by category and indicator (supervisors)."""
    from bot.core.notes.chart import render_png

    message, svc = update.effective_message, services(context)
    args = context.args or []
    weeks = parse_int(args[0], 1, 52) if args else None
    if args and weeks is None:
        await message.reply_text("Usage: <code>/stats [WEEKS]</code>, 1 to 52 (default 12).")
        return
    weeks = weeks or STATS_WEEKS
    stats = await svc.store.run(weekly_stats, weeks, svc.settings.timezone)
    indicators = svc.knowledge.indicators
    labels = {tag: i.label for tag, i in indicators.by_tag.items()} if indicators else {}
    title = f"Field notes per week, last {weeks} weeks ({stats.total} notes)"
    png = await asyncio.to_thread(render_png, stats, labels, title)
    await message.reply_photo(
        InputFile(io.BytesIO(png), filename="field-notes.png"),
        caption=f"{title}. Weeks start on Monday, UK time; corrections are not counted.",
    )


def _parse_day(text: str) -> date:
    match = _DATE.match(text.strip())
    if match:
        year, month, day = (
            match.group(1, 2, 3) if match.group(1) else tuple(reversed(match.group(4, 5, 6)))
        )
        with contextlib.suppress(ValueError):
            return date(int(year), int(month), int(day))
    raise ValueError(f"I can't read the date {html.escape(text[:20])!s}.")


def _date_range(args: list[str], today: date) -> tuple[date, date]:
    if len(args) > 2:
        raise ValueError("Give at most two dates.")
    start = _parse_day(args[0]) if args else today - timedelta(days=EXPORT_DAYS - 1)
    end = _parse_day(args[1]) if len(args) > 1 else today
    if start > end:
        raise ValueError("The first date is after the second.")
    return start, end
