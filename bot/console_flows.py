"""The officer's guided features in the terminal chat: field notes, checklists, the referral
route. The same core services as the Telegram bot, typed instead of tapped: a numbered choice
where Telegram shows buttons. Notes go into the same database and chain, by the local user.
"""

from __future__ import annotations

import getpass
import textwrap
import uuid
from collections.abc import Callable

from bot.core.answers.cards import CAVEAT, plain
from bot.core.guided.flows import CODES, Position, Referral, checklist_note_text, ticked
from bot.core.guided.indicators import ChecklistSpec, Indicator
from bot.core.notes import drafts
from bot.core.notes.drafts import (
    CATEGORY,
    CONFIRM,
    HANDLING,
    INFO,
    LOCATION,
    REASON,
    SKIP,
    SOURCE,
    TEXT,
    URGENCY,
)
from bot.core.notes.log import (
    CATEGORIES,
    MAX_TEXT,
    URGENCIES,
    NoteDraft,
    find_note,
    parse_ref,
    recent_notes,
    times_text,
)
from bot.core.notes.view import URGENT, OwnNote, details, grading_text, location_text, own_note
from bot.core.services import Knowledge

LOCAL_USER = 0  # the terminal's officer: never a Telegram id (those start at 1)
WIDTH = 78
# How each choice step of the flow (drafts.FLOWS, which holds the choices) is asked here.
TITLES = {
    CATEGORY: "Category (optional): what is this note mainly about?",
    URGENCY: "Urgency (optional)",
    SOURCE: "Intelligence grading, 3x5x2 (optional). Source evaluation:",
    INFO: "Information assessment:",
    HANDLING: "Handling code:",
}


def local_name() -> str:
    try:
        return f"terminal ({getpass.getuser()})"[:200]
    except (KeyError, OSError):
        return "terminal"


def _fill(text: str, indent: str = "") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def _pick(text: str, options: list[str]) -> str | None:
    """An option by number (1..n) or by its key, typed any case."""
    typed = text.strip().casefold()
    if typed.isdigit() and 1 <= int(typed) <= len(options):
        return options[int(typed) - 1]
    found = [o for o in options if o.casefold() == typed]
    return found[0] if found else None


