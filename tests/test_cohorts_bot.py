"""Trainers and their cohorts end to end: the real Application polling the Bot API stand-in."""

from __future__ import annotations

import csv
import io
import re

import pytest

from bot.core.access.users import Role
from tests.botapi import FakeBotAPI, plain
from tests.support import ADMIN, Harness, running_bot
from tests.test_quiz_bot import play_round

TRAINER, OTHER_TRAINER, RILEY, SAM, LOOSE = 720001, 720002, 720003, 720004, 720005
CODE = re.compile(r"<code>([A-Za-z0-9_-]{12})</code>")


@pytest.fixture
async def bot(botapi, knowledge, sqlite_url):
    async with running_bot(botapi, knowledge, sqlite_url, rate_limit_per_minute=300) as harness:
        yield harness


async def enrol_with(bot: Harness, uid: int, name: str, invite_text: str) -> str:
    code = CODE.search(invite_text)[1]
    sender = FakeBotAPI.user(uid, name, f"user{uid}")
    [welcome] = await bot.say(uid, f"/start {code}", **{"from": sender})
    assert "you're enrolled" in welcome.text
    return code


async def test_a_trainer_invites_two_recruits_and_sees_their_results(bot: Harness) -> None:
    await bot.enrol(TRAINER, Role.TRAINER, name="Tess Trainer")
    [first] = await bot.say(TRAINER, "/invite recruit")
    assert "new <b>recruit</b> in the cohort <b>Tess Trainer recruits</b>" in first.text
    [second] = await bot.say(TRAINER, "/invite")  # "recruit" is what a trainer's invite is for
    await enrol_with(bot, RILEY, "Riley Recruit", first.text)
    await enrol_with(bot, SAM, "Sam Second", second.text)
    [empty] = await bot.say(TRAINER, "/cohort")
    assert "2 recruits, 0 active" in plain(empty.text) and "never" in empty.text

    # Riley: two rounds on one topic, 3 of 6 right; Sam: one legislation round, 4 of 5.
    await play_round(bot, RILEY, "/quiz operation-jetway", [False, True, True])
    await play_round(bot, RILEY, "/quiz operation-jetway", [False, False, True])
    await play_round(bot, SAM, "/quiz legislation", [True, True, True, True, False])

    [view] = await bot.say(TRAINER, "/cohort")
    text = plain(view.text)
    assert text.startswith("Tess Trainer recruits · trainer Tess Trainer")
    assert "2 recruits, 2 active in the last 7 days" in text
    riley = next(line for line in text.splitlines() if line.startswith("Riley Recruit "))
    sam = next(line for line in text.splitlines() if line.startswith("Sam Second "))
    assert riley.split()[2:] == ["50%", "0%", "today"]
    assert sam.split()[2:] == ["80%", "0%", "today"]
    # Weakest topics only where five answers back them: Riley's six on Jetway, none of Sam's.
    jetway = bot.services.knowledge.kb.topics["operation-jetway"].title
    assert f"• Riley Recruit: {jetway} (3 of 6)" in text
    assert "• Sam Second:" not in text
    cohort_weak = text.split("The cohort's weakest topics")[1]
    assert f"• {jetway} (3 of 6)" in cohort_weak
    assert [data for _, data in view.buttons] == ["t:operation-jetway"]

    mark = bot.api.mark()
    bot.api.send(TRAINER, "/cohort export")
    [document] = await bot.api.wait("sendDocument", chat_id=TRAINER, after=mark)
    name, payload = document.files["document"]
    assert name.endswith(".csv") and "2 recruits in 1 cohort" in document.params["caption"]
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(payload.decode("utf-8-sig")))}
    assert set(rows) == {"Riley Recruit", "Sam Second"}
    bank_size = len(bot.app.bot_data["quiz"].bank.questions)
    assert rows["Riley Recruit"] | {"last_active_utc": ""} == {
        "cohort": "Tess Trainer recruits",
        "trainer": "Tess Trainer",
        "user_id": str(RILEY),
        "name": "Riley Recruit",
        "answers": "6",
        "right": "3",
        "accuracy_percent": "50",
        "mastered": "0",
        "bank_questions": str(bank_size),
        "mastered_percent": "0",
        "last_active_utc": "",
        "weakest_topics": "operation-jetway",
    }
    assert rows["Riley Recruit"]["last_active_utc"]
    sam_row = rows["Sam Second"]
    assert (sam_row["answers"], sam_row["right"], sam_row["accuracy_percent"]) == ("5", "4", "80")
    assert sam_row["weakest_topics"] == ""
    # the CSV and the message agree
    assert f"{rows['Sam Second']['accuracy_percent']}%" in sam


