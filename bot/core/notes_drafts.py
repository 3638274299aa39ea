"""Notes being written: each step is saved as it happens, so no state lives in a process.

A draft is keyed by (chat, officer): only its author can change or save it. Its `token` comes
from the update that began it, keyed with a server secret, and is in every button of its flow:
a button from another draft, or from a step already done, is stale. Every change is a
compare-and-set on (token, step), so two bot instances handling the same officer can never
both advance a step, and saving is idempotent by the same token.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from peewee import BigIntegerField, CompositeKey, DateTimeField, Delete, Expression, Select

from bot.core.clock import now
from bot.core.db import BaseModel
from bot.core.keys import keyed_digest
from bot.core.notes import (
    CATEGORIES,
    HANDLING_CODES,
    INFO_GRADES,
    SOURCE_GRADES,
    URGENCIES,
    Note,
    NoteDraft,
    NoteInput,
    append,
    fetch_one,
    note_by_key,
    run,
    update_where,
    writing,
)

TEXT, CATEGORY, URGENCY, LOCATION = "text", "cat", "urg", "loc"
SOURCE, INFO, HANDLING, REASON, CONFIRM = "src", "inf", "hnd", "why", "ok"
SKIP = "skip"
NOTE_STEPS = [TEXT, CATEGORY, URGENCY, LOCATION, SOURCE, INFO, HANDLING, CONFIRM]
WAITS_FOR_TEXT = {TEXT, REASON}
# The choices a button may set, by step: anything else in callback data is refused.
CHOICES: dict[str, tuple[str, dict[str, str]]] = {
    CATEGORY: ("category", CATEGORIES),
    URGENCY: ("urgency", URGENCIES),
    SOURCE: ("source_grade", SOURCE_GRADES),
    INFO: ("info_grade", INFO_GRADES),
    HANDLING: ("handling", HANDLING_CODES),
}
CONSUMED_KEPT = timedelta(days=2)  # Telegram redelivers an update for at most 24 hours
IDLE = timedelta(hours=2)  # after this, typed text is a question again, not note text
STALE_DRAFTS = timedelta(days=30)  # `notes purge` discards drafts untouched for this long


class ConsumedMessage(BaseModel):
    """An officer's message a finished (saved or discarded) draft took: a redelivery of it is
    neither note text nor a question. Only ids, kept for `CONSUMED_KEPT`."""

    chat_id = BigIntegerField()
    message_id = BigIntegerField()
    at = DateTimeField(default=now, index=True)

    class Meta:
        primary_key = CompositeKey("chat_id", "message_id")


def draft_token(origin: str) -> str:
    """The same update always gives the same token, so a redelivered /note resumes its draft;
    keyed with a server secret, so nobody can work out another officer's token."""
    return keyed_digest("draft_token", origin)


def next_step(draft: NoteDraft, done: str) -> str:
    if draft.kind == "amend":
        return REASON if done == TEXT and not draft.reason else CONFIRM
    if done == TEXT and draft.reviewing:
        return CONFIRM
    return NOTE_STEPS[NOTE_STEPS.index(done) + 1]


def merge_tags(preset: list[str], found: list[str]) -> list[str]:
    return list(dict.fromkeys([*preset, *found]))


@dataclass(frozen=True)
class Begun:
    status: Literal["started", "resumed", "busy", "saved"]
    draft: NoteDraft | None = None
    note: Note | None = None


def begin(
    chat_id: int,
    user_id: int,
    origin: str,
    *,
    kind: str = "note",
    text: str = "",
    text_message_id: int | None = None,
    preset: list[str] | None = None,
    found: list[str] | None = None,
    amends: str | None = None,
) -> Begun:
    """Start a draft, unless one is open (`busy`) or this update already began one."""
    token = draft_token(origin)
    with writing():
        saved = note_by_key(token)
        if saved is not None:
            return Begun("saved", note=saved)
        current = get_draft(chat_id, user_id)
        if current is not None:
            return Begun("resumed" if current.token == token else "busy", current)
        preset = preset or []
        probe = NoteDraft(kind=kind, reason="", reviewing=False)
        step = next_step(probe, TEXT) if text else TEXT
        messages = [text_message_id] if text_message_id else []
        inserted = list(
            NoteDraft.insert(
                chat_id=chat_id,
                user_id=user_id,
                token=token,
                kind=kind,
                step=step,
                text=text,
                text_message_id=text_message_id if text else None,
                preset_tags=json.dumps(preset),
                tags=json.dumps(merge_tags(preset, found or [])),
                amends=amends,
                messages=json.dumps(messages),
                created_at=now(),
                updated_at=now(),
            )
            .on_conflict_ignore()
            .returning(NoteDraft.token)
            .execute()
        )
        draft = get_draft(chat_id, user_id)
        assert draft is not None  # ours or the other instance's, in this transaction
        if not inserted:  # another instance began one for this officer a moment ago
            return Begun("resumed" if draft.token == token else "busy", draft)
        return Begun("started", draft)


