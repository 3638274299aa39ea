"""Issue 12, access: who may do what, where, and how often. The real Application polling the
Bot API stand-in over HTTP."""

from __future__ import annotations

import hashlib

from bot.core.access import Invite, Role
from bot.core.notes import Note
from tests.botapi import plain
from tests.harness import ADMIN, Harness

OFFICER = 720001
OTHER = 720002
SUPERVISOR = 720003
TRAINER = 720004
GROUP = -100777
PRIVATE_ONLY = "private chat"


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
