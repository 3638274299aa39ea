"""/refer: the referral flow's data, its checks, and every path of it walked through the bot."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from bot.core.guided.flows import CODES, Referral, check_guided
from bot.core.knowledge.base import KnowledgeBase
from bot.core.knowledge.check import check_knowledge
from bot.core.services import Knowledge, KnowledgeError
from bot.telegram import refer
from tests.botapi import Call, plain
from tests.support import KNOWLEDGE, Harness

OFFICER = 700201
KB = KnowledgeBase.load(KNOWLEDGE)
FLOW, PROBLEMS = Referral.load(KNOWLEDGE, KB)
assert FLOW is not None, PROBLEMS
PATHS = list(FLOW.paths())


def labels(path: str) -> list[str]:
    position = FLOW.walk(path)
    assert position is not None
    return [c.answer.label for c in position.choices]


def routes_of(path: str) -> list[str]:
    position = FLOW.walk(path)
    assert position is not None and position.outcome is not None
    return position.outcome.routes


# -- the data ---------------------------------------------------------------------------------


def test_the_flow_is_clean_and_kb_check_runs_it() -> None:
    assert PROBLEMS == []
    _, problems = check_knowledge(KNOWLEDGE)
    assert not [p for p in problems if p.path.name == "referral.yaml"]
    assert check_guided(KNOWLEDGE, KB) == []


def test_every_path_ends_in_an_outcome_and_every_outcome_is_reached() -> None:
    ends = set()
    for path in PATHS:
        position = FLOW.walk(path)
        assert position is not None and position.outcome is not None, path
        ends.add(position.node)
    assert ends == set(FLOW.spec.outcomes)
    asked = {c.question.ask for path in PATHS for c in FLOW.walk(path).choices}
    for subject in ("How old", "immediate danger", "informed consent", "already known"):
        assert any(subject in ask for ask in asked), subject


def test_the_routes_follow_the_law_on_every_path() -> None:
    for path in PATHS:
        said, routes = labels(path), routes_of(path)
        child = said[0] in ("Under 18", "Not sure")
        danger = said[1] == "Yes"
        assert (routes[0] == "call-999") is danger, path
        assert routes[-1] == "intelligence", path
        if child:
            # a child, or someone who may be one: social care, then the NRM with no consent
            assert routes.index("nrm-child") > max(
                routes.index(r) for r in routes if r.startswith("social-care")
            )
            assert "duty-to-notify" not in routes and "nrm-adult" not in routes
            assert ("police-protection" in routes) is danger
        else:
            consent = said[2] == "Yes, they consent"
            assert ("nrm-adult" in routes) is consent and ("duty-to-notify" in routes) != consent
            assert "police-protection" not in routes and "nrm-child" not in routes
        known = said[-1] == "Yes, already known"
        assert any(r.endswith("-known") for r in routes) is known, path
    # "Not sure" of the age is treated exactly as a child
    for path in PATHS:
        if path[0] == "2":
            assert routes_of(path) == routes_of("0" + path[1:])


def test_contacts_are_named_as_the_topics_give_them() -> None:
    routes = FLOW.spec.routes
    assert "08000 121 700" in routes["adult-helpline"].text
    assert "08000 121 700" in KB.topics["contacts-helplines"].body
    assert routes["social-care"].via == "Children's social care or the MASH"
    assert routes["duty-to-notify"].via == "Duty to Notify report"
    assert routes["call-999"].via == "999"


BROKEN = """\
start: age
questions:
  age:
    ask: How old is the person?
    topic: no-such-topic
    answers:
      - label: Under 18
        next: child
      - label: Adult
        next: nowhere
      - label: Unsure
  child:
    ask: Is the child known?
    answers:
      - label: "Yes"
        next: age
      - label: "No"
        next: done
  lonely:
    ask: Nobody asks this question?
    answers:
      - label: "Yes"
        next: done
outcomes:
  done:
    title: Finished
    routes: [call, invented, ghost, wrong-name]
  unused:
    title: Never reached
    routes: [call]
routes:
  call:
    via: "999"
    topic: contacts-helplines
    text: Call 999 now and make them safe.
  invented:
    via: Modern Slavery & Exploitation Helpline
    topic: contacts-helplines
    text: Ring the helpline on 0800 999 1234 within 36 hours.
  wrong-name:
    via: the NRM hotline
    topic: nrm-referral
    text: Phone the NRM hotline to refer.
  spare:
    via: "999"
    topic: contacts-helplines
    text: A route that no outcome uses.
  spare:
    via: "999"
    topic: contacts-helplines
    text: A route that no outcome uses.
