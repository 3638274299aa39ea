"""The force's own numbers: the shipped file (nothing invented), its checks, and what officers see.

A filled sample (invented force and areas, Ofcom drama numbers) stands in for a force's file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.answers.cards import answer_blocks
from bot.core.knowledge.base import KnowledgeBase
from bot.core.knowledge.check import check_knowledge
from bot.core.knowledge.local_contacts import (
    CONTACTS_FILE,
    NATIONAL_INTRO,
    ROLES,
    LocalContacts,
    contact_lines,
    phone_problem,
)
from bot.core.services import KnowledgeError, load_knowledge
from tests.botapi import plain
from tests.support import KNOWLEDGE, running_bot

SAMPLE = Path(__file__).parent / "data" / "local-contacts-sample.yaml"
KB = KnowledgeBase.load(KNOWLEDGE)
OFFICER = 700301
NOT_SET_CHILDREN = (
    "Your force hasn't added its out-of-hours children's services number: ask your control room."
)


def load(path: Path) -> tuple[LocalContacts | None, list[str]]:
    contacts, problems = LocalContacts.load(path, KB)
    return contacts, [str(p) for p in problems]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / CONTACTS_FILE
    path.write_text(text, encoding="utf-8")
    return path


# -- the shipped file ---------------------------------------------------------------------------


def test_the_shipped_file_invents_no_number_and_says_so_plainly() -> None:
    contacts, problems = load(KNOWLEDGE / CONTACTS_FILE)
    assert problems == [] and contacts is not None
    assert {c.role for c in contacts.spec.contacts} == set(ROLES)
    assert all(c.number is None for c in contacts.spec.contacts)
    lines = contact_lines(contacts)
    assert NOT_SET_CHILDREN in lines
    assert [line for line in lines if line.startswith("Your force hasn't added")] == [
        role.missing for role in ROLES.values()
    ]
    national = lines[-1]
    assert national.startswith(NATIONAL_INTRO)
    for number in ("999", "101", "116 000", "08000 121 700", "0808 800 5000"):
        assert number in national


def test_every_national_number_is_one_its_topic_gives() -> None:
    contacts, _ = load(KNOWLEDGE / CONTACTS_FILE)
    assert contacts is not None and len(contacts.spec.national) >= 5
    for national in contacts.spec.national:
        topic = KB.topics[national.topic]
        assert national.number in f"{topic.summary} {topic.body}", national


# -- a filled file ------------------------------------------------------------------------------


def test_a_filled_file_gives_each_areas_numbers_then_the_force_wide_ones() -> None:
    contacts, problems = load(SAMPLE)
    assert problems == [] and contacts is not None
    northvale = contact_lines(contacts, "Northvale")
    assert "MASH (in office hours), Northvale: 01632 960 101 (Mon to Fri, 9am to 5pm)" in northvale
    assert (
        "Children's emergency duty team (out of hours), Northvale: 01632 960 202 "
        "(5pm to 9am, weekends, bank holidays)"
    ) in northvale
    assert "Force control room: 01632 960 505" in northvale
    assert (
        "Force modern slavery and exploitation lead: 07700 900 606 "
        "(duty inspector outside office hours)"
    ) in northvale
    assert not any("Eastmoor" in line for line in northvale)
    # Northvale has no adults' EDT and no force-wide one: said plainly, with the national numbers
    assert ROLES["adults-edt"].missing in northvale
    assert northvale[-1].startswith(NATIONAL_INTRO)

    everywhere = contact_lines(contacts)
    for number in ("01632 960 202", "020 7946 0303", "020 7946 0404", "01632 960 505"):
        assert sum(number in line for line in everywhere) == 1, number
    # Eastmoor's MASH is missing but Northvale's is set: no "not added" line for the MASH
    assert ROLES["mash"].missing not in everywhere


def test_referral_topics_choose_the_roles_shown() -> None:
    contacts, _ = load(SAMPLE)
    adult = contact_lines(contacts, topics={"adult-safeguarding-referral", "nrm-referral"})
    assert any("020 7946 0404" in line for line in adult)
    assert not any("MASH" in line or "Children's" in line for line in adult)
    assert any("Force control room" in line for line in adult)
    child = contact_lines(contacts, topics={"children-social-care-referral"})
    assert not any("Adults'" in line or "adult social care" in line for line in child)
    # everything for the child routes is set somewhere: no fallback line is needed
    assert not any(line.startswith(NATIONAL_INTRO) for line in child)


def test_without_a_contacts_file_the_bot_still_answers_plainly() -> None:
    lines = contact_lines(None)
    assert lines[0].startswith("Your force hasn't added") and "999" in lines[1]


# -- kb check ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "01632 960 001",
        "01632 960001",
        "020 7946 0000",
        "07700 900 123",
        "0800 123 4567",
        "0300 123 4567",
    ],
)
def test_uk_numbers_in_the_one_format_pass(number: str) -> None:
    assert phone_problem(number) is None


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("+44 1632 960001", "national format"),
        ("01632-960001", "national format"),
        ("(01632) 960001", "national format"),
        ("01632  960001x", "national format"),
        ("0909 879 0000", "not a UK"),  # premium rate
        ("0845 123 4567", "not a UK"),  # shared cost
        ("01632 9600", "not a UK"),  # too short
        ("0800 1111", "not a UK"),  # a national short line, not a local contact
        ("07700 900 1234", "not a UK"),  # too long
        ("1632 960001", "not a UK"),
    ],
)
def test_numbers_that_are_not_uk_numbers_in_that_format_fail(number: str, why: str) -> None:
    problem = phone_problem(number)
    assert problem is not None and why in problem


BAD = """\
reviewed: null
areas: [Northvale, Eastmoor]
contacts:
  - role: mash
    area: Northvale
    number: "01632 960 101"
  - role: mash
    area: Northvale
    number: "01632 960 102"
  - role: children-edt
    area: Southdown
    number: "0845 123 4567"
  - role: control-room
    number: "01632 960 505"
