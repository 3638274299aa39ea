"""Field notes end to end: the real Application polling the Bot API stand-in over HTTP."""

from __future__ import annotations

import csv
import io
import json

from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler

from bot.core.access.users import Audit, Role
from bot.core.clock import now
from bot.core.feedback import Gap
from bot.core.notes.chain import verify
from bot.core.notes.log import Note, NoteDraft
from bot.telegram.notes import begin_note
from tests.botapi import Call, FakeBotAPI, plain
from tests.support import ADMIN, Harness, settings_for, start_bot, stop_bot

OFFICER = 700101
OTHER = 700102
SUPERVISOR = 700103
CHILD_NOTE = "15yo boy from Croydon at Ashford station with 3 phones and cash, says he is visiting"
LOCATION = {"latitude": 51.143612, "longitude": 0.875041}


def button(call: Call, starts: str) -> str:
    """The callback data of the button whose label starts with `starts`."""
    return next(data for label, data in call.buttons if label.startswith(starts))


async def edit_press(bot: Harness, uid: int, call: Call, starts: str) -> Call:
    """Press a button that edits its own message; the edited message's call."""
    [edited] = await bot.press(uid, call, button(call, starts), method="editMessageText")
    return edited


async def stored(bot: Harness) -> list[Note]:
    return await bot.services.store.run(lambda: list(Note.select().order_by(Note.seq)))


async def draft_of(bot: Harness, uid: int) -> NoteDraft | None:
    return await bot.services.store.run(lambda: NoteDraft.get_or_none(NoteDraft.user_id == uid))


async def skip_to_confirm(bot: Harness, uid: int, category: Call) -> Call:
    """From the category step, skip everything optional; the confirm panel."""
    urgency = await edit_press(bot, uid, category, "Skip")
    mark = bot.api.mark()
    bot.api.press(uid, urgency, button(urgency, "Skip"))
    [location] = await bot.api.wait("sendMessage", chat_id=uid, after=mark)
    assert "Location" in location.text
    [_, grading] = await bot.say(uid, "Skip location", count=2)
    return await edit_press(bot, uid, grading, "Skip grading")


async def save(bot: Harness, uid: int, confirm: Call) -> Call:
    return await edit_press(bot, uid, confirm, "✅ Save")


async def quick_note(bot: Harness, uid: int, text: str) -> tuple[Call, str]:
    """A note with only its text: (receipt, reference)."""
    [_, category] = await bot.say(uid, f"/note {text}", count=2)
    receipt = await save(bot, uid, await skip_to_confirm(bot, uid, category))
    return receipt, plain(receipt.text).split("Note saved: ")[1].split()[0]


