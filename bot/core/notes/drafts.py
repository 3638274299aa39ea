"""Notes being written: each step is saved as it happens, so no state lives in a process.

A draft is keyed by (chat, officer): only its author can change or save it. Its `token` comes
from the update that began it, keyed with a server secret, and is in every button of its flow:
a button from another draft, or from a step already done, is stale. Every change is a
compare-and-set on (token, step), so two bot instances handling the same officer can never
both advance a step, and saving is idempotent by the same token.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from peewee import BigIntegerField, CompositeKey, DateTimeField, Delete, Expression, Select

from bot.core.access.keys import keyed_digest
from bot.core.clock import now
from bot.core.notes.log import (
    CATEGORIES,
    HANDLING_CODES,
    INFO_GRADES,
    MAX_REASON,
    MAX_TEXT,
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
from bot.core.storage.db import BaseModel

TEXT, CATEGORY, URGENCY, LOCATION = "text", "cat", "urg", "loc"
SOURCE, INFO, HANDLING, REASON, CONFIRM = "src", "inf", "hnd", "why", "ok"
SKIP = "skip"
GRADING = "grading"


@dataclass(frozen=True)
class Step:
    """One step of a draft's flow. `sets` is the draft field it fills; `choices` the values a
    button may set (anything else in callback data is refused); `typed` steps wait for a
    message. Skipping a step of a `group` skips (and clears) the rest of the group too."""

    name: str
    sets: str | None = None
    choices: Mapping[str, str] = field(default_factory=dict)
    typed: bool = False
    group: str = ""


# The flows, in order: this table drives `next_step`, `choose` and what the adapters show.
FLOWS: Mapping[str, tuple[Step, ...]] = {
    "note": (
        Step(TEXT, "text", typed=True),
        Step(CATEGORY, "category", CATEGORIES),
        Step(URGENCY, "urgency", URGENCIES),
        Step(LOCATION),  # a shared location, or skip
        Step(SOURCE, "source_grade", SOURCE_GRADES, group=GRADING),
        Step(INFO, "info_grade", INFO_GRADES, group=GRADING),
        Step(HANDLING, "handling", HANDLING_CODES, group=GRADING),
        Step(CONFIRM),
    ),
    "amend": (
        Step(TEXT, "text", typed=True),
        Step(REASON, "reason", typed=True),
        Step(CONFIRM),
    ),
}
STEPS: Mapping[str, Step] = {s.name: s for flow in FLOWS.values() for s in flow}
WAITS_FOR_TEXT = {s.name for s in STEPS.values() if s.typed}
LIMITS = {TEXT: MAX_TEXT, REASON: MAX_REASON}  # characters a typed step takes
CONSUMED_KEPT = timedelta(days=2)  # Telegram redelivers an update for at most 24 hours
IDLE = timedelta(hours=2)  # after this, typed text is a question again, not note text
HINTS = {
    TEXT: "Type what you saw, in one message.",
    REASON: "Say in one line why the note needs correcting.",
}
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


def message_origin(chat_id: int, message_id: int) -> str:
    """The idempotency key of a draft begun by a message: its redelivery resumes the draft."""
    return f"m:{chat_id}:{message_id}"


def button_origin(query_id: str) -> str:
    """The idempotency key of a draft begun by a button press (a checklist's "save as note")."""
    return f"cb:{query_id}"


def may_amend(note: Note, user_id: int) -> bool:
    """Only a note's author may add a correction to it."""
    return note.author_id == user_id


def takes_typing(draft: NoteDraft, at: datetime) -> bool:
    """Whether typed text goes to the draft: an idle draft lets it be a question again."""
    return at - draft.updated_at <= IDLE


def text_problem(text: str, step: str = TEXT) -> str | None:
    """Why a typed note text (or correction reason) can't be taken, else None."""
    what = "reason" if step == REASON else "note"
    limit = LIMITS[step]
    if not text.strip():
        return f"The {what} is empty. {HINTS[step]}"
    if len(text) > limit:
        return (
            f"That is {len(text):,} characters; a {what} holds at most {limit:,}. Please "
            "shorten it and send it again. Your draft is still open."
        )
    return None


def next_step(draft: NoteDraft, done: str) -> str:
    """The step after `done` in the draft's flow; once the officer has reviewed the draft, an
    edit goes straight back to the confirm step."""
    if draft.reviewing:
        return CONFIRM
    flow = [s.name for s in FLOWS[draft.kind]]
    following = flow[flow.index(done) + 1 :]
    if draft.kind == "amend" and draft.reason:  # a reason given already is not asked again
        following = [s for s in following if s != REASON]
    return following[0]


def _after_group(draft: NoteDraft, step: Step) -> str:
    flow = FLOWS[draft.kind]
    rest = flow[flow.index(step) :]
    return next(s.name for s in rest if s.group != step.group)


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
        shown = STEPS.get(step)
        if shown is None or shown not in FLOWS[draft.kind]:
            return None
        if step == LOCATION:
            return {"step": next_step(draft, LOCATION)} if value == SKIP else None
        if step == CONFIRM and value == "edit":
            return {"step": TEXT, "reviewing": True}
        if step == TEXT and value == "keep" and draft.text:
            return {"step": next_step(draft, TEXT)}
        if not shown.choices:
            return None
        if value == SKIP and shown.group:  # skip the whole group (grading altogether)
            cleared = {s.sets: None for s in FLOWS[draft.kind] if s.group == shown.group}
            return {**cleared, "step": _after_group(draft, shown)}
        if value != SKIP and value not in shown.choices:
            return None
        return {shown.sets: None if value == SKIP else value, "step": next_step(draft, step)}

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
        note, created = append(NoteInput.of(draft, user_id, author_name), token)
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