async def test_cohorts_are_seen_and_managed_only_by_their_trainer(bot: Harness) -> None:
    await bot.enrol(TRAINER, Role.TRAINER, name="Tess Trainer")
    await bot.enrol(OTHER_TRAINER, Role.TRAINER, name="Otto Other")
    await bot.enrol(LOOSE, name="Lee Loose")
    [invite] = await bot.say(TRAINER, "/invite recruit")
    await enrol_with(bot, RILEY, "Riley Recruit", invite.text)

    [made] = await bot.say(TRAINER, "/cohort new Intake March")
    assert "Cohort <b>Intake March</b> created" in made.text
    [taken] = await bot.say(OTHER_TRAINER, "/cohort new intake  MARCH")
    assert "already a cohort called" in taken.text
    [bad] = await bot.say(TRAINER, "/cohort new <b>")
    assert "A cohort name is" in bad.text

    [into] = await bot.say(TRAINER, "/invite recruit Intake March")
    assert "in the cohort <b>Intake March</b>" in into.text
    await enrol_with(bot, SAM, "Sam Second", into.text)
    [not_hers] = await bot.say(OTHER_TRAINER, "/invite recruit Intake March")
    assert "no cohort of that name" in not_hers.text

    [moved] = await bot.say(TRAINER, f"/cohort move {RILEY} Intake March")
    assert "Riley Recruit is now in <b>Intake March</b>" in moved.text
    [refused] = await bot.say(OTHER_TRAINER, f"/cohort move {RILEY} Intake March")
    assert "no cohort of that name" in refused.text
    await bot.say(OTHER_TRAINER, "/cohort new Otto Group")
    [refused] = await bot.say(OTHER_TRAINER, f"/cohort move {RILEY} Otto Group")
    assert "only recruits who are in one of your cohorts" in refused.text
    [loose] = await bot.say(TRAINER, f"/cohort move {LOOSE} Intake March")
    assert "only recruits who are in one of your cohorts" in loose.text

    replies = await bot.say(TRAINER, "/cohort", count=2)
    texts = [plain(r.text) for r in replies]
    assert texts[0].startswith("Tess Trainer recruits") and "No recruits yet" in texts[0]
    assert texts[1].startswith("Intake March") and "2 recruits" in texts[1]
    [others] = await bot.say(OTHER_TRAINER, "/cohort")
    assert plain(others.text).startswith("Otto Group") and "Riley" not in others.text
    mark = bot.api.mark()
    [nothing] = await bot.say(OTHER_TRAINER, "/cohort export")
    assert "No recruits" in nothing.text
    assert not [c for c in bot.api.calls[mark:] if c.method == "sendDocument"]

    # Admins see every cohort, and the recruits who are in none.
    replies = await bot.say(ADMIN, "/cohort", count=4)
    heads = [plain(r.text).splitlines()[0] for r in replies]
    assert heads == [
        "Tess Trainer recruits · trainer Tess Trainer",
        "Intake March · trainer Tess Trainer",
        "Otto Group · trainer Otto Other",
        "No cohort",
    ]
    assert "Lee Loose" in plain(replies[3].text)
    [admin_move] = await bot.say(ADMIN, f"/cohort move {LOOSE} Otto Group")
    assert "Lee Loose is now in <b>Otto Group</b>" in admin_move.text

    # People's results stay out of groups; recruits cannot see cohorts or invite.
    [group] = await bot.say(TRAINER, "/cohort", chat_id=-100777, chat_type="group")
    assert "private chat" in group.text and "Riley" not in group.text
    [group_invite] = await bot.say(TRAINER, "/invite recruit", chat_id=-100777, chat_type="group")
    assert "private chat" in group_invite.text and not CODE.search(group_invite.text)
    [recruit] = await bot.say(RILEY, "/cohort")
    assert "for trainers only" in recruit.text
    [recruit_invite] = await bot.say(RILEY, "/invite recruit")
    assert "for admins only" in recruit_invite.text
    [trainer_role] = await bot.say(TRAINER, "/invite supervisor")
    assert "Trainers can invite recruits" in trainer_role.text
    [usage] = await bot.say(TRAINER, "/cohort frobnicate")
    assert "/cohort new NAME" in plain(usage.text)
    [help_text] = await bot.say(TRAINER, "/help")
    assert "/cohort" in help_text.text and "/invite recruit" in help_text.text
