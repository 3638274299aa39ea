"""Field notes as a team uses them: reading one back, questions mid-note, urgent alerts, and
a tagger that reads bare ages and counts each sign once."""

from __future__ import annotations

import pytest

from bot.core.access.users import Audit, Role, User
from bot.core.guided.indicators import Indicators, bare_ages
from bot.core.notes.log import NoteInput, add_note
from bot.core.services import Knowledge
from tests.botapi import plain
from tests.support import Harness
from tests.test_notes_telegram import (
    CHILD_NOTE,
    LOCATION,
    OFFICER,
    OTHER,
    SUPERVISOR,
    button,
    draft_of,
    edit_press,
    save,
    stored,
)

SECOND_SUPERVISOR = 700104
RETIRED_SUPERVISOR = 700105


async def test_mynotes_ref_shows_the_authors_note_in_full_with_corrections(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    await bot.enrol(OTHER)

    def write() -> tuple[str, str]:
        first, _ = add_note(
            NoteInput(
                OFFICER,
                "Grey van at 8 Rowan Court, two lads unloading bags",
                "Officer",
                "vehicle",
                "priority",
                51.1,
                0.8,
            ),
            "team-1",
        )
        fix, _ = add_note(
            NoteInput(
                OFFICER,
                "Grey van at 10 Rowan Court",
                "Officer",
                amends=first.ref,
                reason="wrong house number",
            ),
            "team-2",
        )
        return first.ref, fix.ref

    ref, fix = await bot.services.store.run(write)
    [reply] = await bot.say(OFFICER, f"/mynotes {ref.lower()}")
    text = plain(reply.text)
    assert text.startswith(ref)
    assert "Grey van at 8 Rowan Court, two lads unloading bags" in text
    assert "Category: Vehicle" in text and "Urgency: Priority (this shift)" in text
    assert "Location: 51.10000, 0.80000" in text
    assert f"Corrected by {fix}" in text and "Grey van at 10 Rowan Court" in text
    assert "Reason: wrong house number" in text
    assert "<blockquote>" in reply.text

    [refused] = await bot.say(OTHER, f"/mynotes {ref}")
    assert "someone else" in refused.text and "Rowan" not in refused.text
    [unknown] = await bot.say(OFFICER, "/mynotes FN-2026-999999")
    assert "can't find" in unknown.text
    [group] = await bot.say(OFFICER, f"/mynotes {ref}", chat_id=-100555, chat_type="group")
    assert "private chat" in group.text and "Rowan" not in group.text


async def test_a_question_mid_note_is_answered_and_the_note_stays_open(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [_, category] = await bot.say(OFFICER, f"/note {CHILD_NOTE}", count=2)
    card, still = await bot.say(OFFICER, "signs of cuckooing", count=2)
    assert "cuckooed" in card.text.lower()
    assert "still open" in still.text
    draft = await draft_of(bot, OFFICER)
    assert draft is not None and draft.step == "cat"
    urgency = await edit_press(bot, OFFICER, category, "Child or runner")
    assert "Urgency" in urgency.text  # the same note carries on


async def test_an_urgent_note_alerts_every_active_supervisor(bot: Harness) -> None:
    await bot.enrol(OFFICER, name="Alex Example")
    await bot.enrol(SUPERVISOR, Role.SUPERVISOR, name="Sam Sergeant")
    await bot.enrol(SECOND_SUPERVISOR, Role.SUPERVISOR, name="Pat Inspector")
    await bot.enrol(RETIRED_SUPERVISOR, Role.SUPERVISOR, name="Old Sergeant")
    await bot.services.store.run(
        lambda: User.update(active=False).where(User.id == RETIRED_SUPERVISOR).execute()
    )
    [_, category] = await bot.say(OFFICER, f"/note {CHILD_NOTE}", count=2)
    urgency = await edit_press(bot, OFFICER, category, "Child or runner")
    mark = bot.api.mark()
    bot.api.press(OFFICER, urgency, button(urgency, "Urgent"))
    await bot.api.wait("sendMessage", chat_id=OFFICER, after=mark)
    mark = bot.api.mark()
    bot.api.send(OFFICER, location=LOCATION)
    _, source = await bot.api.wait("sendMessage", chat_id=OFFICER, count=2, after=mark)
    confirm = await edit_press(bot, OFFICER, source, "Skip grading")
    mark = bot.api.mark()
    receipt = await save(bot, OFFICER, confirm)
    ref = plain(receipt.text).split("Note saved: ")[1].split()[0]
    for supervisor in (SUPERVISOR, SECOND_SUPERVISOR):
        [alert] = await bot.api.wait("sendMessage", chat_id=supervisor, after=mark)
        text = plain(alert.text)
        assert f"Urgent field note {ref}" in text
        assert "Category: Child or runner seen" in text and "Urgency: Urgent (now)" in text
        assert "Location: 51.14361, 0.87504" in text and " UTC (" in text
        assert CHILD_NOTE not in text  # the text stays in the notebook
    assert bot.api.sent(RETIRED_SUPERVISOR) == []
    rows = await bot.services.store.run(
        lambda: [(a.action, a.target, a.detail) for a in Audit.select()]
    )
    assert ("urgent-alert", ref, "alerted 2 supervisor(s)") in rows
    [note] = await stored(bot)
    assert note.urgency == "urgent"


async def test_a_routine_note_alerts_nobody(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    await bot.enrol(SUPERVISOR, Role.SUPERVISOR)
    from tests.test_notes_telegram import quick_note

    await quick_note(bot, OFFICER, "Quiet night on the estate")
    assert bot.api.sent(SUPERVISOR) == []


@pytest.fixture(scope="module")
def indicators(knowledge: Knowledge) -> Indicators:
    assert knowledge.indicators is not None
    return knowledge.indicators


@pytest.mark.parametrize(
    "text",
    [
        "Jayden Brown 14 at the station with two phones",
        "Jayden Brown, 14, at the station with two phones",
        "Jayden (14) at the station with two phones",
        "14yo at the station with two phones",
        "lad aged 14 at the station with two phones",
    ],
)
def test_bare_ages_say_child(indicators: Indicators, text: str) -> None:
    assert indicators.subjects(text, indicators.tag(text)) == {"child"}


@pytest.mark.parametrize(
    "text",
    [
        "Blue car outside Flat 14 Elm Road",
        "Seen at 14:30 near Station Road",
        "Jayden called 14 times today",
        "Parked in Bay 12 at Rowan Court",
        "Dropped off on 14 March",
    ],
)
def test_numbers_that_are_not_ages(text: str) -> None:
    assert bare_ages(text) == []


def test_each_sign_is_listed_once(indicators: Indicators) -> None:
    text = "Jayden Brown 14 at the station with two phones, cash, far from home"
    tags = [i.tag for i in indicators.tag_note(text)]
    assert len(tags) == len(set(tags))
    phones = [t for t in tags if "phone" in t or "handset" in t]
    assert phones == ["indicators-child-exploitation#several-phones"]
    assert len(indicators.tag(text)) > len(tags)  # the same phrase matched several topics
    adult = [i.tag for i in indicators.tag_note("Dean Smith 34, tenant, two phones")]
    assert adult == ["indicators-deal-line-phones#several-handsets"]
