"""Issue 12, access: who may do what, where, and how often. The real Application polling the
Bot API stand-in over HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections import Counter

from bot.core.access.users import Audit, Invite, Role
from bot.core.notes.log import Note
from tests.botapi import plain
from tests.support import ADMIN, Harness

OFFICER = 720001
OTHER = 720002
SUPERVISOR = 720003
TRAINER = 720004
GROUP = -100777
PRIVATE_ONLY = "private chat"


async def replies_until_help(bot: Harness, uid: int, mark: int) -> list[str]:
    """Send /help (handled after anything already queued for the chat); every other reply
    the bot sent to `uid` since `mark`."""
    bot.api.send(uid, "/help")
    for _ in range(250):
        texts = [c.text for c in bot.api.calls[mark:] if c.method == "sendMessage"]
        if any("What I can do" in t for t in texts):
            return [t for t in texts if "What I can do" not in t]
        await asyncio.sleep(0.02)
    raise AssertionError("no reply to /help")


async def rows(bot: Harness, model, *where) -> list:
    return await bot.services.store.run(lambda: list(model.select().where(*where)))


async def test_admin_and_supervisor_commands_work_in_private_chats_only(bot: Harness) -> None:
    await bot.enrol(OFFICER, name="Alex Example")
    await bot.enrol(SUPERVISOR, Role.SUPERVISOR)
    await bot.enrol(TRAINER, Role.TRAINER)
    in_group = {"chat_id": GROUP, "chat_type": "supergroup"}
    for uid, command in [
        (ADMIN, "/invite supervisor"),
        (ADMIN, "/invite"),
        (ADMIN, "/users"),
        (ADMIN, "/gaps"),
        (ADMIN, "/feedback"),
        (ADMIN, f"/role {OFFICER} supervisor"),
        (ADMIN, f"/revoke {OFFICER}"),
        (ADMIN, "/stats"),
        (ADMIN, "/export"),
        (ADMIN, "/cohort"),
        (SUPERVISOR, "/stats 4"),
        (SUPERVISOR, "/export"),
        (TRAINER, "/cohort"),
    ]:
        [reply] = await bot.say(uid, command, **in_group)
        assert PRIVATE_ONLY in reply.text, (command, reply.text)
        assert str(OFFICER) not in reply.text and "Alex Example" not in reply.text
        assert "<code>" not in reply.text  # no enrolment code posted to the group
    assert bot.api.sent(GROUP, "sendPhoto") == [] and bot.api.sent(GROUP, "sendDocument") == []
    assert await rows(bot, Invite, Invite.created_by == ADMIN) == []
    assert await bot.services.store.run(bot.services.access.role_of, OFFICER) is Role.OFFICER
    # The same commands still work in a private chat.
    [code] = await bot.say(ADMIN, "/invite supervisor")
    assert "<code>" in code.text
    [listing] = await bot.say(ADMIN, "/users")
    assert "Alex Example" in listing.text


async def test_another_officers_note_cannot_be_read_with_forged_buttons(bot: Harness) -> None:
    from tests.test_notes_telegram import save, skip_to_confirm

    await bot.enrol(OFFICER)
    await bot.enrol(OTHER)
    mark = bot.api.mark()
    sent = bot.api.send(OFFICER, "/note Blue Audi outside 4 Example Street")
    [_, category] = await bot.api.wait("sendMessage", chat_id=OFFICER, count=2, after=mark)
    token = category.buttons[0][1].split(":")[1]
    receipt = await save(bot, OFFICER, await skip_to_confirm(bot, OFFICER, category))
    ref = plain(receipt.text).split("Note saved: ")[1].split()[0]
    # The token needs a server-side secret: the hash of chat and message id is not it.
    guessed = hashlib.sha256(f"m:{OFFICER}:{sent['message_id']}".encode()).hexdigest()[:12]
    assert token != guessed
    # Another officer pressing "Save" (or any step) with the real token learns nothing.
    [own] = await bot.say(OTHER, "/help")
    for data in (f"n:{token}:ok:save", f"n:{token}:cat:child", f"n:{guessed}:ok:save"):
        mark = bot.api.mark()
        bot.api.press(OTHER, own, data)
        [answer] = await bot.api.wait("answerCallbackQuery", after=mark)
        seen = [c.text for c in bot.api.calls[mark:]] + [answer.params.get("text", "")]
        assert not any(ref in t or "Note saved" in t for t in seen), seen
    assert [n.author_id for n in await rows(bot, Note, Note.ref == ref)] == [OFFICER]


async def test_a_redelivered_note_text_is_never_taken_as_a_question(bot: Harness) -> None:
    from bot.core.feedback import Gap
    from tests.test_notes_telegram import save, skip_to_confirm

    await bot.enrol(OFFICER)
    [_panel] = await bot.say(OFFICER, "/note")
    text = "Zebedee Quixote DOB 01/02/2012 seen at 9 Nowhere Lane with a stranger"
    mark = bot.api.mark()
    sent = bot.api.send(OFFICER, text)
    [_, category] = await bot.api.wait("sendMessage", chat_id=OFFICER, count=2, after=mark)
    await save(bot, OFFICER, await skip_to_confirm(bot, OFFICER, category))
    # Telegram delivers the officer's message again (a retry after a timeout, say).
    mark = bot.api.mark()
    bot.api.push({"message": sent})
    assert await replies_until_help(bot, OFFICER, mark) == []
    assert await rows(bot, Gap, Gap.id > 0) == []
    # Also for a note that was cancelled: its text is not a question either.
    await bot.say(OFFICER, "/note")
    mark = bot.api.mark()
    second = bot.api.send(OFFICER, "Another private observation about Zebedee")
    await bot.api.wait("sendMessage", chat_id=OFFICER, count=2, after=mark)
    await bot.say(OFFICER, "/cancel")
    mark = bot.api.mark()
    bot.api.push({"message": second})
    assert await replies_until_help(bot, OFFICER, mark) == []
    assert await rows(bot, Gap, Gap.id > 0) == []


STRANGER = 820001


async def test_strangers_are_rate_limited_and_failed_enrolments_audited(bot: Harness) -> None:
    mark = bot.api.mark()
    for n in range(300):
        bot.api.send(STRANGER, f"/start guess{n:04d}")
    [reply] = await bot.say(ADMIN, "/help")  # the gate has seen them all by now
    await asyncio.sleep(0.3)
    replies = [c.text for c in bot.api.sent(STRANGER)]
    assert 1 <= len(replies) <= 6, len(replies)
    assert sum("not valid" in t for t in replies) == 5
    assert "too many" in replies[-1].lower()
    failed = await rows(bot, Audit, Audit.action == "enrol_failed")
    assert len(failed) == 5 and {a.actor for a in failed} == {STRANGER}
    # A real code after that is refused too, for the rest of the hour.
    [code] = await bot.say(ADMIN, "/invite")
    good = re.search(r"<code>([\w-]{8,})</code>", code.text).group(1)
    bot.api.send(STRANGER, f"/start {good}")
    await bot.say(ADMIN, "/help")
    assert await bot.services.store.run(bot.services.access.role_of, STRANGER) is None
    # Buttons and inline queries: answered at most once a window.
    other = STRANGER + 1
    mark = bot.api.mark()
    for _ in range(20):
        bot.api.press(other, reply, "t:nrm-referral")
        bot.api.inline(other, "cuckooing")
    await bot.say(ADMIN, "/help")
    await asyncio.sleep(0.3)
    answers = [
        c for c in bot.api.calls[mark:] if c.method in ("answerCallbackQuery", "answerInlineQuery")
    ]
    assert len(answers) <= 1, len(answers)


async def test_an_officer_is_answered_quickly_while_strangers_flood(bot: Harness) -> None:
    """Measures (prints) an officer's reply time while 20 strangers send 1,000 updates."""
    await bot.enrol(OFFICER)
    [card] = await bot.say(OFFICER, "signs of cuckooing")
    strangers = range(830000, 830020)
    for n in range(50):
        for uid in strangers:
            kind = n % 4
            if kind == 0:
                bot.api.send(uid, f"/start guess{n}")
            elif kind == 1:
                bot.api.send(uid, "what is cuckooing")
            elif kind == 2:
                bot.api.press(uid, card, "t:nrm-referral")
            else:
                bot.api.inline(uid, "cuckooing")
        if n == 25:
            asked = time.monotonic()
            mark = bot.api.mark()
            bot.api.send(OFFICER, "what is a cawn")
    [answer] = await bot.api.wait("sendMessage", chat_id=OFFICER, after=mark, timeout=30)
    took = answer.at - asked
    print(f"\nofficer reply during a flood of 1,000 stranger updates: {took * 1000:.0f} ms")
    assert "Child Abduction" in plain(answer.text)
    # What keeps the officer's wait short whatever the machine's load (the time itself is a
    # benchmark figure, printed above): the flood costs the bot next to nothing, at most a
    # polite line per stranger at most, never an answer.
    to_strangers = [c for c in bot.api.calls if c.params.get("chat_id") in strangers]
    per_stranger = max(Counter(c.params["chat_id"] for c in to_strangers).values(), default=0)
    print(f"messages to strangers: {len(to_strangers)}, at most {per_stranger} each")
    assert per_stranger <= 1
    assert not any("Child Abduction" in plain(c.text) for c in to_strangers)


async def test_an_edited_command_never_acts_again(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [first] = await bot.say(ADMIN, "/invite")
    assert "<code>" in first.text
    for uid, command in [
        (ADMIN, "/invite supervisor"),
        (ADMIN, f"/revoke {OFFICER}"),
        (ADMIN, f"/role {OFFICER} supervisor"),
        (OFFICER, "/remind 07:30"),
        (OFFICER, "/quiz"),
    ]:
        [reply] = await bot.say(uid, command, edited=True)
        assert "edit" in reply.text.lower() and "<code>" not in reply.text, reply.text
    assert len(await rows(bot, Invite, Invite.created_by == ADMIN)) == 1
    assert await bot.services.store.run(bot.services.access.role_of, OFFICER) is Role.OFFICER
    assert bot.api.sent(OFFICER, "sendPoll") == []
