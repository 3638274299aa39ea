"""The Telegram bot end to end: the real Application polling the Bot API stand-in over HTTP."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from bot.core.access.users import Role
from bot.core.feedback import Feedback, FeedbackDetail, Gap
from tests.botapi import FakeBotAPI, plain
from tests.support import ADMIN, Harness, running_bot, settings_for, stop_bot

OFFICER = 700001
STRANGER = 800001
SORRY = "something went wrong"


def no_errors(api: FakeBotAPI) -> None:
    texts = [c.text for c in api.sent()]
    assert not any(SORRY in t for t in texts), texts


async def test_startup_registers_the_command_menus(bot: Harness) -> None:
    for _ in range(250):  # set in the background, not holding up start-up
        if f"chat:{ADMIN}" in bot.api.menus:
            break
        await asyncio.sleep(0.02)
    assert [c.method for c in bot.api.calls][:1] == ["getMe"]
    assert bot.api.menu(STRANGER) == ["start", "whoami"]
    assert {"topics", "help", "cancel", "users", "status"} <= set(bot.api.menu(ADMIN))


async def test_enrolment_with_a_one_time_code(bot: Harness) -> None:
    [reply] = await bot.say(ADMIN, "/invite")
    code = re.search(r"<code>([\w-]{8,})</code>", reply.text).group(1)
    assert "expires" in reply.text and "start=" + code in reply.text

    [welcome] = await bot.say(OFFICER, f"/start {code}")
    assert "you're enrolled" in welcome.text
    [answer] = await bot.say(OFFICER, "signs of cuckooing")
    assert "Signs an address has been cuckooed" in answer.text

    [again] = await bot.say(STRANGER, f"/start {code}")
    assert "already been used" in again.text
    [bad] = await bot.say(STRANGER, "/start not-a-real-code")
    assert "not valid" in bad.text

    def audit_rows() -> list[tuple[str, str]]:
        from bot.core.access.users import Audit

        return [(a.action, a.target) for a in Audit.select().order_by(Audit.id)]

    rows = await bot.services.store.run(audit_rows)
    assert rows[0] == ("invite", "officer") and rows[1] == ("enrol", str(OFFICER))


async def test_stranger_gets_one_polite_refusal_and_nothing_else(bot: Harness) -> None:
    [refusal] = await bot.say(STRANGER, "signs of cuckooing")
    assert "enrolled police officers only" in refusal.text
    mark = bot.api.mark()
    bot.api.send(STRANGER, "/topics")
    bot.api.send(STRANGER, "what is the nrm")
    await bot.say(ADMIN, "/help")  # processed after the stranger's two messages
    to_stranger = [
        c for c in bot.api.calls[mark:] if c.params.get("chat_id") in (STRANGER, str(STRANGER))
    ]
    assert to_stranger == []
    everything = " ".join(c.text for c in bot.api.sent(STRANGER))
    for title in ("Cuckooing", "National Referral Mechanism", "Legislation"):
        assert title not in everything


async def test_stranger_button_and_revoked_officer(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [card] = await bot.say(OFFICER, "signs of cuckooing")
    [reply] = await bot.say(ADMIN, f"/revoke {OFFICER}")
    assert "Access removed" in reply.text
    mark = bot.api.mark()
    bot.api.press(OFFICER, card, "t:nrm-referral")
    [answered] = await bot.api.wait("answerCallbackQuery", after=mark)
    assert "enrolled police officers only" in answered.params["text"]
    assert bot.api.sent(OFFICER)[-1] is card  # no new card was sent


async def test_question_answered_with_a_short_first_reply(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [reply] = await bot.say(OFFICER, "sectoin 45 defense for a kid runner")
    text = plain(reply.text)
    assert text.startswith("Section 45 defence")
    assert len(text) <= 1000 and "Do now" in text and "Key points" not in text
    assert text.splitlines()[-1].startswith("Source: ") and "Reviewed 23 Nov 2026" in text
    labels = [label for label, _ in reply.buttons]
    assert labels[:2] == ["Full topic", "Wrong answer?"]
    assert any("National Referral Mechanism" in label for label in labels[2:])
    assert reply.params["reply_parameters"]["message_id"]  # quotes the question
    assert all(len(data.encode()) <= 64 for _, data in reply.buttons)

    [card] = await bot.press(OFFICER, reply, dict(reply.buttons)["Full topic"])
    text = plain(card.text)
    for part in (
        "Key points",
        "Officer action",
        "Sources",
        "Reviewed 23 Nov 2026",
        "not legal advice",
    ):
        assert part in text
    assert '<a href="http' in card.text
    assert [label for label, _ in card.buttons][:2] == ["More detail", "Wrong answer?"]


async def test_buttons_more_detail_related_and_did_you_mean(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [card] = await bot.say(OFFICER, "s45 defence")
    [full] = await bot.press(OFFICER, card, "t:msa-s45-defence")
    [detail] = await bot.press(OFFICER, full, "m:msa-s45-defence")
    assert "Needs checking" in detail.text and "More detail" not in [b for b, _ in detail.buttons]
    related = next(data for label, data in card.buttons if "Referral" in label)
    mark = bot.api.mark()
    [opened] = await bot.press(OFFICER, card, related)
    assert plain(opened.text).startswith("National Referral Mechanism")
    # The full card is several messages: all of them are in before the next question, or
    # its last part would be taken for the answer to it.
    await bot.api.wait(chat_id=OFFICER, after=mark, containing="Sources")

    [offer] = await bot.say(OFFICER, "referral")
    assert "Did you mean" in offer.text
    choice_label, choice = offer.buttons[0]
    [chosen] = await bot.press(OFFICER, offer, choice)
    assert plain(chosen.text).startswith(choice_label.rstrip("…")[:20])
    no_errors(bot.api)


async def test_not_sure_offers_nearest_topics_and_records_the_gap(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [reply] = await bot.say(OFFICER, "best pizza in the town centre")
    assert "not sure" in reply.text and "I cover County Lines" in reply.text
    assert reply.buttons[-1][0] == "Browse all topics"
    [browse] = await bot.press(OFFICER, reply, "b")
    assert "by category" in browse.text
    await bot.say(OFFICER, "Best pizza in the town centre?")
    [gaps] = await bot.say(ADMIN, "/gaps")
    assert "2× best pizza in the town centre" in gaps.text.lower()

    def stored() -> list[str]:
        return [g.text for g in Gap.select()]

    assert len(await bot.services.store.run(stored)) == 2


async def test_wrong_answer_is_recorded_once_with_the_question_and_a_reason(
    bot: Harness,
) -> None:
    await bot.enrol(OFFICER)
    [card] = await bot.say(OFFICER, "what is a ddtro")
    mark = bot.api.mark()
    bot.api.press(OFFICER, card, "w:ddtro")
    [ack] = await bot.api.wait("answerCallbackQuery", after=mark)
    assert "curators" in ack.params["text"]
    [prompt] = await bot.api.wait("sendMessage", chat_id=OFFICER, after=mark)
    assert "What is wrong with it?" in prompt.text and prompt.buttons[0][0] == "Skip"

    mark = bot.api.mark()
    bot.api.press(OFFICER, card, "w:ddtro")  # the double tap
    [again] = await bot.api.wait("answerCallbackQuery", after=mark)
    assert "already reported" in again.params["text"]

    def rows() -> list[tuple[str, str, str | None]]:
        return [
            (f.topic_id, f.question, f.reason)
            for f in Feedback.select(Feedback, FeedbackDetail.reason)
            .join(FeedbackDetail, on=(FeedbackDetail.feedback == Feedback.id))
            .objects()
        ]

    assert await bot.services.store.run(rows) == [("ddtro", "what is a ddtro", None)]
    [thanks] = await bot.say(OFFICER, "It gives the wrong  court\nfor applications")
    assert "added that to your report" in thanks.text
    assert await bot.services.store.run(rows) == [
        ("ddtro", "what is a ddtro", "It gives the wrong court for applications")
    ]
    [answered] = await bot.say(OFFICER, "what is a ddtro")  # the wait is over: a question again
    assert "Wrong answer?" in str(answered.buttons)
    [report] = await bot.say(ADMIN, "/feedback")
    assert "ddtro" in report.text and "what is a ddtro" in report.text
    assert "Reason: It gives the wrong court for applications" in plain(report.text)

    # Skip: the report stands without a reason, and the next message is a question again.
    mark = bot.api.mark()
    bot.api.press(OFFICER, answered, "w:ddtro")
    [prompt] = await bot.api.wait("sendMessage", chat_id=OFFICER, after=mark)
    [edited] = await bot.press(OFFICER, prompt, prompt.buttons[0][1], method="editMessageText")
    assert "passed to the curators" in edited.text and not edited.buttons
    [card] = await bot.say(OFFICER, "signs of cuckooing")
    assert "cuckooed" in plain(card.text)  # the first reply: "Signs an address has been cuckooed"
    assert len(await bot.services.store.run(rows)) == 2


async def test_start_and_help_show_an_officer_what_they_can_do(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [welcome] = await bot.say(OFFICER, "/start")
    assert "How to ask" in welcome.text and "not legal advice" in welcome.text
    [help_text] = await bot.say(OFFICER, "/help")
    for command in ("/topics", "/check", "/refer", "/note", "/quiz", "/cancel"):
        assert command in help_text.text
    for admin_only in ("/invite", "/revoke", "/export", "/cohort"):
        assert admin_only not in help_text.text
    [admin_help] = await bot.say(ADMIN, "/help")
    assert "/invite" in admin_help.text and "/export" in admin_help.text


async def test_browse_by_category(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [menu] = await bot.say(OFFICER, "/topics")
    labels = [label for label, _ in menu.buttons]
    assert labels[0].startswith("Background and terms (")
    [edited] = await bot.press(OFFICER, menu, "c:legislation", method="editMessageText")
    assert "Legislation and powers" in edited.text
    data = dict(edited.buttons)
    [card] = await bot.press(
        OFFICER, menu, data["Drug Dealing Telecommunications Restriction Orders (DDTROs)"]
    )
    assert "superintendent" in card.text
    [back] = await bot.press(OFFICER, edited, data["« All categories"], method="editMessageText")
    assert back.text == "Browse the topics by category:" and len(back.buttons) == 4


async def test_hostile_and_huge_messages_each_get_one_reply_without_an_apology(
    bot: Harness,
) -> None:
    await bot.enrol(OFFICER)
    for text in [
        "<b>nrm</b> & <script>alert(1)</script>",
        "&lt;i&gt; <a href='x'>",
        "🙂🙂🙂",
        "x" * 4096,
        "cuckooing " * 409,
        '"; DROP TABLE user; --',
    ]:
        [reply] = await bot.say(OFFICER, text)
        assert reply.text
    no_errors(bot.api)


async def test_unknown_command_stickers_photos_edits_and_forwards(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [help_reply] = await bot.say(OFFICER, "/frobnicate")
    assert "don't know that command" in help_reply.text and "/topics" in help_reply.text
    [sticker] = await bot.say(OFFICER, sticker=bot.api.sticker())
    assert "only read text" in sticker.text
    [photo] = await bot.say(
        OFFICER, photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    )
    assert "only read text" in photo.text
    [edited] = await bot.say(OFFICER, "what is a cawn", edited=True)
    assert "Child Abduction Warning Notices" in plain(edited.text)
    [forwarded] = await bot.say(
        OFFICER,
        "signs of plugging",
        forward_origin={"type": "hidden_user", "sender_user_name": "Someone", "date": 1},
    )
    assert "plugging" in forwarded.text.lower()
    no_errors(bot.api)


async def test_group_chat_mentions_and_commands(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    group = -100123
    [reply] = await bot.say(
        OFFICER, "@briefing_test_bot what is a cawn", chat_id=group, chat_type="supergroup"
    )
    assert "Child Abduction Warning Notices" in plain(reply.text)
    [menu] = await bot.say(
        OFFICER, "/topics@briefing_test_bot", chat_id=group, chat_type="supergroup"
    )
    assert "by category" in menu.text


async def test_admin_commands_are_refused_to_officers(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    for command in ("/invite", "/users", "/gaps", "/feedback", f"/revoke {ADMIN}"):
        [reply] = await bot.say(OFFICER, command)
        assert reply.text == "That command is for admins only."


async def test_roles_users_and_invite_for_a_role(bot: Harness) -> None:
    await bot.enrol(OFFICER, name="Alex Example")
    [reply] = await bot.say(ADMIN, f"/role @officer{OFFICER} supervisor")
    assert "now a supervisor" in reply.text
    [listing] = await bot.say(ADMIN, "/users")
    assert "Alex Example" in listing.text and "supervisor" in listing.text
    [bad] = await bot.say(ADMIN, "/invite sheriff")
    assert "Usage" in bad.text
    [good] = await bot.say(ADMIN, "/invite trainer")
    assert "new <b>trainer</b>" in good.text
    assert await bot.services.store.run(bot.services.access.role_of, OFFICER) is Role.SUPERVISOR


async def test_rate_limit_is_polite_and_quiet(botapi, knowledge, sqlite_url) -> None:
    async with running_bot(botapi, knowledge, sqlite_url, rate_limit_per_minute=3) as bot:
        await bot.enrol(OFFICER)
        mark = botapi.mark()
        for _ in range(6):
            botapi.send(OFFICER, "what is a cawn")
        replies = await botapi.wait("sendMessage", chat_id=OFFICER, count=4, after=mark)
        await asyncio.sleep(0.3)
        sent = botapi.sent(OFFICER)
        assert len(sent) == 4  # three answers and one "slow down", then silence
        assert "faster than I can answer" in replies[3].text


async def test_several_officers_at_once(bot: Harness) -> None:
    officers = list(range(710000, 710020))
    for uid in officers:
        await bot.enrol(uid)
    mark = bot.api.mark()
    questions = ["signs of cuckooing", "what is a cawn", "s45 defence", "what is a ddtro"]
    for n, uid in enumerate(officers):
        bot.api.send(uid, questions[n % 4])
    await bot.api.wait("sendMessage", count=len(officers), after=mark, timeout=10)
    expected = ["Signs an address", "Child Abduction", "Section 45", "Drug Dealing"]
    for n, uid in enumerate(officers):
        [reply] = bot.api.sent(uid)
        assert plain(reply.text).startswith(expected[n % 4])


async def test_long_answers_are_split_at_paragraphs(botapi, knowledge, sqlite_url) -> None:
    from bot.core.answers.search import SearchEngine
    from bot.core.services import Knowledge

    base = knowledge.kb.topics["nrm-referral"]
    long_body = base.body.replace(
        "## Officer action",
        "## Key points\n"
        + "\n".join(
            f"- Point {n}: " + "a reasonably long sentence about the referral route. " * 6
            for n in range(30)
        )
        + "\n\n## Officer action",
    )
    huge = base.model_copy(
        update={
            "id": "huge-topic",
            "title": "Huge test topic",
            "body": long_body,
            "aliases": ["zebra crossing referral"],
        }
    )
    topics = [*knowledge.kb.topics.values(), huge]
    kb = knowledge.kb.__class__(
        root=knowledge.kb.root, topics={t.id: t for t in topics}, synonyms=knowledge.kb.synonyms
    )
    custom = Knowledge(kb, SearchEngine(topics, kb.synonyms, kb.intents), 0.0)
    async with running_bot(botapi, custom, sqlite_url) as bot:
        await bot.enrol(OFFICER)
        [first] = await bot.say(OFFICER, "zebra crossing referral")
        assert len(plain(first.text)) <= 1000  # the first reply is short, whatever the card
        await bot.press(OFFICER, first, "t:huge-topic", count=2)
        await asyncio.sleep(0.2)
        parts = botapi.sent(OFFICER)[1:]
        assert len(parts) >= 2
        assert all(len(plain(p.text)) <= 4096 for p in parts)
        assert parts[0].text.startswith("<b>Huge test topic</b>")
        assert parts[-1].buttons and not parts[0].buttons  # buttons under the last part
        assert "Reviewed" in plain(parts[-1].text)
        no_errors(botapi)


async def test_errors_are_answered_politely(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    bot.api.failures["sendMessage"] = [(400, "Bad Request: chat not found", {})]
    mark = bot.api.mark()
    bot.api.send(OFFICER, "signs of cuckooing")
    calls = await bot.api.wait("sendMessage", chat_id=OFFICER, count=2, after=mark)
    assert SORRY in calls[1].text
    [reply] = await bot.say(OFFICER, "signs of cuckooing")  # and the bot carries on
    assert "cuckooed" in reply.text


@pytest.mark.parametrize("secret_header", ["wrong-secret", None])
async def test_webhook_rejects_a_wrong_secret(
    botapi, knowledge, sqlite_url, unused_tcp_port, secret_header
) -> None:
    settings = settings_for(botapi, sqlite_url, webhook_secret="right-secret")
    from bot.telegram.app import build_application

    app = build_application(settings, knowledge=knowledge)
    await app.initialize()
    await app.start()
    from bot.telegram.webhook import start_webhook

    runner = await start_webhook(
        app, listen="127.0.0.1", port=unused_tcp_port, path="telegram", secret="right-secret"
    )
    await app.bot.set_webhook("https://bot.example.invalid/telegram", secret_token="right-secret")
    try:
        assert botapi.webhook["secret_token"] == "right-secret"
        await Harness(botapi, app).enrol(OFFICER)
        url = f"http://127.0.0.1:{unused_tcp_port}/telegram"
        update = botapi.make_update("message", botapi.message(OFFICER, "what is a cawn"))
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret_header} if secret_header else {}
        async with httpx.AsyncClient() as client:
            rejected = await client.post(url, json=update, headers=headers)
            assert rejected.status_code == 403
            await asyncio.sleep(0.2)
            assert botapi.sent(OFFICER) == []
            accepted = await client.post(
                url,
                json={**update, "update_id": update["update_id"] + 1},
                headers={"X-Telegram-Bot-Api-Secret-Token": "right-secret"},
            )
            assert accepted.status_code == 200
        [reply] = await botapi.wait("sendMessage", chat_id=OFFICER)
        assert "Child Abduction" in plain(reply.text)
    finally:
        await runner.cleanup()
        await stop_bot(app)


async def test_a_tap_on_a_gone_message_is_answered_afresh_and_a_double_tap_changes_nothing(
    bot: Harness,
) -> None:
    await bot.enrol(OFFICER)
    [menu] = await bot.say(OFFICER, "/topics")
    shown = bot.api.result_of(menu)
    [edited] = await bot.press(OFFICER, shown, "c:legislation", method="editMessageText")
    # The same tap again: Telegram says "not modified"; nothing is sent, nothing apologises.
    mark = bot.api.mark()
    bot.api.press(OFFICER, bot.api.result_of(edited), "c:legislation")
    await bot.api.wait("editMessageText", after=mark)
    [menu_again] = await bot.say(OFFICER, "/topics")  # handled after the tap
    assert [c for c in bot.api.calls[mark:] if c.method == "sendMessage"] == [menu_again]
    # The message is deleted (by the officer, or too old): the category comes as a new message.
    del bot.api.messages[(OFFICER, menu.message_id)]
    [fresh] = await bot.press(OFFICER, shown, "c:legislation")
    assert "Legislation and powers" in fresh.text and fresh.buttons
