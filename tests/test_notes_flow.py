"""The field-note flow is a table in core (bot.core.notes.drafts.FLOWS): it decides the order of
the steps and what a button may set, and every step has a panel in the Telegram adapter."""

from __future__ import annotations

from datetime import timedelta

from bot.core.access.users import now
from bot.core.notes import drafts
from bot.core.notes.log import CATEGORIES, MAX_REASON, MAX_TEXT, Note, NoteDraft
from bot.telegram import notes as telegram_notes


def walk(kind: str, **values: object) -> list[str]:
    draft = NoteDraft(kind=kind, reviewing=False, reason="", **values)
    steps, step = [drafts.TEXT], drafts.TEXT
    while step != drafts.CONFIRM:
        step = drafts.next_step(draft, step)
        steps.append(step)
    return steps


def test_the_table_orders_each_flow() -> None:
    assert walk("note") == [s.name for s in drafts.FLOWS["note"]]
    assert walk("note") == ["text", "cat", "urg", "loc", "src", "inf", "hnd", "ok"]
    assert walk("amend") == ["text", "why", "ok"]
    reviewed = NoteDraft(kind="note", reviewing=True, reason="")
    assert drafts.next_step(reviewed, drafts.TEXT) == drafts.CONFIRM


def test_every_step_has_a_panel_and_choice_steps_take_only_their_choices() -> None:
    panels = set(telegram_notes.CHOICE_PANELS) | set(telegram_notes.OTHER_PANELS)
    assert set(drafts.STEPS) == panels
    assert set(telegram_notes.CHOICE_PANELS) == {
        s.name for s in drafts.STEPS.values() if s.choices
    }
    assert drafts.STEPS[drafts.CATEGORY].choices is CATEGORIES
    grading = [s.name for s in drafts.FLOWS["note"] if s.group == drafts.GRADING]
    assert grading == [drafts.SOURCE, drafts.INFO, drafts.HANDLING]


def test_the_rules_live_in_core() -> None:
    assert drafts.text_problem("x" * MAX_TEXT) is None
    assert "at most" in drafts.text_problem("x" * (MAX_TEXT + 1))
    assert "reason" in drafts.text_problem("x" * (MAX_REASON + 1), drafts.REASON)
    assert "empty" in drafts.text_problem("  ")
    note = Note(author_id=1)
    assert drafts.may_amend(note, 1) and not drafts.may_amend(note, 2)
    fresh = NoteDraft(updated_at=now())
    assert drafts.takes_typing(fresh, now())
    assert not drafts.takes_typing(fresh, now() + drafts.IDLE + timedelta(seconds=1))
    assert drafts.message_origin(5, 7) != drafts.message_origin(5, 8) != drafts.button_origin("7")