async def test_a_whole_note_in_a_few_taps(bot: Harness) -> None:
    await bot.enrol(OFFICER, name="Alex Example")
    mark = bot.api.mark()
    command = bot.api.send(OFFICER, f"/note {CHILD_NOTE}")
    [tags, category] = await bot.api.wait("sendMessage", chat_id=OFFICER, count=2, after=mark)

    # Tagging: the indicators mentioned, the steps they call for, buttons to the topics.
    shown = plain(tags.text)
    assert "Several phones or SIMs" in shown and "Unexplained cash" in shown
    assert "children's social care" in shown and "NRM referral" in shown
    assert "intelligence report" in shown
    topic_buttons = [data for _, data in tags.buttons]
    assert "t:nrm-referral" in topic_buttons and "t:children-social-care-referral" in topic_buttons
    [card] = await bot.press(OFFICER, tags, "t:nrm-referral")
    assert plain(card.text).startswith("National Referral Mechanism")

    # Category, urgency, location, grading, confirm.
    assert "Category" in category.text
    assert [label for label, _ in category.buttons][:6] == [
        "Cuckooed address",
        "Child or runner seen",
        "Deal-line phone",
        "Vehicle",
        "Weapon",
        "Other",
    ]
    urgency = await edit_press(bot, OFFICER, category, "Child or runner")
    assert "Urgency" in urgency.text
    mark = bot.api.mark()
    bot.api.press(OFFICER, urgency, button(urgency, "Priority"))
    [location] = await bot.api.wait("sendMessage", chat_id=OFFICER, after=mark)
    keyboard = location.params["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_location"] is True
    mark = bot.api.mark()
    shared = bot.api.send(OFFICER, location=LOCATION)
    added, source = await bot.api.wait("sendMessage", chat_id=OFFICER, count=2, after=mark)
    assert "Location added" in added.text and added.params["reply_markup"]["remove_keyboard"]
    assert "force training; check your force's intelligence guidance" in source.text
    assert [label for label, _ in source.buttons] == [
        "1 · Reliable",
        "2 · Untested",
        "3 · Not reliable",
        "Skip grading",
    ]
    info = await edit_press(bot, OFFICER, source, "2 ")
    assert [label[0] for label, _ in info.buttons][:5] == list("ABCDE")
    handling = await edit_press(bot, OFFICER, info, "B ")
    confirm = await edit_press(bot, OFFICER, handling, "P ")
    summary = plain(confirm.text)
    assert CHILD_NOTE in summary and "Child or runner seen" in summary
    assert "Grading: 2/B/P" in summary and "Location: shared (51.14361, 0.87504)" in summary
    assert "Include only the personal data this note needs" in summary

    mark = bot.api.mark()
    receipt = await save(bot, OFFICER, confirm)
    text = plain(receipt.text)
    assert f"Note saved: FN-{now().year}-000001" in text
    assert " UTC (" in text and ("GMT" in text or "BST" in text)
    assert "Several phones or SIMs" in text and CHILD_NOTE not in text
    assert "your message with the text is removed from this chat" in text
    deletions = await bot.api.wait("deleteMessage", chat_id=OFFICER, count=2, after=mark)
    deleted = {int(c.params["message_id"]) for c in deletions}
    assert deleted == {command["message_id"], shared["message_id"]}
    assert (OFFICER, command["message_id"]) not in bot.api.messages

    [note] = await stored(bot)
    assert note.text == CHILD_NOTE and note.author_id == OFFICER
    assert note.author_name == "Officer"  # the Telegram profile name of the stand-in user
    assert (note.category, note.urgency) == ("child", "priority")
    assert (note.source_grade, note.info_grade, note.handling) == ("2", "B", "P")
    assert abs(note.latitude - LOCATION["latitude"]) < 1e-6
    assert "indicators-child-exploitation#several-phones" in note.tag_list
    assert await draft_of(bot, OFFICER) is None
    assert (await bot.services.store.run(verify)).ok


