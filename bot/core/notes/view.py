"""A saved note as its author reads it back, and the alert an urgent note sends: one wording
for the Telegram bot and the terminal chat (plain lines; each adapter adds its own markup)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.access.users import Role, User, audit
from bot.core.notes.log import CATEGORIES, URGENCIES, Note, NoteContent, find_note, times_text

URGENT = "urgent"


@dataclass(frozen=True)
class OwnNote:
    note: Note
    amendments: list[Note]


def own_note(ref: str, author_id: int) -> OwnNote | str:
    """The author's note with its corrections, or why not ('unknown' or 'not yours')."""
    note = find_note(ref)
    if note is None:
        return "unknown"
    if note.author_id != author_id:
        return "not yours"
    corrections = list(Note.select().where(Note.amends == note.ref).order_by(Note.seq))
    return OwnNote(note, corrections)


def location_text(note: NoteContent) -> str:
    """A note's or a draft's location, for people to read."""
    if note.latitude is None or note.longitude is None:
        return "not given"
    return f"{note.latitude:.5f}, {note.longitude:.5f}"


def grading_text(note: NoteContent) -> str:
    """A note's or a draft's 3x5x2 grading, for people to read."""
    if not note.source_grade:
        return "not graded"
    return f"{note.source_grade}/{note.info_grade or '?'}/{note.handling or '?'}"


def details(note: Note, timezone: str, labels: list[str]) -> list[tuple[str, str]]:
    """(label, value) pairs shown under a note's text."""
    if note.amends:
        return [
            ("Saved", times_text(note.created_at, timezone)),
            ("Corrects", note.amends),
            ("Reason", note.reason or "none given"),
        ]
    return [
        ("Saved", times_text(note.created_at, timezone)),
        ("Category", CATEGORIES.get(note.category or "", "none")),
        ("Urgency", URGENCIES.get(note.urgency or "", "not given")),
        ("Location", location_text(note)),
        ("Grading", grading_text(note)),
        ("Indicators", "; ".join(labels) if labels else "none recognised"),
    ]


def supervisors_to_alert(author_id: int) -> list[int]:
    """Every active supervisor except the author (who knows already)."""
    query = User.select(User.id).where(
        (User.active == True) & (User.role == Role.SUPERVISOR.value) & (User.id != author_id)
    )
    return [u.id for u in query]


def alert_lines(note: Note, timezone: str) -> list[str]:
    """What an urgent note tells supervisors: where to look, not what it says (the text stays
    in the notebook, out of chat histories)."""
    return [
        f"Urgent field note {note.ref}",
        f"Time: {times_text(note.created_at, timezone)}",
        f"Category: {CATEGORIES.get(note.category or '', 'none')}",
        f"Urgency: {URGENCIES.get(note.urgency or '', 'not given')}",
        f"Location: {location_text(note)}",
        f"By: {note.author_name or note.author_id}",
    ]


def record_alert(note: Note, alerted: list[int], failed: list[int]) -> None:
    detail = f"alerted {len(alerted)} supervisor(s)" + (
        f"; could not reach {', '.join(map(str, failed))}" if failed else ""
    )
    audit(note.author_id, "urgent-alert", note.ref, detail)