"""


def test_each_mistake_in_the_flow_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "referral.yaml").write_text(BROKEN)
    flow, problems = Referral.load(tmp_path, KB)
    assert flow is None
    found = {(p.line, p.message, p.level) for p in problems}

    def has(line: int, words: str, level: str = "error") -> None:
        assert any(ln == line and words in msg and lv == level for ln, msg, lv in found), (
            line,
            words,
            sorted(found),
        )

    has(48, "duplicate id 'spare'")
    has(5, "unknown topic 'no-such-topic'")
    has(10, "unknown node 'nowhere'")
    has(11, "no `next`, a path without an outcome")
    has(16, "leads back to 'age': a cycle")
    has(19, "'lonely' cannot be reached")
    has(28, "outcome 'unused' cannot be reached")
    has(27, "unknown route 'ghost'")
    has(39, "'0800 999 1234' is not in topic 'contacts-helplines'")
    has(39, "'36' is not in topic 'contacts-helplines'")
    has(41, "'the NRM hotline' is not named so in topic 'nrm-referral'")
    has(44, "route 'spare' is not used", "warning")


def test_a_question_without_answers_and_bad_fields_are_located(tmp_path: Path) -> None:
    (tmp_path / "referral.yaml").write_text(
        "start: age\nquestions:\n  age:\n    ask: Old?\n    answers: []\n"
        "  Bad_Id:\n    ask: x\n    answers: []\noutcomes: {}\nroutes: {}\n"
    )
    _, problems = Referral.load(tmp_path, KB)
    messages = [(p.line, p.message) for p in problems]
    assert any(line == 4 and "at least 5 characters" in m for line, m in messages), messages
    assert any(line == 6 and "Bad_Id" in m for line, m in messages), messages
    assert any(line == 9 and m.startswith("outcomes:") for line, m in messages), messages
    (tmp_path / "referral.yaml").write_text(
        "start: age\nquestions:\n  age:\n    ask: How old are they?\n    answers: []\n"
        "outcomes:\n  end:\n    title: The end\n    routes: [r]\n"
        "routes:\n  r:\n    via: '999'\n    topic: contacts-helplines\n    text: Call 999 now.\n"
    )
    _, problems = Referral.load(tmp_path, KB)
    assert any(p.line == 3 and "has no answers" in p.message for p in problems)
    (tmp_path / "referral.yaml").unlink()
    _, problems = Referral.load(tmp_path, KB)
    assert problems[0].message == "referral flow file is missing"


def test_a_broken_flow_stops_start_up(tmp_path: Path, knowledge: Knowledge) -> None:
    (tmp_path / "referral.yaml").write_text(BROKEN)
    kb = copy.copy(knowledge.kb)
    kb.root = tmp_path
    with pytest.raises(KnowledgeError, match=r"referral\.yaml:10: question 'age'"):
        refer.load_flow(Knowledge(kb, knowledge.engine, 0.0, knowledge.indicators))


def test_paths_are_short_enough_for_a_button() -> None:
    longest = max(PATHS, key=len)
    assert len(f"rf:{FLOW.version}:{longest}".encode()) <= 64
    assert FLOW.walk("9") is None and FLOW.walk("0z") is None and FLOW.walk("0000000") is None
    assert FLOW.first().question is FLOW.spec.questions[FLOW.spec.start]


# -- the bot ----------------------------------------------------------------------------------


def current(bot: Harness, call: Call) -> dict:
    chat = int(call.params["chat_id"])
    message_id = int(call.params.get("message_id") or bot.api.result_of(call)["message_id"])
    return copy.deepcopy(bot.api.messages[(chat, message_id)])


async def tap(bot: Harness, call: Call, data: str) -> Call:
    mark = bot.api.mark()
    bot.api.press(OFFICER, current(bot, call), data)
    [edited] = await bot.api.wait("editMessageText", after=mark)
    return edited


async def test_every_path_through_the_bot(bot: Harness) -> None:
    """All paths on one running bot, one after another, as an officer would walk them."""
    await bot.enrol(OFFICER)
    for path in PATHS:
        try:
            await walk(bot, path)
        except AssertionError as exc:
            raise AssertionError(f"path {' > '.join(labels(path))}: {exc}") from exc


async def walk(bot: Harness, path: str) -> None:
    [shown] = await bot.say(OFFICER, "/refer")
    for step, code in enumerate(path):
        position = FLOW.walk(path[:step])
        assert f"question {step + 1}" in shown.text
        assert position.question.ask in plain(shown.text)
        answers = [a.label for a in position.question.answers]
        assert [label for label, _ in shown.buttons][: len(answers)] == answers
        label, data = shown.buttons[CODES.index(code)]
        assert label == position.question.answers[CODES.index(code)].label
        shown = await tap(bot, shown, data)

    end = FLOW.walk(path)
    text = plain(shown.text)
    assert text.startswith(end.outcome.title)
    assert "You answered: " + " · ".join(c.said for c in end.choices) in text
    routes = FLOW.routes(end.outcome)
    places = [
        text.index(f"{n}. {r.via}: {' '.join(r.text.split())}") for n, r in enumerate(routes, 1)
    ]
    assert places == sorted(places)  # every route, in order, naming its contact
    topic_buttons = [data for _, data in shown.buttons if data.startswith("t:")]
    assert topic_buttons == list(dict.fromkeys(f"t:{r.topic}" for r in routes))
    assert [label for label, _ in shown.buttons[-2:]] == ["« Back", "Start again"]
    assert all(len(data.encode()) <= 64 for _, data in shown.buttons)
    assert len(text) <= 4096


async def test_back_start_again_topics_and_cancel(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [first] = await bot.say(OFFICER, "/refer")
    adult = await tap(bot, first, first.buttons[1][1])
    assert "You answered: 18 or over" in plain(adult.text)
    no = await tap(bot, adult, adult.buttons[1][1])
    assert "informed consent" in no.text
    about = dict((label, data) for label, data in no.buttons)
    [card] = await bot.press(
        OFFICER, no, about["About: National Referral Mechanism (NRM) referral"]
    )
    assert plain(card.text).startswith("National Referral Mechanism")

    back = await tap(bot, no, dict((lb, d) for lb, d in no.buttons)["« Back"])
    assert "question 2" in back.text and "Is the adult in immediate danger" in back.text
    again = await tap(bot, back, dict((lb, d) for lb, d in back.buttons)["« Back"])
    assert "question 1" in again.text and "You answered" not in again.text
    assert "« Back" not in [label for label, _ in again.buttons]

    end = again
    for path_code in PATHS[0]:
        end = await tap(bot, end, end.buttons[CODES.index(path_code)][1])
    restart = await tap(bot, end, dict((lb, d) for lb, d in end.buttons)["Start again"])
    assert "question 1" in restart.text

    cancelled = await tap(bot, restart, dict((lb, d) for lb, d in restart.buttons)["Cancel"])
    assert cancelled.text == refer.CANCELLED and not cancelled.buttons
    [reply] = await bot.say(OFFICER, "/cancel")
    assert reply.text.startswith("Nothing to cancel")

    [open_flow] = await bot.say(OFFICER, "/refer")
    opened = bot.api.result_of(open_flow)["message_id"]
    mark = bot.api.mark()
    [reply] = await bot.say(OFFICER, "/cancel")
    assert reply.text.startswith(refer.CANCELLED)
    [closed] = await bot.api.wait("editMessageText", after=mark)
    assert closed.text == refer.CANCELLED
    assert int(closed.params["message_id"]) == opened


async def test_old_or_tampered_buttons_start_again_politely(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [first] = await bot.say(OFFICER, "/refer")
    for data in ("rf:0000:0", f"rf:{FLOW.version}:9", f"rf:{FLOW.version}:0:extra", "rf"):
        redrawn = await tap(bot, first, data)
        assert refer.CHANGED in redrawn.text and "question 1" in redrawn.text
    assert not any("something went wrong" in c.text for c in bot.api.sent())


async def test_refer_in_a_group_chat(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    group = -100777
    [first] = await bot.say(OFFICER, "/refer@briefing_test_bot", chat_id=group, chat_type="group")
    assert "How old" in first.text
    message = bot.api.result_of(first)
    mark = bot.api.mark()
    bot.api.press(OFFICER, message, first.buttons[0][1])
    [edited] = await bot.api.wait("editMessageText", after=mark)
    assert int(edited.params["chat_id"]) == group and "question 2" in edited.text