class NoteFlow:
    """/note and /amend: the draft lives in the database, exactly as in Telegram."""

    def __init__(self, knowledge: Knowledge, timezone: str) -> None:
        self.knowledge = knowledge
        self.timezone = timezone

    # -- starting ----------------------------------------------------------------------------
    def start(self, text: str, preset: list[str] | None = None, amends: str | None = None) -> str:
        text = text.strip()
        problem = drafts.text_problem(text) if text else None
        begun = drafts.begin(
            LOCAL_USER,
            LOCAL_USER,
            f"console:{uuid.uuid4().hex}",
            kind="amend" if amends else "note",
            text="" if problem else text,
            preset=preset or [],
            found=[] if problem else self._tags(text),
            amends=amends,
        )
        draft = begun.draft
        head = ""
        if begun.status == "busy":
            head = "You already have a note in progress. Finish it, or /cancel it first.\n\n"
        elif problem:
            head = problem + "\n\n"
        elif draft.kind == "note" and draft.step != TEXT:
            head = self._tag_report(draft) + "\n\n"
        return head + self.prompt(draft)

    def amend(self, rest: str) -> str:
        ref_text, _, text = rest.partition(" ")
        if not ref_text:
            return "Usage: /amend FN-2026-000123, then type the corrected text."
        ref = parse_ref(ref_text)
        note = find_note(ref) if ref else None
        if note is None:
            return f"I can't find a note {ref_text[:30]}. Check the reference in /mynotes."
        if not drafts.may_amend(note, LOCAL_USER):
            return f"{note.ref} was written by someone else: only its author can correct it."
        return self.start(text, amends=note.ref)

    # -- the open draft ----------------------------------------------------------------------
    def draft(self) -> NoteDraft | None:
        return drafts.get_draft(LOCAL_USER, LOCAL_USER)

    def takes(self, text: str) -> bool:
        """Whether a typed line is input for the open note (else it is a question)."""
        draft = self.draft()
        if draft is None:
            return False
        if draft.step in (TEXT, REASON):
            return True
        typed = text.strip().casefold()
        if draft.step == LOCATION:
            return typed == "skip" or _coordinates(typed) is not None
        if draft.step == CONFIRM:
            return typed in ("save", "edit", "cancel")
        choices = list(drafts.STEPS[draft.step].choices)
        return typed == "skip" or _pick(typed, choices) is not None

    def input(self, text: str) -> str:
        draft = self.draft()
        if draft is None:
            return "No note is open. Start one with /note."
        typed = text.strip()
        step = draft.step
        if step in (TEXT, REASON):
            problem = drafts.text_problem(typed, step)
            if problem:
                return problem
            if step == REASON:
                updated = drafts.set_reason(LOCAL_USER, LOCAL_USER, typed, 0)
            else:
                updated = drafts.set_text(LOCAL_USER, LOCAL_USER, typed, self._tags(typed), 0)
            updated = updated or self.draft()
            head = ""
            if step == TEXT and updated.kind == "note":
                head = self._tag_report(updated) + "\n\n"
            return head + self.prompt(updated)
        if step == LOCATION:
            point = _coordinates(typed.casefold())
            if point is None:
                updated = drafts.choose(LOCAL_USER, LOCAL_USER, draft.token, LOCATION, SKIP)
            else:
                updated = drafts.set_location(LOCAL_USER, LOCAL_USER, *point, 0)
            return self.prompt(updated or self.draft())
        if step == CONFIRM:
            return self._confirm(draft, typed.casefold())
        keys = list(drafts.STEPS[step].choices)
        value = SKIP if typed.casefold() == "skip" else _pick(typed, keys)
        updated = drafts.choose(LOCAL_USER, LOCAL_USER, draft.token, step, value or "")
        return self.prompt(updated or draft)

    def _confirm(self, draft: NoteDraft, typed: str) -> str:
        if typed == "cancel":
            drafts.discard(LOCAL_USER, LOCAL_USER, draft.token)
            return "Note discarded. Nothing was saved."
        if typed == "edit":
            updated = drafts.choose(LOCAL_USER, LOCAL_USER, draft.token, CONFIRM, "edit")
            return self.prompt(updated or draft)
        saved = drafts.save(LOCAL_USER, LOCAL_USER, draft.token, local_name())
        if saved.status == "stale":
            return self.prompt(self.draft() or draft)
        note = saved.note
        lines = [f"Saved as {note.ref}, {times_text(note.created_at, self.timezone)}."]
        if note.amends:
            lines.append(f"Linked to {note.amends}; the original is unchanged.")
        else:
            lines.append(f"To correct it: /amend {note.ref}. To read it: /mynotes {note.ref}.")
        if note.urgency == URGENT:
            lines.append(
                "Urgent: supervisors are alerted when a note is saved through the Telegram "
                "bot; from the terminal nobody is told, so phone it in now."
            )
        return "\n".join(lines)

    def cancel(self) -> str | None:
        return (
            "Note discarded: nothing was saved."
            if drafts.discard(LOCAL_USER, LOCAL_USER)
            else None
        )

    # -- what the officer sees ---------------------------------------------------------------
    def prompt(self, draft: NoteDraft) -> str:
        step = draft.step
        if step == TEXT and draft.kind == "amend":
            return (
                f"Correcting {draft.amends}: type the corrected text in one line. /cancel to stop."
            )
        if step == TEXT:
            return (
                "New field note: type what you saw, in one line "
                f"(at most {MAX_TEXT:,} characters). /cancel to stop."
            )
        if step == REASON:
            return f"Why is {draft.amends} being corrected? One line, e.g. wrong registration."
        if step == LOCATION:
            return (
                "Location (optional): type latitude, longitude (e.g. 51.50123, -0.12345) or skip."
            )
        if step in TITLES:
            shown = drafts.STEPS[step]
            codes = shown.group == drafts.GRADING
            lines = [TITLES[step]]
            lines += [
                f"  {n}. {key + ' · ' if codes else ''}{label}"
                for n, (key, label) in enumerate(shown.choices.items(), 1)
            ]
            lines.append("Type a number, or skip.")
            return "\n".join(lines)
        return self._review(draft)

    def _review(self, draft: NoteDraft) -> str:
        lines = ["Check your " + ("correction" if draft.kind == "amend" else "note") + ":"]
        lines.append(_fill(draft.text, "  | "))
        if draft.kind == "amend":
            lines.append(f"Corrects: {draft.amends}  Reason: {draft.reason}")
        else:
            located, grading = location_text(draft), grading_text(draft)
            labels = self.labels(draft.tag_list)
            lines += [
                f"Category: {CATEGORIES.get(draft.category or '', 'none')}",
                f"Urgency: {URGENCIES.get(draft.urgency or '', 'not given')}",
                f"Location: {located}",
                f"Grading: {grading}",
                f"Indicators: {'; '.join(labels) if labels else 'none recognised'}",
            ]
        lines.append("Include only the personal data this note needs.")
        lines.append("Type save, edit (change the text) or cancel.")
        return "\n".join(lines)

    def _tag_report(self, draft: NoteDraft) -> str:
        indicators = self.knowledge.indicators
        if indicators is None:
            return ""
        known = self.known(draft.tag_list)
        steps = indicators.steps(known, indicators.subjects(draft.text, known))
        lines = (
            ["Your note mentions:"] + [_fill(plain(i.label), "  - ") for i in known]
            if known
            else ["No indicators from the checklists recognised in your note."]
        )
        lines.append("What that calls for:")
        lines += [_fill(f"{n}. {plain(s.text)}", "  ") for n, s in enumerate(steps, 1)]
        return "\n".join(lines)

    def known(self, tags: list[str]) -> list[Indicator]:
        indicators = self.knowledge.indicators
        return [indicators.by_tag[t] for t in tags if t in indicators.by_tag] if indicators else []

    def labels(self, tags: list[str]) -> list[str]:
        return [plain(i.label) for i in self.known(tags)]

    def _tags(self, text: str) -> list[str]:
        indicators = self.knowledge.indicators
        return [i.tag for i in indicators.tag_note(text)] if indicators and text else []

    # -- reading back ------------------------------------------------------------------------
    def mynotes(self, rest: str) -> str:
        if rest.strip():
            return self.show(rest.strip())
        rows = recent_notes(LOCAL_USER, 10)
        if not rows:
            return "You have no saved notes yet. Start one with /note."
        lines = ["Your recent notes (newest first):"]
        for note, corrections in rows:
            when = times_text(note.created_at, self.timezone)
            what = (
                f"correction to {note.amends}"
                if note.amends
                else CATEGORIES.get(note.category or "", "no category")
            )
            extra = f", corrected by {', '.join(corrections)}" if corrections else ""
            lines.append(f"  {note.ref}  {when}  {what}{extra}")
        lines.append("Read one in full: /mynotes REF. Correct one: /amend REF.")
        return "\n".join(lines)

    def show(self, ref_text: str) -> str:
        ref = parse_ref(ref_text)
        found = own_note(ref, LOCAL_USER) if ref else "unknown"
        if found == "unknown":
            return f"I can't find a note {ref_text[:30]}. Your references are in /mynotes."
        if found == "not yours":
            return f"{ref} was written by someone else: you can read only your own notes."
        assert isinstance(found, OwnNote)
        return "\n".join(self.full(found))

    def full(self, found: OwnNote) -> list[str]:
        note = found.note
        lines = [
            f"{note.ref}" + (" (correction)" if note.amends else ""),
            _fill(note.text, "  | "),
        ]
        lines += [f"{k}: {v}" for k, v in details(note, self.timezone, self.labels(note.tag_list))]
        for amendment in found.amendments:
            lines += ["", f"Corrected by {amendment.ref}:", _fill(amendment.text, "  | ")]
            lines += [
                f"{k}: {v}" for k, v in details(amendment, self.timezone, []) if k != "Corrects"
            ]
        return lines


