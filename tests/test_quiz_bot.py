"""Recruit refreshers end to end: the real Application polling the Bot API stand-in."""

from __future__ import annotations

import json
import re
from zoneinfo import ZoneInfo

import pytest

from bot.core.quiz.service import QuizAnswer, QuizRound
from tests.botapi import Call, plain
from tests.support import Harness, running_bot, settings_for, start_bot, stop_bot


@pytest.fixture
async def bot(botapi, knowledge, sqlite_url):
    """The real bot, with room for a test to play three rounds inside the per-minute limit."""
    async with running_bot(botapi, knowledge, sqlite_url, rate_limit_per_minute=200) as harness:
        yield harness


RECRUIT = 710001
SECOND = 710002
TRAINER = 710003
ANSWER_DATA = re.compile(r"^q:a:(\d+):(\d+):(\d+)$")


async def correct_choice(bot: Harness, question: Call) -> tuple[int, int, int]:
    """(round id, position, the button index that is right), from the stored round."""
    found = ANSWER_DATA.match(question.buttons[0][1])
    assert found, question.buttons
    round_id, position = int(found.group(1)), int(found.group(2))

    def items() -> list:
        return json.loads(QuizRound.get_by_id(round_id).items)

    qid, order = (await bot.services.store.run(items))[position]
    bank = bot.app.bot_data["quiz"].bank
    return round_id, position, order.index(bank.questions[qid].answer)


async def answer(bot: Harness, uid: int, question: Call, right: bool) -> tuple[Call, Call]:
    """Tap a right or wrong button: (the edited question, the next message sent)."""
    round_id, position, good = await correct_choice(bot, question)
    choice = good if right else (good + 1) % len(question.buttons)
    mark = bot.api.mark()
    bot.api.press(uid, question, f"q:a:{round_id}:{position}:{choice}")
    [edited] = await bot.api.wait("editMessageText", after=mark)
    [following] = await bot.api.wait("sendMessage", chat_id=uid, after=mark)
    [ack] = await bot.api.wait("answerCallbackQuery", after=mark)
    assert ack.params.get("text") == ("Right!" if right else "Not quite.")
    return edited, following


async def play_round(bot: Harness, uid: int, command: str, right: list[bool]) -> Call:
    [question] = await bot.say(uid, command)
    for ok in right:
        _, question = await answer(bot, uid, question, ok)
    return question  # the score message


def answers_stored(bot: Harness):
    def count() -> int:
        return QuizAnswer.select().count()

    return bot.services.store.run(count)


async def test_a_full_round_with_a_wrong_answer_and_its_rationale(bot: Harness) -> None:
    await bot.enrol(RECRUIT)
    [question] = await bot.say(RECRUIT, "/quiz legislation")
    text = plain(question.text)
    assert text.startswith("Question 1 of 5 · Legislation and powers")
    labels = [label for label, _ in question.buttons]
    assert labels in (["A", "B", "C"], ["A", "B", "C", "D"], ["True", "False"])
    if labels[0] == "A":
        assert "\nA. " in text and "\nB. " in text  # the options are in the message
    assert all(len(data.encode()) <= 64 for _, data in question.buttons)

    edited, second = await answer(bot, RECRUIT, question, right=False)
    shown = plain(edited.text)
    assert "Not quite. You chose" in shown and "Answer:" in shown
    bank = bot.app.bot_data["quiz"].bank
    qid = json.loads(
        await bot.services.store.run(
            lambda: QuizRound.get_by_id(int(ANSWER_DATA.match(question.buttons[0][1])[1])).items
        )
    )[0][0]
    asked = bank.questions[qid]
    assert all(o.why in shown for o in asked.options if o is asked.correct)  # the rationale
    [(label, data)] = edited.buttons
    assert label.startswith("Read the topic") and data == f"t:{asked.topic}"
    assert plain(second.text).startswith("Question 2 of 5")

    [card] = await bot.press(RECRUIT, edited, data)
    topic = bot.services.knowledge.kb.topics[asked.topic]
    assert plain(card.text).startswith(topic.title)

    question = second
    for _ in range(4):
        edited, question = await answer(bot, RECRUIT, question, right=True)
        assert "Right:" in plain(edited.text)
    assert "Round complete: 4 of 5 right." in plain(question.text)
    assert [label for label, _ in question.buttons] == ["Another round", "My progress"]
    assert question.buttons[0][1] == "q:s:legislation"
    assert await answers_stored(bot) == 5
    [another] = await bot.press(RECRUIT, question, question.buttons[0][1])
    assert plain(another.text).startswith("Question 1 of 5 · Legislation and powers")
    [mine] = await bot.press(RECRUIT, question, question.buttons[1][1])
    assert "5 of " in plain(mine.text) and "Weakest topics" in plain(mine.text)


