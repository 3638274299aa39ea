"""/check: the scene checklists end to end, as an officer taps through them on a phone."""

from __future__ import annotations

import copy
import importlib

import pytest

from bot.core.guided.flows import checklist_version
from bot.core.guided.indicators import Indicators
from bot.core.services import Knowledge
from bot.telegram import checks
from tests.botapi import Call, plain
from tests.support import Harness, settings_for, start_bot, stop_bot

OFFICER = 700101
SORRY = "something went wrong"


@pytest.fixture(scope="module")
def indicators(knowledge: Knowledge) -> Indicators:
    assert knowledge.indicators is not None
    return knowledge.indicators


def current(bot: Harness, call: Call) -> dict:
    """The message as the phone shows it now (a copy: later edits don't change it)."""
    chat = int(call.params["chat_id"])
    message_id = int(call.params.get("message_id") or bot.api.result_of(call)["message_id"])
    return copy.deepcopy(bot.api.messages[(chat, message_id)])


def data_of(call: Call, label_start: str) -> str:
    return next(data for label, data in call.buttons if label.startswith(label_start))


async def tap(bot: Harness, message: dict, data: str, method: str = "editMessageText") -> Call:
    mark = bot.api.mark()
    bot.api.press(OFFICER, message, data)
    [call] = await bot.api.wait(method, after=mark)
    return call


async def alert(bot: Harness, message: dict, data: str) -> str:
    mark = bot.api.mark()
    bot.api.press(OFFICER, message, data)
    [answered] = await bot.api.wait("answerCallbackQuery", after=mark)
    return answered.params.get("text", "")


def no_errors(bot: Harness) -> None:
    assert not any(SORRY in c.text for c in bot.api.sent())


@pytest.mark.parametrize("name", ["child", "cuckooing", "adult"])
async def test_each_checklist_ticks_then_summarises_the_steps(
    bot: Harness, indicators: Indicators, name: str
) -> None:
    await bot.enrol(OFFICER)
    spec, items = indicators.checklist(name)
    [sheet] = await bot.say(OFFICER, f"/check {name}")
    assert spec.title in plain(sheet.text) and "Nothing ticked yet" in sheet.text
    labels = [label for label, _ in sheet.buttons]
    assert labels[: len(items)] == [f"{checks.BOX} {i.label}" for i in items]
    assert labels[len(items) :] == ["Done ✔", "Cancel"]
    assert all(len(data.encode()) <= 64 for _, data in sheet.buttons)

    # An ordinary sign, a danger sign, and one ticked by mistake then unticked.
    danger = next(n for n, i in enumerate(items) if "danger" in i.flags)
    ordinary = next(n for n, i in enumerate(items) if not i.flags)
    mistake = next(n for n in range(len(items)) if n not in (danger, ordinary))
    shown = sheet
    for n in (ordinary, danger, mistake, mistake):
        shown = await tap(bot, current(bot, shown), shown.buttons[n][1])
    ticks = [label.startswith(checks.TICK) for label, _ in shown.buttons[: len(items)]]
    assert [n for n, t in enumerate(ticks) if t] == sorted([ordinary, danger])
    assert "Ticked: 2 of" in shown.text

    done = await tap(bot, current(bot, shown), data_of(shown, "Done"))
    text = plain(done.text)
    seen = [items[ordinary], items[danger]]
    for item in seen:
        assert f"• {item.label}" in text
    assert items[mistake].label not in text
    steps = indicators.steps(seen, {spec.subject})
    positions = [text.index(step.text) for step in steps]
    assert positions == sorted(positions)  # every step, in the order checks.yaml gives
    assert steps[0].text.startswith("Someone may be in immediate danger: call 999")
    step_topics = {t for step in steps for t in step.topics}
    if spec.subject == "child":
        assert {"police-protection-s46", "children-social-care-referral", "nrm-referral"} <= (
            step_topics
        )
        assert "duty-to-notify" not in step_topics
    else:
        assert {"nrm-referral", "duty-to-notify"} <= step_topics
        assert "police-protection-s46" not in step_topics
    buttons = dict((data, label) for label, data in done.buttons)
    for topic in step_topics | {spec.topic}:
        assert f"t:{topic}" in buttons
    assert any(label == "Save as field note" for label, _ in done.buttons)

    [card] = await bot.press(OFFICER, done, f"t:{steps[-1].topics[0]}")
    title = bot.services.knowledge.kb.topics[steps[-1].topics[0]].title
    assert plain(card.text).startswith(title)
    no_errors(bot)