def _coordinates(text: str) -> tuple[float, float] | None:
    parts = text.replace(";", ",").split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


class CheckFlow:
    """/check [name]: tick signs by number, `done` for the steps they call for, `note` to save."""

    def __init__(self, knowledge: Knowledge, notes: Callable[[], NoteFlow]) -> None:
        self.knowledge = knowledge
        self.notes = notes
        self.name: str | None = None
        self.mask = 0
        self.finished = False  # `done` typed: only `note` is still taken

    @property
    def open(self) -> bool:
        return self.name is not None

    def _list(self) -> tuple[ChecklistSpec, list[Indicator]]:
        found = self.knowledge.indicators.checklist(self.name or "")
        assert found is not None
        return found

    def start(self, wanted: str) -> str:
        indicators = self.knowledge.indicators
        if indicators is None:
            return "Checklists are not available right now. Ask a question instead."
        names = list(indicators.spec.checklists)
        if not wanted.strip():
            lines = ["Which checklist?"] + [
                f"  /check {n}: {plain(indicators.spec.checklists[n].title)}" for n in names
            ]
            return "\n".join(lines)
        typed = wanted.casefold().strip()
        close = [n for n in names if n.startswith(typed) or typed.startswith(n)]
        if typed not in names and len(close) != 1:
            return f"No checklist called {wanted.strip()!r}. Choose one of: {', '.join(names)}."
        self.name, self.mask, self.finished = typed if typed in names else close[0], 0, False
        return self.view()

    def view(self) -> str:
        spec, items = self._list()
        lines = [plain(spec.title)]
        for n, item in enumerate(items, 1):
            mark = "[x]" if self.mask >> (n - 1) & 1 else "[ ]"
            lines.append(f"  {mark} {n}. {plain(item.label)}")
        lines.append("Type the numbers of the signs you have seen (e.g. 1 4 7), then done.")
        return "\n".join(lines)

    def takes(self, text: str) -> bool:
        if not self.open:
            return False
        typed = text.strip().casefold()
        if self.finished:
            return typed == "note"
        return typed == "done" or all(p.isdigit() for p in typed.replace(",", " ").split())

    def input(self, text: str) -> str:
        typed = text.strip().casefold()
        spec, items = self._list()
        if typed == "note":
            seen = ticked(items, self.mask)
            self.name = None
            return self.notes().start(checklist_note_text(spec, seen), [i.tag for i in seen])
        if typed == "done":
            self.finished = True
            return self.summary(spec, items)
        bad = []
        for part in typed.replace(",", " ").split():
            n = int(part)
            if 1 <= n <= len(items):
                self.mask ^= 1 << (n - 1)
            else:
                bad.append(part)
        head = f"There is no sign number {', '.join(bad)}.\n" if bad else ""
        return head + self.view()

    def summary(self, spec: ChecklistSpec, items: list[Indicator]) -> str:
        indicators = self.knowledge.indicators
        seen = ticked(items, self.mask)
        steps = indicators.steps(seen, {spec.subject})
        lines = [plain(spec.title), f"Seen ({len(seen)} of {len(items)}):"]
        lines += [_fill(plain(i.label), "  - ") for i in seen]
        lines.append("What this calls for:")
        lines += [_fill(f"{n}. {plain(s.text)}", "  ") for n, s in enumerate(steps, 1)]
        lines.append(_fill(plain(CAVEAT)))
        if seen:
            lines.append("Type note to save this as a field note, or ask a question.")
        else:
            self.name = None
        return "\n".join(lines)

    def cancel(self) -> str | None:
        was = self.open
        self.name = None
        return "Checklist cancelled. Nothing was saved." if was else None