# The statements below run on every message and button: `run` compiles each one once.
def _is_draft(chat_id: int, user_id: int) -> Expression:
    return (NoteDraft.chat_id == chat_id) & (NoteDraft.user_id == user_id)


def _draft(chat_id: int, user_id: int) -> Select:
    return NoteDraft.select().where(_is_draft(chat_id, user_id))


def _delete_draft(chat_id: int, user_id: int) -> Delete:
    return NoteDraft.delete().where(_is_draft(chat_id, user_id))


def _unchanged(chat_id: int, user_id: int, token: str, step: str) -> Expression:
    """The draft still has the token and step it was read with."""
    return _is_draft(chat_id, user_id) & (NoteDraft.token == token) & (NoteDraft.step == step)


def get_draft(chat_id: int, user_id: int) -> NoteDraft | None:
    """Asked for every private message (is a note waiting for it?), so kept cheap."""
    return fetch_one(NoteDraft, _draft, chat_id, user_id)


def _consumed_message(chat_id: int, message_id: int) -> Select:
    return ConsumedMessage.select(ConsumedMessage.at).where(
        (ConsumedMessage.chat_id == chat_id) & (ConsumedMessage.message_id == message_id)
    )


def draft_for(chat_id: int, user_id: int, message_id: int) -> tuple[NoteDraft | None, bool]:
    """(the open draft, whether a finished draft already took this message)."""
    draft = get_draft(chat_id, user_id)
    if draft is not None:
        return draft, message_id in draft.message_ids
    return None, bool(run(_consumed_message, chat_id, message_id).fetchall())


def _remember_consumed(draft: NoteDraft) -> None:
    rows = [{"chat_id": draft.chat_id, "message_id": m, "at": now()} for m in draft.message_ids]
    if rows:
        ConsumedMessage.insert_many(rows).on_conflict_ignore().execute()


def purge_consumed() -> int:
    with writing():
        old = now() - CONSUMED_KEPT
        return ConsumedMessage.delete().where(ConsumedMessage.at < old).execute()


def _delete(chat_id: int, user_id: int) -> None:
    run(_delete_draft, chat_id, user_id)


def _change(
    chat_id: int,
    user_id: int,
    token: str | None,
    steps: set[str] | None,
    changes: Callable[[NoteDraft], dict | None],
) -> NoteDraft | None:
    """Apply `changes(draft)` if the draft still has this token and is at one of `steps`.

    None means stale: no draft, another draft, another step, or a refused value.
    """
    with writing():
        draft = get_draft(chat_id, user_id)
        if draft is None or (token and draft.token != token):
            return None
        if steps is not None and draft.step not in steps:
            return None
        values = changes(draft)
        if values is None:
            return None
        values["updated_at"] = now()
        if values.get("step") == CONFIRM:
            values["reviewing"] = True  # from now on a new text goes straight back here
        changed = update_where(
            NoteDraft, values, _unchanged, chat_id, user_id, draft.token, draft.step
        )
        if changed != 1:
            return None
        for name, value in values.items():
            setattr(draft, name, value)
        return draft


def _consumed(draft: NoteDraft, message_id: int | None) -> str:
    ids = draft.message_ids
    if message_id is not None and message_id not in ids:
        ids.append(message_id)
    return json.dumps(ids)


def set_text(
    chat_id: int, user_id: int, text: str, found: list[str], message_id: int | None
) -> NoteDraft | None:
    """The observation (or correction) text, at the text step."""

    def changes(draft: NoteDraft) -> dict:
        return {
            "text": text,
            "text_message_id": message_id,
            "tags": json.dumps(merge_tags(draft.preset_list, found)),
            "messages": _consumed(draft, message_id),
            "step": next_step(draft, TEXT),
        }

    return _change(chat_id, user_id, None, {TEXT}, changes)


def replace_text(
    chat_id: int, user_id: int, message_id: int, text: str, found: list[str]
) -> NoteDraft | None:
    """An edit of the message holding the text: take the new wording, stay at the same step."""

    def changes(draft: NoteDraft) -> dict | None:
        if draft.text_message_id != message_id:
            return None
        return {"text": text, "tags": json.dumps(merge_tags(draft.preset_list, found))}

    return _change(chat_id, user_id, None, None, changes)


def set_reason(chat_id: int, user_id: int, reason: str, message_id: int) -> NoteDraft | None:
    def changes(draft: NoteDraft) -> dict:
        return {
            "reason": reason,
            "messages": _consumed(draft, message_id),
            "step": next_step(draft, REASON),
        }

    return _change(chat_id, user_id, None, {REASON}, changes)