async def test_a_stale_button_from_an_old_round_changes_nothing(bot: Harness) -> None:
    await bot.enrol(RECRUIT)
    [old] = await bot.say(RECRUIT, "/quiz all")
    _, old_second = await answer(bot, RECRUIT, old, right=True)
    [new] = await bot.say(RECRUIT, "/quiz all")
    assert "Your unfinished round was set aside" in new.text
    stored = await answers_stored(bot)

    mark = bot.api.mark()
    bot.api.press(RECRUIT, old_second, old_second.buttons[0][1])
    [alert] = await bot.api.wait("answerCallbackQuery", after=mark)
    assert "earlier round" in alert.params["text"] and alert.params.get("show_alert") in (
        True,
        "true",
        "True",
    )
    await bot.say(RECRUIT, "/help")  # processed after the press
    methods = [c.method for c in bot.api.calls[mark:]]
    assert methods.count("editMessageText") == 0 and methods.count("sendMessage") == 1
    assert await answers_stored(bot) == stored

    # A double tap on the current question counts once.
    _, _ = await answer(bot, RECRUIT, new, right=True)
    mark = bot.api.mark()
    bot.api.press(RECRUIT, new, new.buttons[0][1].rsplit(":", 1)[0] + ":0")
    [again] = await bot.api.wait("answerCallbackQuery", after=mark)
    assert "already answered" in again.params["text"]
    assert await answers_stored(bot) == stored + 1

    # Someone else's button never touches this recruit's round.
    await bot.enrol(SECOND)
    [current] = await bot.say(RECRUIT, "/quiz all")
    mark = bot.api.mark()
    bot.api.press(SECOND, current, current.buttons[0][1])
    [other] = await bot.api.wait("answerCallbackQuery", after=mark)
    assert "not from one of your rounds" in other.params["text"]


async def test_progress_after_several_rounds(bot: Harness) -> None:
    await bot.enrol(RECRUIT)
    mark = bot.api.mark()
    [before] = await bot.say(RECRUIT, "/progress")
    assert "0 of " in plain(before.text) and "/quiz" in before.text and not before.buttons
    await play_round(bot, RECRUIT, "/quiz indicators", [False, True, True, False, True])
    await play_round(bot, RECRUIT, "/quiz law", [True, True, True, True, False])
    score = await play_round(bot, RECRUIT, "/refresh", [True, True, True, True, True])
    assert "5 of 5 right" in score.text and score.buttons[0][1] == "q:r"
    assert not [c for c in bot.api.calls[mark:] if c.method == "sendPhoto"]  # nothing to draw

    mark = bot.api.mark()
    [progress] = await bot.say(RECRUIT, "/progress")
    text = plain(progress.text)
    quiz = bot.app.bot_data["quiz"]
    expected = await bot.services.store.run(quiz.progress, RECRUIT)
    assert f"{expected.answered} of {len(quiz.bank.questions)} questions answered" in text
    assert expected.answered >= 12  # the refresher brought back the three mistakes first
    assert "<pre>" in progress.text and "Mastered = right every time it came back due" in text
    for label in ("Indicators", "Legislation"):
        line = next(row for row in text.splitlines() if row.startswith(label))
        # share mastered, due today, change over 4 weeks: nothing is mastered on day one, and
        # the two refreshed mistakes are not due again until tomorrow
        assert line.split()[-3:] == ["0%", "0", "+0"], line
        assert "▒" in line
    assert "Recent rounds" in text
    rounds = [row for row in text.splitlines() if row.startswith("• ")]
    assert rounds[0].endswith("Refresher: 5 of 5 right")
    assert rounds[1].endswith("Legislation and powers: 4 of 5 right")
    assert rounds[2].endswith("Indicators: 3 of 5 right")
    assert "Weakest topics" in text
    assert progress.buttons and all(data.startswith("t:") for _, data in progress.buttons)
    assert re.match(r"\d+ of \d+ right: ", progress.buttons[0][0])
    [photo] = await bot.api.wait("sendPhoto", chat_id=RECRUIT, after=mark, timeout=20)
    assert photo.files["photo"][1].startswith(b"\x89PNG")
    assert "last 8 weeks" in photo.params["caption"]
    [card] = await bot.press(RECRUIT, progress, progress.buttons[0][1])
    assert "Key points" in plain(card.text)