show_on: [no-such-topic]
national:
  - name: Made-up helpline
    number: 0800 000 0000
    topic: contacts-helplines
"""


def test_kb_check_names_each_problem_with_its_line(tmp_path: Path) -> None:
    contacts, problems = load(write(tmp_path, BAD))
    assert contacts is None
    text = "\n".join(problems)
    assert f"{CONTACTS_FILE}:7: role 'mash' given twice for area 'Northvale'" in text
    assert f"{CONTACTS_FILE}:11: unknown area 'Southdown' (areas: Northvale, Eastmoor)" in text
    assert f"{CONTACTS_FILE}:12: '0845 123 4567' is not a UK" in text
    assert f"{CONTACTS_FILE}:1: numbers are set: give the date they were last checked" in text
    assert f"{CONTACTS_FILE}:15: unknown topic 'no-such-topic'" in text
    assert "'0800 000 0000' is not in topic 'contacts-helplines'" in text


def test_a_number_yaml_reads_as_an_integer_must_be_quoted(tmp_path: Path) -> None:
    contacts, problems = load(
        write(tmp_path, "contacts:\n  - role: control-room\n    number: 101\n")
    )
    assert contacts is None
    assert len(problems) == 1 and f"{CONTACTS_FILE}:3: contacts.0.number" in problems[0]
    assert "quote the number" in problems[0]


def test_an_unknown_role_and_a_repeated_area_are_refused(tmp_path: Path) -> None:
    _, problems = load(
        write(tmp_path, "areas: [Northvale, northvale]\ncontacts:\n  - role: sergeant\n")
    )
    text = "\n".join(problems)
    assert "contacts.0.role" in text
    _, problems = load(write(tmp_path, "areas: [Northvale, northvale]\n"))
    assert any("area 'northvale' listed twice" in p for p in problems)


def test_kb_check_runs_the_contacts_checks_and_start_up_refuses_a_bad_file(tmp_path: Path) -> None:
    _, problems = check_knowledge(KNOWLEDGE)
    assert not [p for p in problems if p.path.name == CONTACTS_FILE]
    bad = write(tmp_path, BAD)
    with pytest.raises(KnowledgeError, match="given twice"):
        load_knowledge(KNOWLEDGE, contacts_file=bad)


# -- what officers see ---------------------------------------------------------------------------


def test_the_out_of_hours_card_shows_the_numbers_and_other_cards_do_not() -> None:
    contacts, _ = load(SAMPLE)
    card = contacts.card_lines(KB.topics["out-of-hours-and-local-contacts"])
    blocks = answer_blocks(KB.topics["out-of-hours-and-local-contacts"], local=card)
    numbers = next(b for b in blocks if b.heading == "Your force's numbers")
    assert any("01632 960 202" in item for item in numbers.items)
    assert [b.heading for b in blocks].index("Your force's numbers") == [
        b.heading for b in blocks
    ].index("Officer action") + 1
    assert contacts.card_lines(KB.topics["misuse-of-drugs-act"]) is None


def test_a_card_that_gives_the_national_numbers_does_not_repeat_them() -> None:
    shipped, _ = load(KNOWLEDGE / CONTACTS_FILE)
    card = shipped.card_lines(KB.topics["out-of-hours-and-local-contacts"])
    assert NOT_SET_CHILDREN in card
    assert not any(line.startswith(NATIONAL_INTRO) for line in card)
    # a topic without them, shown by a force's choice, gets the national numbers
    shipped.spec.show_on.append("children-social-care-referral")
    card = shipped.card_lines(KB.topics["children-social-care-referral"])
    assert card[-1].startswith(NATIONAL_INTRO) and "08000 121 700" in card[-1]


async def test_refer_and_the_card_show_a_set_number(botapi, sqlite_url) -> None:
    knowledge = load_knowledge(KNOWLEDGE, contacts_file=SAMPLE)
    async with running_bot(botapi, knowledge, sqlite_url) as bot:
        await bot.enrol(OFFICER)
        outcome = await walk_to_child_outcome(bot)
        text = plain(outcome.text)
        assert "Your force's numbers" in text
        assert "Children's emergency duty team (out of hours), Northvale: 01632 960 202" in text
        assert "Eastmoor: 020 7946 0303" in text and "Force control room: 01632 960 505" in text
        assert "020 7946 0404" not in text  # the adults' team is not a child route
        assert NOT_SET_CHILDREN not in text

        [card] = await bot.say(OFFICER, "emergency duty team number")
        card_text = plain(card.text)
        assert card_text.startswith("Out of hours and local contacts")
        assert "Northvale: 01632 960 202" in card_text


async def test_refer_with_the_shipped_file_says_the_number_is_not_set(bot) -> None:
    await bot.enrol(OFFICER)
    outcome = await walk_to_child_outcome(bot)
    text = plain(outcome.text)
    assert NOT_SET_CHILDREN in text
    assert "Numbers that always work: Police emergency 999" in text
    assert len(text) <= 4096
    [card] = await bot.say(OFFICER, "out of hours social services")
    assert "hasn't added its MASH, out-of-hours children's services" in plain(card.text)


async def walk_to_child_outcome(bot):
    """/refer: under 18, not in danger, not known: the child-new outcome."""
    [shown] = await bot.say(OFFICER, "/refer")
    for label in ("Under 18", "No", "No, or don't know"):
        data = dict(shown.buttons)[label]
        mark = bot.api.mark()
        bot.api.press(OFFICER, bot.api.messages[(OFFICER, message_id(bot, shown))], data)
        [shown] = await bot.api.wait("editMessageText", after=mark)
    return shown


def message_id(bot, call) -> int:
    return int(call.params.get("message_id") or bot.api.result_of(call)["message_id"])


def test_numbers_too_long_for_one_message_are_refused(tmp_path: Path) -> None:
    areas = [f"Area {n}" for n in range(12)]
    entries = "".join(
        f'  - role: {role}\n    area: {area}\n    number: "01632 960 {n:03d}"\n'
        f"    note: {'a long note about this team that goes on and on' * 2}\n"
        for n, (role, area) in enumerate((r, a) for r in ROLES for a in areas)
    )
    text = f"reviewed: 2026-11-30\nareas: [{', '.join(areas)}]\ncontacts:\n{entries}"
    contacts, problems = load(write(tmp_path, text))
    assert contacts is None
    assert any("at most 1500 fit in one message" in p for p in problems)


def test_a_missing_file_is_a_warning_and_the_bot_says_no_numbers_were_added(tmp_path) -> None:
    contacts, problems = LocalContacts.load(tmp_path / CONTACTS_FILE, KB)
    assert contacts is None
    assert [(p.level, p.message) for p in problems] == [
        ("warning", "local contacts file is missing")
    ]
    knowledge = load_knowledge(KNOWLEDGE, contacts_file=tmp_path / CONTACTS_FILE)
    assert knowledge.contacts is None
    assert contact_lines(knowledge.contacts)[0].startswith("Your force hasn't added")


SCENE = "kid aged 14 found in a flat, not local, 2 phones and £400, what do I do"


def test_a_scene_gives_the_childrens_numbers_or_says_they_are_not_set(knowledge) -> None:
    shipped = knowledge.responder.respond(SCENE)
    assert shipped.kind == "scene"
    assert "Your force hasn't added its MASH or out-of-hours children's services numbers" in (
        shipped.text
    )
    filled = load_knowledge(KNOWLEDGE, contacts_file=SAMPLE).responder.respond(SCENE)
    assert filled.kind == "scene"
    assert "01632 960 101" in filled.text and "01632 960 202" in filled.text  # MASH, EDT
    assert "Adults' emergency duty team" not in filled.text and "hasn't added" not in filled.text


def test_a_first_reply_says_in_one_sentence_which_numbers_are_missing(knowledge) -> None:
    """Five "hasn't added" sentences pushed the second helpline asked for out of the reply."""
    reply = knowledge.responder.respond(
        "what number do I give a 15yo for safecall and whats childline's"
    )
    assert reply.text.count("hasn't added") == 1
    assert "MASH, out-of-hours children's services" in reply.text
    assert "116 000" in reply.text and "0800 1111" in reply.text
    # the full card still names each missing number on its own line
    card = knowledge.contacts.card_lines(KB.topics["contacts-helplines"])
    assert sum("hasn't added" in line for line in card) == len(ROLES)
    filled = load_knowledge(KNOWLEDGE, contacts_file=SAMPLE).responder.respond("safecall number")
    assert "hasn't added" not in filled.text and "01632 960" in filled.text