class ReferFlow:
    """/refer: the referral questions as numbered answers; back, then the routes in order."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self._flow: Referral | None = None
        self.path: str | None = None

    @property
    def flow(self) -> Referral:
        if self._flow is None:
            from bot.core.services import referral_of

            self._flow = referral_of(self.knowledge)
        return self._flow

    def start(self) -> str:
        self.path = ""
        return self.view(self.flow.first())

    def takes(self, text: str) -> bool:
        if self.path is None:
            return False
        typed = text.strip().casefold()
        position = self.flow.walk(self.path)
        if typed in ("back", "again"):
            return True
        return position is not None and position.question is not None and typed.isdigit()

    def input(self, text: str) -> str:
        typed = text.strip().casefold()
        if typed == "again":
            return self.start()
        if typed == "back":
            self.path = (self.path or "")[:-1]
            return self.view(self.flow.walk(self.path))
        position = self.flow.walk(self.path or "")
        answers = position.question.answers
        n = int(typed)
        if not 1 <= n <= len(answers):
            return f"Type a number from 1 to {len(answers)}.\n\n" + self.view(position)
        self.path = (self.path or "") + CODES[n - 1]
        return self.view(self.flow.walk(self.path))

    def view(self, position: Position) -> str:
        said = " · ".join(c.said for c in position.choices)
        lines = [f"You answered: {said}"] if said else []
        if position.question is not None:
            question = position.question
            lines.insert(0, f"Referral route, question {len(position.path) + 1}")
            lines.append(_fill(plain(question.ask)))
            if question.help:
                lines.append(_fill(plain(question.help)))
            lines += [f"  {n}. {a.label}" for n, a in enumerate(question.answers, 1)]
            lines.append("Type a number" + (", or back." if position.path else "."))
            return "\n".join(lines)
        outcome = position.outcome
        lines.insert(0, plain(outcome.title))
        lines.append("Do these, in this order:")
        kb = self.knowledge.kb
        for n, route in enumerate(self.flow.routes(outcome), 1):
            lines.append(_fill(f"{n}. {route.via}: {plain(route.text)}", "  "))
            topic = kb.topics.get(route.topic)
            if topic:
                lines.append(f"     (topic: {topic.title})")
        lines.append(_fill(plain(CAVEAT)))
        lines.append("Type back to change the last answer, or again to start over.")
        return "\n".join(lines)

    def cancel(self) -> str | None:
        was = self.path is not None
        self.path = None
        return "Referral route cancelled. Send /refer to start again." if was else None