async def test_quiz_menu_offers_categories_and_weak_spots(bot: Harness) -> None:
    await bot.enrol(RECRUIT)
    [menu] = await bot.say(RECRUIT, "/quiz")
    assert "Practise which subject?" in menu.text
    assert [data for _, data in menu.buttons][-1] == "q:s:all"  # no weak spots yet
    [question] = await bot.press(RECRUIT, menu, "q:s:safeguarding")
    assert "Safeguarding and referral routes" in question.text
    await play_round(bot, RECRUIT, "/quiz background", [False, False, False, True, True])
    [menu] = await bot.say(RECRUIT, "/quiz")
    weak = [(label, data) for label, data in menu.buttons if data.startswith("q:t:")]
    assert weak and all(label.startswith("Weak spot: ") for label, _ in weak)
    [round_] = await bot.press(RECRUIT, menu, weak[0][1])
    topic = bot.services.knowledge.kb.topics[weak[0][1].split(":")[2]]
    assert f"Practice on one topic: {topic.title}" in plain(round_.text)
    [refused] = await bot.say(RECRUIT, "/remind 25:99")
    assert "HH:MM" in refused.text
    [status] = await bot.say(RECRUIT, "/remind")
    assert "no daily reminder" in status.text


async def test_quiz_on_one_topic_by_id_alias_or_words(bot: Harness) -> None:
    await bot.enrol(RECRUIT)
    bank = bot.app.bot_data["quiz"].bank
    for command, topic in [
        ("/quiz cuckooing", "cuckooing"),
        ("/quiz msa-s3-exploitation", "msa-s3-exploitation"),
        ("/quiz Operation Jetway", "operation-jetway"),
        ("/quiz signs at train stations", "indicators-transport-hubs"),
    ]:
        [first] = await bot.say(RECRUIT, command)
        count = len(bank.in_topic(topic))
        assert count >= 3
        title = bot.services.knowledge.kb.topics[topic].title
        assert f"Practice on one topic: {title}" in plain(first.text), command
        assert f"Question 1 of {min(count, 5)}" in plain(first.text)
    question = first
    for ok in [True] * min(count, 5):
        _, question = await answer(bot, RECRUIT, question, ok)
    assert "Round complete" in question.text
    assert question.buttons[0][1] == "q:t:indicators-transport-hubs"  # another on the topic

    def asked() -> list[str]:
        return [a.question_id for a in QuizAnswer.select()]

    topics = {bank.questions[q].topic for q in await bot.services.store.run(asked)}
    assert topics == {"indicators-transport-hubs"}

    # Ambiguous: s45 is both the slavery defence and the organised crime offence.
    [which] = await bot.say(RECRUIT, "/quiz s45")
    assert "not sure which subject" in which.text
    offered = [data for _, data in which.buttons]
    assert "q:t:msa-s45-defence" in offered and "q:t:participating-in-ocg" in offered
    [first] = await bot.press(RECRUIT, which, "q:t:msa-s45-defence")
    title = bot.services.knowledge.kb.topics["msa-s45-defence"].title
    assert f"Practice on one topic: {title}" in plain(first.text)

    [unknown] = await bot.say(RECRUIT, "/quiz pizza")
    assert "couldn't find a subject called <i>pizza</i>" in unknown.text
    assert unknown.buttons == [("Choose a category", "q:s:menu")]
    [menu] = await bot.press(RECRUIT, unknown, "q:s:menu")
    assert "Practise which subject?" in menu.text
    mark = bot.api.mark()
    bot.api.press(RECRUIT, menu, "q:t:no-such-topic")
    [alert] = await bot.api.wait("answerCallbackQuery", after=mark)
    assert "expired" in alert.params["text"]