def set_location(
    chat_id: int, user_id: int, latitude: float, longitude: float, message_id: int
) -> NoteDraft | None:
    """A shared location: the answer at the location step, and welcome at any later one."""

    def changes(draft: NoteDraft) -> dict | None:
        if draft.kind != "note" or draft.step == TEXT:
            return None
        values = {
            "latitude": latitude,
            "longitude": longitude,
            "messages": _consumed(draft, message_id),
        }
        if draft.step == LOCATION:
            values["step"] = next_step(draft, LOCATION)
        return values

    return _change(chat_id, user_id, None, None, changes)


def record_message(chat_id: int, user_id: int, message_id: int) -> None:
    """Remember an officer's message the flow took (even one refused), so a redelivery of it
    is recognised and it is deleted with the others once the note is saved."""
    _change(chat_id, user_id, None, None, lambda d: {"messages": _consumed(d, message_id)})


def choose(chat_id: int, user_id: int, token: str, step: str, value: str) -> NoteDraft | None:
    """A button: a choice (or skip) for the step it was shown at."""

    def changes(draft: NoteDraft) -> dict | None:
        if step == LOCATION:
            return {"step": next_step(draft, LOCATION)} if value == SKIP else None
        if step == CONFIRM and value == "edit":
            return {"step": TEXT, "reviewing": True}
        if step == TEXT and value == "keep" and draft.text:
            return {"step": next_step(draft, TEXT)}
        if step not in CHOICES:
            return None
        name, options = CHOICES[step]
        if value == SKIP and step in (SOURCE, INFO, HANDLING):  # skip grading altogether
            return {"source_grade": None, "info_grade": None, "handling": None, "step": CONFIRM}
        if value != SKIP and value not in options:
            return None
        return {name: None if value == SKIP else value, "step": next_step(draft, step)}

    return _change(chat_id, user_id, token, {step}, changes)


def set_panel(chat_id: int, user_id: int, token: str, step: str, panel_id: int) -> None:
    """Remember the message showing `step`, unless the draft has moved on meanwhile (another
    instance handled the officer's next tap first)."""
    _change(chat_id, user_id, token, {step}, lambda d: {"panel_id": panel_id})


def discard(chat_id: int, user_id: int, token: str | None = None) -> NoteDraft | None:
    """/cancel (any draft) or a Cancel button (its own draft only): delete the draft and
    return what it was, to tidy its messages."""
    with writing():
        draft = get_draft(chat_id, user_id)
        if draft is not None and token and draft.token != token:
            return None
        if draft is not None:
            _delete(chat_id, user_id)
            _remember_consumed(draft)
        return draft


@dataclass(frozen=True)
class Saved:
    status: Literal["saved", "duplicate", "stale"]
    note: Note | None = None
    draft: NoteDraft | None = None


def save(chat_id: int, user_id: int, token: str, author_name: str) -> Saved:
    """The confirm button: the draft becomes a chained entry and is deleted, in one
    transaction. A second press or a redelivered update returns the note already made."""
    with writing():
        existing = note_by_key(token)
        if existing is not None:  # only its author learns that it exists
            return (
                Saved("duplicate", existing) if existing.author_id == user_id else Saved("stale")
            )
        draft = get_draft(chat_id, user_id)
        if draft is None or draft.token != token or draft.step != CONFIRM or not draft.text:
            return Saved("stale", draft=draft)
        entry = NoteInput(
            author_id=user_id,
            author_name=author_name[:200],
            text=draft.text,
            category=draft.category,
            urgency=draft.urgency,
            latitude=draft.latitude,
            longitude=draft.longitude,
            source_grade=draft.source_grade,
            info_grade=draft.info_grade,
            handling=draft.handling,
            tags=tuple(draft.tag_list),
            amends=draft.amends,
            reason=draft.reason,
        )
        note, created = append(entry, token)
        _delete(chat_id, user_id)
        _remember_consumed(draft)
        return Saved("saved" if created else "duplicate", note, draft)


def why_stale(chat_id: int, user_id: int, token: str) -> tuple[str, str | None]:
    """Why a button no longer works: (`saved`, ref), (`other`, None) when another draft is
    open, (`done`, None) when its step is past, or (`gone`, None)."""
    note = note_by_key(token)
    if note is not None and note.author_id == user_id:
        return "saved", note.ref
    draft = get_draft(chat_id, user_id)
    if draft is None:
        return "gone", None
    return ("done" if draft.token == token else "other"), None


def purge_stale_drafts() -> int:
    """Drafts nobody touched for `STALE_DRAFTS` hold personal data for no purpose."""
    purge_consumed()
    with writing():
        return NoteDraft.delete().where(NoteDraft.updated_at < now() - STALE_DRAFTS).execute()