async def test_offending_signs_call_for_the_s45_step(bot: Harness, indicators: Indicators) -> None:
    await bot.enrol(OFFICER)
    _, items = indicators.checklist("child")
    n = next(n for n, i in enumerate(items) if i.flags == ("offending",))
    [sheet] = await bot.say(OFFICER, "/check child")
    ticked = await tap(bot, current(bot, sheet), sheet.buttons[n][1])
    done = await tap(bot, current(bot, ticked), data_of(ticked, "Done"))
    text = plain(done.text)
    assert "s45 defence can be considered" in text
    assert "call 999" not in text  # an offending sign alone is no emergency
    assert "t:msa-s45-defence" in [data for _, data in done.buttons]


async def test_menu_unknown_names_and_close_names(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [menu] = await bot.say(OFFICER, "/check")
    assert menu.text == "Which checklist? Tap one:"
    assert [data for _, data in menu.buttons] == ["ck:child", "ck:cuckooing", "ck:adult"]
    sheet = await tap(bot, current(bot, menu), "ck:cuckooing")
    assert "Has this address been cuckooed?" in sheet.text

    [unknown] = await bot.say(OFFICER, "/check <b>bananas</b> & co")
    assert "I don't have a checklist called <i>&lt;b&gt;bananas&lt;/b&gt; &amp; co</i>" in (
        unknown.text
    )
    assert len(unknown.buttons) == 3
    [close] = await bot.say(OFFICER, "/check Cuckoo")
    assert "Has this address been cuckooed?" in close.text
    [plural] = await bot.say(OFFICER, "/check adults")
    assert "Is this adult being exploited?" in plural.text
    no_errors(bot)


async def test_quick_taps_before_the_phone_redraws_all_count(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [sheet] = await bot.say(OFFICER, "/check adult")
    snapshot = current(bot, sheet)  # both taps are made on the same, not yet redrawn, buttons
    mark = bot.api.mark()
    for n in (0, 3, 5):
        bot.api.press(OFFICER, snapshot, sheet.buttons[n][1])
    edits = await bot.api.wait("editMessageText", count=3, after=mark)
    ticked = [n for n, (label, _) in enumerate(edits[-1].buttons) if label.startswith("✅")]
    assert ticked == [0, 3, 5]
    assert "Ticked: 3 of" in edits[-1].text


async def test_ticks_survive_a_restart(botapi, knowledge: Knowledge, sqlite_url: str) -> None:
    settings = settings_for(botapi, sqlite_url)
    bot = Harness(botapi, await start_bot(settings, knowledge))
    try:
        await bot.enrol(OFFICER)
        [sheet] = await bot.say(OFFICER, "/check child")
        first = await tap(bot, current(bot, sheet), sheet.buttons[1][1])
        message = current(bot, first)
    finally:
        await stop_bot(bot.app)
    # A new process on the same database and Bot API: nothing of the old one is in memory.
    bot = Harness(botapi, await start_bot(settings, knowledge))
    try:
        second = await tap(bot, message, first.buttons[2][1])
        ticked = [n for n, (label, _) in enumerate(second.buttons) if label.startswith("✅")]
        assert ticked == [1, 2]
        done = await tap(bot, current(bot, second), data_of(second, "Done"))
        assert "Seen (2 of" in plain(done.text)
    finally:
        await stop_bot(bot.app)


async def test_stale_and_broken_buttons_are_handled_politely(
    bot: Harness, indicators: Indicators
) -> None:
    await bot.enrol(OFFICER)
    _, items = indicators.checklist("cuckooing")
    version = checklist_version(items)
    [sheet] = await bot.say(OFFICER, "/check cuckooing")
    message = current(bot, sheet)

    renewed = await tap(bot, message, "ck:cuckooing:0000:3:1")  # from an older checklist
    assert checks.CHANGED in renewed.text and "Nothing ticked yet" in renewed.text
    for broken in ("ck:cuckooing:" + version + ":zz:1", "ck:cuckooing:" + version + ":1"):
        redrawn = await tap(bot, message, broken)
        assert checks.CHANGED in redrawn.text

    assert "no longer available" in await alert(bot, message, "ck:retired-list:0:0:1")
    assert "expired" in await alert(bot, message, f"ck:cuckooing:{version}:0:q")
    nothing = await alert(bot, current(bot, sheet), f"ck:cuckooing:{version}:0:d")
    assert "Tick the signs you have seen first" in nothing
    out_of_range = await alert(bot, message, f"ck:cuckooing:{version}:0:{len(items)}")
    assert "expired" in out_of_range
    no_errors(bot)


async def test_cancel_by_button_and_by_command(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [sheet] = await bot.say(OFFICER, "/check child")
    cancelled = await tap(bot, current(bot, sheet), data_of(sheet, "Cancel"))
    assert cancelled.text == checks.CANCELLED and not cancelled.buttons
    [reply] = await bot.say(OFFICER, "/cancel")
    assert reply.text.startswith("Nothing to cancel")

    [sheet] = await bot.say(OFFICER, "/check adult")
    ticked = await tap(bot, current(bot, sheet), sheet.buttons[0][1])
    mark = bot.api.mark()
    [reply] = await bot.say(OFFICER, "/cancel")
    assert reply.text.startswith(checks.CANCELLED)
    [closed] = await bot.api.wait("editMessageText", after=mark)
    assert closed.params["message_id"] == ticked.params["message_id"]
    assert closed.text == checks.CANCELLED and not closed.buttons

    # A finished checklist is not "in progress": /cancel leaves its summary alone.
    [sheet] = await bot.say(OFFICER, "/check adult")
    ticked = await tap(bot, current(bot, sheet), sheet.buttons[0][1])
    await tap(bot, current(bot, ticked), data_of(ticked, "Done"))
    [reply] = await bot.say(OFFICER, "/cancel")
    assert reply.text.startswith("Nothing to cancel")


async def test_change_answers_after_done(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [sheet] = await bot.say(OFFICER, "/check cuckooing")
    ticked = await tap(bot, current(bot, sheet), sheet.buttons[0][1])
    done = await tap(bot, current(bot, ticked), data_of(ticked, "Done"))
    again = await tap(bot, current(bot, done), data_of(done, "« Change answers"))
    assert "Ticked: 1 of" in again.text and again.buttons[0][0].startswith(checks.TICK)
    more = await tap(bot, current(bot, again), again.buttons[1][1])
    done = await tap(bot, current(bot, more), data_of(more, "Done"))
    assert "Seen (2 of" in plain(done.text)


def _begin_note_ready() -> bool:
    try:
        module = importlib.import_module("bot.telegram.notes")
    except ImportError:
        return False
    return callable(getattr(module, "begin_note", None))


async def test_save_as_field_note(bot: Harness, indicators: Indicators) -> None:
    await bot.enrol(OFFICER)
    spec, items = indicators.checklist("child")
    [sheet] = await bot.say(OFFICER, "/check child")
    ticked = await tap(bot, current(bot, sheet), sheet.buttons[2][1])
    done = await tap(bot, current(bot, ticked), data_of(ticked, "Done"))
    save = data_of(done, "Save as field note")
    if not _begin_note_ready():
        # Field notes (issue 5) are not there yet: the button says so and nothing breaks.
        assert "not available yet" in await alert(bot, current(bot, done), save)
        no_errors(bot)
        pytest.skip("integration pending: bot.telegram.notes.begin_note does not exist yet")
    from bot.core.notes.log import NoteDraft

    mark = bot.api.mark()
    bot.api.press(OFFICER, current(bot, done), save)
    [answered] = await bot.api.wait("answerCallbackQuery", after=mark)
    assert not answered.params.get("text")  # answered once, quietly, by the checklist
    await bot.api.wait("sendMessage", chat_id=OFFICER, after=mark)  # the note flow's next step
    draft = await bot.services.store.run(
        lambda: NoteDraft.get_or_none(NoteDraft.user_id == OFFICER)
    )
    assert draft is not None
    assert draft.text == checks.note_text(spec, [items[2]])
    assert draft.tag_list[0] == items[2].tag  # the ticked item, as "<topic-id>#<item-id>"
    no_errors(bot)