async def test_typing_during_a_question_points_to_the_buttons(bot: Harness) -> None:
    await bot.enrol(RECRUIT)
    [question] = await bot.say(RECRUIT, "/quiz legislation")
    for typed in ("Z", "1", "b)"):
        [again] = await bot.say(RECRUIT, typed)
        assert plain(again.text).startswith("Answer with the buttons, or /cancel")
        assert "Question 1 of 5" in plain(again.text)
        assert again.buttons == question.buttons  # the same question, still answerable
    assert await answers_stored(bot) == 0
    _edited, second = await answer(bot, RECRUIT, again, right=True)
    assert "Question 2 of 5" in plain(second.text)
    [card] = await bot.say(RECRUIT, "signs of cuckooing")  # a real question is still answered
    assert "cuckooed" in plain(card.text)  # the first reply: "Signs an address has been cuckooed"
    await bot.say(RECRUIT, "/cancel")
    [searched] = await bot.say(RECRUIT, "Z")  # no round open: just a (poor) question
    assert "Answer with the buttons" not in searched.text


async def test_cancel_ends_the_round_and_its_buttons(bot: Harness) -> None:
    await bot.enrol(RECRUIT)
    [question] = await bot.say(RECRUIT, "/quiz all")
    _, second = await answer(bot, RECRUIT, question, right=True)
    [stopped] = await bot.say(RECRUIT, "/cancel")
    assert stopped.text.startswith("Quiz round stopped after 1 question (1 right).")
    assert "Ask a question any time" in stopped.text
    mark = bot.api.mark()
    bot.api.press(RECRUIT, second, second.buttons[0][1])
    [alert] = await bot.api.wait("answerCallbackQuery", after=mark)
    assert "cancelled" in alert.params["text"]
    [nothing] = await bot.say(RECRUIT, "/cancel")
    assert nothing.text.startswith("Nothing to cancel")


async def test_reminders_are_scheduled_restored_after_a_restart_and_sent(
    botapi, knowledge, sqlite_url
) -> None:
    settings = settings_for(botapi, sqlite_url)
    name = f"quiz-remind:{RECRUIT}"
    app = await start_bot(settings, knowledge)
    try:
        bot = Harness(botapi, app)
        await bot.enrol(RECRUIT)
        [reply] = await bot.say(RECRUIT, "/remind 7:30")
        assert "07:30" in reply.text and "UK time" in reply.text
        [job] = app.job_queue.get_jobs_by_name(name)
        local = job.next_t.astimezone(ZoneInfo("Europe/London"))
        assert (local.hour, local.minute) == (7, 30)
        await bot.say(RECRUIT, "/remind 07:45")  # a change replaces the job
        [job] = app.job_queue.get_jobs_by_name(name)
        assert job.next_t.astimezone(ZoneInfo("Europe/London")).minute == 45
    finally:
        await stop_bot(app)

    app = await start_bot(settings, knowledge)  # the restart
    try:
        bot = Harness(botapi, app)
        [job] = app.job_queue.get_jobs_by_name(name)
        local = job.next_t.astimezone(ZoneInfo("Europe/London"))
        assert (local.hour, local.minute) == (7, 45)
        [status] = await bot.say(RECRUIT, "/remind")
        assert "07:45" in status.text

        mark = botapi.mark()
        await job.run(app)  # what the clock would do at 07:45
        [nudge] = await botapi.wait("sendMessage", chat_id=RECRUIT, after=mark)
        assert (
            "two-minute refresher" in nudge.text and "5 questions are ready: 5 new" in nudge.text
        )
        assert nudge.buttons == [("Start my refresher", "q:r")]
        [question] = await bot.press(RECRUIT, nudge, "q:r")
        assert "Question 1 of 5" in question.text

        mark = botapi.mark()
        await job.run(app)  # a second run the same day (another instance, say): nothing
        await bot.say(RECRUIT, "/help")
        assert [c.method for c in botapi.calls[mark:]].count("sendMessage") == 1

        [off] = await bot.say(RECRUIT, "/remind off")
        assert "switched off" in off.text
        assert app.job_queue.get_jobs_by_name(name) == ()
    finally:
        await stop_bot(app)

    app = await start_bot(settings, knowledge)  # and off stays off
    try:
        assert app.job_queue.get_jobs_by_name(name) == ()
    finally:
        await stop_bot(app)
