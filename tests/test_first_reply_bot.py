"""The first reply end to end: the real bot against the Bot API stand-in, and the terminal chat."""

from __future__ import annotations

import io

from bot.console import Console, run_console
from bot.core.feedback import Feedback, Gap
from bot.core.services import Knowledge
from tests.botapi import check_html, plain
from tests.support import Harness

OFFICER = 700501
SCENE = "kid aged 14 found in a flat in Margate, not local, 2 phones and £400, what do I do"


def gaps(bot: Harness):
    return bot.services.store.run(lambda: [g.text for g in Gap.select()])


async def test_a_scene_gets_the_plan_with_check_and_refer(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [plan] = await bot.say(OFFICER, SCENE)
    text = plain(plan.text)
    expected = bot.services.knowledge.responder.respond(SCENE)
    assert text == expected.text and check_html(plan.text)[0] is None
    assert text.startswith("Possible child exploitation") and len(text) <= 1000
    assert "children's social care" in text and "NRM" in text
    buttons = dict(plan.buttons)
    assert buttons["Checklist (/check child)"] == "go:check:child"
    assert buttons["Referral route (/refer)"] == "go:refer"
    assert all(len(data.encode()) <= 64 for _, data in plan.buttons)

    [checklist] = await bot.press(OFFICER, plan, "go:check:child")
    assert "Is this child being criminally exploited?" in checklist.text
    assert any(label.startswith("▫️") for label, _ in checklist.buttons)
    [question] = await bot.press(OFFICER, plan, "go:refer")
    assert "Referral route" in question.text and "How old" in question.text
    assert bot.api.sent(OFFICER)[0].text == plan.text  # the plan itself stays on screen
    assert await gaps(bot) == []


async def test_max_sentence_for_trafficking_is_life_under_s2(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [reply] = await bot.say(OFFICER, "max sentence for trafficking")
    text = plain(reply.text)
    assert text.startswith("Human trafficking") and "life" in text and "s2" in text
    assert "Do now" in text and "Source: " in text
    labels = [label for label, _ in reply.buttons]
    assert labels[:2] == ["Full topic", "Wrong answer?"]


async def test_each_part_of_a_two_part_question_is_answered_in_one_message(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    question = "who authorises a closure notice and how long does it last"
    [reply] = await bot.say(OFFICER, question)
    text = plain(reply.text)
    assert text == bot.services.knowledge.responder.respond(question).text
    assert "inspector" in text and "48 hours" in text and len(text) <= 1000
    assert "Do now" in text and check_html(reply.text)[0] is None


async def test_consent_for_a_16yo_is_the_childs_answer_not_the_adults(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [reply] = await bot.say(OFFICER, "do i need consent to put a 16yo runner in the NRM")
    text = plain(reply.text)
    assert "no consent needed" in text and "must give informed consent" not in text


async def test_the_weather_is_refused_with_what_the_bot_covers(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [reply] = await bot.say(OFFICER, "what is the weather")
    assert "I cover County Lines" in reply.text and "Jetway" not in reply.text
    assert reply.buttons == [("Browse all topics", "b")]


async def test_a_near_miss_is_refused_not_answered_from_a_topic(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [reply] = await bot.say(OFFICER, "max sentence for burglary")
    text = plain(reply.text)
    assert text.startswith("I don't hold") and "Do now" not in text


async def test_a_name_no_entry_uses_is_refused_though_its_words_are_ours(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [reply] = await bot.say(OFFICER, "how long is a criminal behaviour order")
    assert "I cover County Lines" in reply.text and "closure" not in reply.text.lower()
    assert reply.buttons == [("Browse all topics", "b")]


async def test_not_sure_about_a_child_offers_the_checklist_and_referral(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    question = "15yo sleeping on the kitchen floor at a mates, mum abroad"
    [reply] = await bot.say(OFFICER, question)
    assert plain(reply.text) == bot.services.knowledge.responder.respond(question).text
    assert "outside what I cover" not in reply.text and check_html(reply.text)[0] is None
    buttons = dict(reply.buttons)
    assert buttons["Checklist (/check child)"] == "go:check:child"
    assert buttons["Referral route (/refer)"] == "go:refer"
    assert await gaps(bot) == [question]


async def test_thanks_and_hello_are_not_knowledge_gaps(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [thanks] = await bot.say(OFFICER, "thanks")
    [hello] = await bot.say(OFFICER, "hi")
    assert "welcome" in thanks.text.lower() and "Ask me a question" in hello.text
    [_] = await bot.say(OFFICER, "what is the weather")
    assert await gaps(bot) == ["what is the weather"]


async def test_wrong_answer_names_the_unit(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    question = "how long does a reasonable grounds decision take"
    [reply] = await bot.say(OFFICER, question)
    assert "5 working days" in reply.text
    unit = bot.services.knowledge.responder.respond(question).unit
    assert unit is not None and unit.kind == "time-limit"
    data = dict(reply.buttons)["Wrong answer?"]
    assert data == f"w:{unit.key}"
    mark = bot.api.mark()
    bot.api.press(OFFICER, reply, data)
    await bot.api.wait("answerCallbackQuery", after=mark)
    await bot.api.wait("sendMessage", chat_id=OFFICER, after=mark)
    rows = await bot.services.store.run(
        lambda: [(f.topic_id, f.question) for f in Feedback.select()]
    )
    assert rows == [(unit.key, question)]


def test_the_terminal_chat_gives_the_same_first_replies(knowledge: Knowledge) -> None:
    console = Console(knowledge)
    for question in (SCENE, "max sentence for trafficking", "what is the weather", "thanks"):
        reply = knowledge.responder.respond(question)
        assert console.handle(question).startswith(reply.text), question
    out = io.StringIO()
    run_console(knowledge, io.StringIO(SCENE + "\nmax sentence for trafficking\n"), out)
    text = out.getvalue()
    assert "Possible child exploitation" in text and "/check child" in text and "/refer" in text
    assert "Maximum: life" in text and "s2" in text