async def test_text_asked_for_and_bad_input_keeps_the_draft(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [prompt] = await bot.say(OFFICER, "/note")
    assert "Type what you saw" in prompt.text
    [reply] = await bot.say(OFFICER, sticker=bot.api.sticker())
    assert "I need the note as text" in reply.text
    [reply] = await bot.say(
        OFFICER, photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    )
    assert "I need the note as text" in reply.text
    [reply] = await bot.say(OFFICER, location=LOCATION)
    assert "type what you saw first" in reply.text
    [reply] = await bot.say(OFFICER, "x" * 3001)
    assert "3,001 characters" in reply.text and "at most 3,000" in reply.text
    [reply] = await bot.say(OFFICER, "   ")
    assert "empty" in reply.text
    draft = await draft_of(bot, OFFICER)
    assert draft is not None and draft.step == "text" and draft.text == ""

    [tags, category] = await bot.say(
        OFFICER, "Blue Ford Fiesta dropping off at the flats", count=2
    )
    assert "No indicators from the checklists recognised" in tags.text
    urgency = await edit_press(bot, OFFICER, category, "Vehicle")

    # A stale button: the category step is done; the draft is untouched.
    mark = bot.api.mark()
    bot.api.press(OFFICER, category, button(category, "Weapon"))
    [stale] = await bot.api.wait("answerCallbackQuery", after=mark)
    assert "already done" in stale.params["text"] and stale.params["show_alert"]
    assert (await draft_of(bot, OFFICER)).category == "vehicle"

    # Typing at a button step is not taken as a question (no gap with note details).
    [hint, again] = await bot.say(OFFICER, "also a red moped AB12 CDE", count=2)
    assert "didn't add this message" in hint.text and "Urgency" in again.text
    assert await bot.services.store.run(lambda: Gap.select().count()) == 0

    [cancelled] = await bot.say(OFFICER, "/cancel")
    assert cancelled.text.startswith("Note discarded: nothing was saved.")
    assert cancelled.params["reply_markup"] == {"remove_keyboard": True}
    assert await draft_of(bot, OFFICER) is None
    mark = bot.api.mark()
    bot.api.press(OFFICER, urgency, button(urgency, "Routine"))
    [gone] = await bot.api.wait("answerCallbackQuery", after=mark)
    assert "discarded" in gone.params["text"]
    [answer] = await bot.say(OFFICER, "signs of cuckooing")  # questions work again
    assert "cuckooed" in answer.text
    assert await stored(bot) == []


async def test_group_chat_is_refused(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    group = -100777
    [reply] = await bot.say(OFFICER, f"/note {CHILD_NOTE}", chat_id=group, chat_type="supergroup")
    assert "group chats" in reply.text and "private chat" in reply.text
    assert await draft_of(bot, OFFICER) is None
    [reply] = await bot.say(OFFICER, "/amend FN-2026-000001", chat_id=group, chat_type="group")
    assert "group chats" in reply.text


async def test_edit_text_from_the_confirm_step(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [_, category] = await bot.say(OFFICER, "/note Two lads on bikes outside the Co-op", count=2)
    confirm = await skip_to_confirm(bot, OFFICER, category)
    prompt = await edit_press(bot, OFFICER, confirm, "✏️ Edit")
    assert "Type what you saw" in prompt.text and button(prompt, "Keep")
    [tags, confirm] = await bot.say(
        OFFICER, "Two lads on bikes outside the Co-op, one with a knife", count=2
    )
    assert "Check your note" in confirm.text and "one with a knife" in confirm.text
    assert "No indicators" not in tags.text  # tagged afresh: the knife is an indicator
    receipt = await save(bot, OFFICER, confirm)
    assert "Note saved" in receipt.text
    [note] = await stored(bot)
    assert note.text.endswith("one with a knife")
    assert "indicators-child-exploitation#weapon" in note.tag_list


async def test_amend_adds_a_linked_correction(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    await bot.enrol(OTHER)
    _, ref = await quick_note(bot, OFFICER, "Silver Vauxhall Corsa reg AB12 CDE at 14 Elm Road")
    [prompt] = await bot.say(OFFICER, f"/amend {ref.lower()}")
    assert f"Correcting {ref}" in prompt.text and "Elm Road" in prompt.text
    [why] = await bot.say(OFFICER, "Silver Vauxhall Corsa reg AB12 CDF at 14 Elm Road")
    assert "Why is" in why.text
    [confirm] = await bot.say(OFFICER, "wrong registration number")
    assert "Check your correction" in confirm.text and "wrong registration" in confirm.text
    receipt = await save(bot, OFFICER, confirm)
    text = plain(receipt.text)
    assert "Correction saved" in text and f"Linked to {ref}" in text

    original, correction = await stored(bot)
    assert original.text.endswith("AB12 CDE at 14 Elm Road")  # the original is unchanged
    assert correction.amends == ref and correction.reason == "wrong registration number"
    [listing] = await bot.say(OFFICER, "/mynotes")
    shown = plain(listing.text)
    assert f"corrected by {correction.ref}" in shown and f"correction to {ref}" in shown
    assert "Elm Road" not in shown  # texts stay in the notebook

    [refused] = await bot.say(OTHER, f"/amend {ref}")
    assert "only its author" in refused.text
    [unknown] = await bot.say(OFFICER, "/amend FN-2026-999999")
    assert "can't find" in unknown.text
    [usage] = await bot.say(OFFICER, "/amend")
    assert "Usage" in usage.text
    assert (await bot.services.store.run(verify)).ok


async def test_redelivered_updates_never_make_a_second_note(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    note_message = bot.api.message(OFFICER, "/note Man seen handing packages to kids")
    update = {"message": note_message}
    mark = bot.api.mark()
    bot.api.push(update)
    [_, category] = await bot.api.wait("sendMessage", chat_id=OFFICER, count=2, after=mark)
    first_token = button(category, "Skip").split(":")[1]
    mark = bot.api.mark()
    bot.api.push(update)  # Telegram redelivers the same /note message
    [again] = await bot.api.wait("sendMessage", chat_id=OFFICER, after=mark)
    assert "Category" in again.text and button(again, "Skip").split(":")[1] == first_token

    confirm = await skip_to_confirm(bot, OFFICER, again)
    press = {
        "callback_query": {
            "id": "press-1",
            "from": FakeBotAPI.user(OFFICER),
            "chat_instance": "ci",
            "message": bot.api.result_of(confirm),
            "data": button(confirm, "✅ Save"),
        }
    }
    mark = bot.api.mark()
    bot.api.push(press)
    bot.api.push(press)  # the same update again
    bot.api.press(OFFICER, confirm, button(confirm, "✅ Save"))  # and a second tap
    answers = await bot.api.wait("answerCallbackQuery", count=3, after=mark)
    assert all("FN-" in a.params["text"] for a in answers)
    notes = await stored(bot)
    assert len(notes) == 1
    mark = bot.api.mark()
    bot.api.push(update)  # the /note message once more, after saving
    [reply] = await bot.api.wait("sendMessage", chat_id=OFFICER, after=mark)
    assert f"already saved as {notes[0].ref}" in plain(reply.text)
    assert len(await stored(bot)) == 1


async def test_a_draft_survives_a_restart(botapi: FakeBotAPI, knowledge, sqlite_url) -> None:
    settings = settings_for(botapi, sqlite_url)
    app = await start_bot(settings, knowledge)
    bot = Harness(botapi, app)
    try:
        await bot.enrol(OFFICER)
        [_, category] = await bot.say(
            OFFICER, "/note Girl, 14, reported missing, seen at hub", count=2
        )
        urgency = await edit_press(bot, OFFICER, category, "Child or runner")
    finally:
        await stop_bot(app)
    app = await start_bot(settings, knowledge)  # a new process would see the same
    bot = Harness(botapi, app)
    try:
        mark = botapi.mark()
        botapi.press(OFFICER, urgency, button(urgency, "Urgent"))
        [location] = await botapi.wait("sendMessage", chat_id=OFFICER, after=mark)
        assert "Location" in location.text
        [_, grading] = await bot.say(OFFICER, "Skip location", count=2)
        confirm = await edit_press(bot, OFFICER, grading, "Skip grading")
        await save(bot, OFFICER, confirm)
        [note] = await stored(bot)
        assert (note.category, note.urgency) == ("child", "urgent")
    finally:
        await stop_bot(app)


async def test_begin_note_from_a_button_of_another_feature(bot: Harness) -> None:
    """How the scene checklists hand over: a callback-query update, preset tags."""

    async def hand_over(update, context) -> None:
        await update.callback_query.answer()
        await begin_note(
            update,
            context,
            "Checklist: signs of cuckooing at the address",
            ["indicators-cuckooing#unknown-occupants"],
        )
        raise ApplicationHandlerStop

    bot.app.add_handler(CallbackQueryHandler(hand_over, pattern="^handover$"), group=-2)
    await bot.enrol(OFFICER)
    [menu] = await bot.say(OFFICER, "/topics")
    mark = bot.api.mark()
    bot.api.press(OFFICER, menu, "handover")
    [tags, category] = await bot.api.wait("sendMessage", chat_id=OFFICER, count=2, after=mark)
    assert "Category" in category.text
    assert "Unknown people staying at the address" in plain(tags.text)  # the preset tag
    draft = await draft_of(bot, OFFICER)
    assert draft.tag_list[0] == "indicators-cuckooing#unknown-occupants"
    assert draft.message_ids == []  # nothing of the officer's to delete
    receipt = await save(bot, OFFICER, await skip_to_confirm(bot, OFFICER, category))
    assert "Note saved" in receipt.text and "removed from this chat" not in receipt.text
    [note] = await stored(bot)
    assert "indicators-cuckooing#unknown-occupants" in note.tag_list


async def test_supervisors_export_and_chart(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    await bot.enrol(SUPERVISOR, Role.SUPERVISOR)
    await quick_note(bot, OFFICER, '=HYPERLINK("x") 3 phones on a 15yo, Ashford')
    await quick_note(bot, OFFICER, "Cuckooed flat at 2 Mill Lane, new faces daily")

    [refused] = await bot.say(OFFICER, "/export")
    assert refused.text == "That command is for supervisors."
    [refused] = await bot.say(OFFICER, "/stats")
    assert refused.text == "That command is for supervisors."
    [bad] = await bot.say(SUPERVISOR, "/export yesterday")
    assert "can't read the date" in bad.text and "Usage" in bad.text

    mark = bot.api.mark()
    bot.api.send(SUPERVISOR, "/export")
    documents = await bot.api.wait("sendDocument", chat_id=SUPERVISOR, count=2, after=mark)
    (csv_name, csv_bytes), (json_name, json_bytes) = (c.files["document"] for c in documents)
    assert csv_name.endswith(".csv") and json_name.endswith(".json")
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[0]["text"].startswith("'=HYPERLINK")  # formula defused
    assert rows[0]["created_utc"].endswith("Z") and rows[0]["hash"]
    data = json.loads(json_bytes)
    assert data["count"] == 2 and data["notes"][0]["text"].startswith("=HYPERLINK")
    assert "2 entries" in documents[0].params["caption"]

    [empty] = await bot.say(SUPERVISOR, "/export 2020-01-01 01/02/2020")
    assert "No field notes" in empty.text

    mark = bot.api.mark()
    bot.api.send(SUPERVISOR, "/stats 4")
    [photo] = await bot.api.wait("sendPhoto", chat_id=SUPERVISOR, after=mark, timeout=20)
    assert photo.files["photo"][1].startswith(b"\x89PNG")
    assert "last 4 weeks (2 notes)" in photo.params["caption"]

    [group] = await bot.say(SUPERVISOR, "/export", chat_id=-100555, chat_type="supergroup")
    assert "private chat" in group.text
    actions = await bot.services.store.run(
        lambda: [(a.actor, a.action) for a in Audit.select().order_by(Audit.id)]
    )
    assert (SUPERVISOR, "notes_export") in actions
    [help_text] = await bot.say(SUPERVISOR, "/help")
    assert "/export" in help_text.text and "/stats" in help_text.text
    [help_text] = await bot.say(ADMIN, "/help")
    assert "/export" in help_text.text


async def test_editing_the_text_message_and_an_idle_draft(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    await bot.say(OFFICER, "/note")
    typed = bot.api.message(OFFICER, "Grey Audi, reg unknown, outside number 12")
    mark = bot.api.mark()
    bot.api.push({"message": typed})
    await bot.api.wait("sendMessage", chat_id=OFFICER, count=2, after=mark)
    await bot.api.wait("deleteMessage", chat_id=OFFICER, after=mark)  # the old text prompt
    mark = bot.api.mark()
    bot.api.push({"message": typed})  # redelivered: already used, so nothing happens
    [help_reply] = await bot.say(OFFICER, "/help")  # answered in order, after it
    assert [c.method for c in bot.api.calls[mark:]] == ["sendMessage"] and help_reply.text
    fixed = {**typed, "text": "Grey Audi A3, reg unknown, outside number 14", "edit_date": 1}
    mark = bot.api.mark()
    bot.api.push({"edited_message": fixed})
    [reply] = await bot.api.wait("sendMessage", chat_id=OFFICER, after=mark)
    assert "Note text updated" in reply.text
    assert (await draft_of(bot, OFFICER)).text.endswith("number 14")

    # Hours later, typing is a question again; the draft waits for /note.
    def age() -> None:
        from datetime import timedelta

        NoteDraft.update(updated_at=now() - timedelta(hours=3)).execute()

    await bot.services.store.run(age)
    [answer] = await bot.say(OFFICER, "signs of cuckooing")
    assert "cuckooed" in answer.text
    [busy, panel] = await bot.say(OFFICER, "/note", count=2)
    assert "already have a note in progress" in busy.text and "Category" in panel.text
    [listing] = await bot.say(OFFICER, "/mynotes", chat_id=-100999, chat_type="group")
    assert "private chat" in listing.text
