"""The first reply, decided in core: answers from units and the offence table, scenes, refusals."""

from __future__ import annotations

import pytest

from bot.core.answers.kinds import asks_for_figure, question_kinds
from bot.core.answers.reply import MAX_REPLY, Line, fit, short_line, unmark
from bot.core.answers.search import question_parts
from bot.core.services import Knowledge
from tests.support import answered_topic

SCENE = "kid aged 14 found in a flat in Margate, not local, 2 phones and £400, what do I do"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("max sentence for trafficking", "penalty"),
        ("what would he get for cuckooing", "penalty"),
        ("how long would she get for s2", "penalty"),
        ("is possession either way", "trial"),
        ("what do I need to prove for s2", "necessary"),
        ("how long does a reasonable grounds decision take", "time-limit"),
        ("max time cash can be held under poca", "time-limit"),
        ("what can you get off a dealers handset", "power"),
        ("who can authorise a closure notice", "who-can"),
        ("number for the modern slavery helpline", "number"),
        ("can I search a 15 year old for drugs", "power"),
        ("signs of cuckooing", "signs"),
        ("what is a ddtro", "definition"),
        ("kid with phones what do I do", "what-to-do"),
        ("whats the max he could get for running a line", "penalty"),
        ("breach of the order, whats the max", "penalty"),
        ("what is the most they could get for s45", "penalty"),
        ("how long in prison for cuckooing", "penalty"),
        ("how much time would he do for supply", "penalty"),
        ("whats the punishment for cce", "penalty"),
        ("will it go to crown court", "trial"),
        ("crown court or mags for s2", "trial"),
        ("how long can cash detention be extended by the mags", "time-limit"),
        ("wats a trap house", "definition"),
        ("UKMPU number", "number"),  # a name, then "number": a number to ring
        ("if not whats the min age", "age"),
        ("youngest age a kid can be arrested", "age"),
    ],
)
def test_question_kinds(question: str, kind: str) -> None:
    assert question_kinds(question)[0] == kind


def test_max_sentence_for_trafficking_is_life_under_s2(knowledge: Knowledge) -> None:
    reply = knowledge.responder.respond("max sentence for trafficking")
    assert reply.answered and reply.topic.id == "msa-s2-human-trafficking"
    assert "life" in reply.text and "s2" in reply.text
    # The prevention-orders entry (breach: up to 5 years) is never the answer.
    assert "5 years" not in reply.text.split("\n\nDo now")[0]


def test_a_unit_answers_the_figure_asked_for(knowledge: Knowledge) -> None:
    reply = knowledge.responder.respond("how long does a reasonable grounds decision take")
    assert reply.kind == "answer" and reply.unit is not None
    assert reply.unit.kind == "time-limit" and "5 working days" in reply.text


def test_first_reply_shape(knowledge: Knowledge) -> None:
    reply = knowledge.responder.respond("how long does a reasonable grounds decision take")
    text = reply.text
    assert len(text) <= MAX_REPLY
    paras = text.split("\n\n")
    assert paras[0].startswith(reply.topic.title + "\n")
    assert paras[1].startswith("Do now\n") and len(paras[1].splitlines()) <= 4
    assert paras[-1].startswith("Source: ") and "Reviewed " in paras[-1]
    actions = [b.label for row in reply.buttons for b in row]
    assert actions[:2] == ["Full topic", "Wrong answer?"]


def test_unheld_offence_is_one_line_never_a_neighbouring_topic(knowledge: Knowledge) -> None:
    for question in ("max sentence for burglary", "what would he get for drink driving"):
        reply = knowledge.responder.respond(question)
        assert reply.kind == "not-held" and reply.topic is None, question
        first, _, covered = reply.text.partition("\n")
        assert first.startswith("I don't hold") and "Modern Slavery Act 2015 (s1" in covered


@pytest.mark.parametrize(
    "question",
    [
        "what is the weather",
        "DASH risk assessment",
        "annual leave request",
        "burglary",
        # A near miss that shares a word with one of our topic names is still a near miss.
        "road closure order for a fatal RTC, who authorises",
        "non-mol order breach, power of arrest?",
        "my work phone wont sync emails, who do i ring",
        "whats the power to search a vehicle for stolen goods",
        "who signs off a covert human intelligence source",
    ],
)
def test_out_of_scope_says_what_the_bot_covers(knowledge: Knowledge, question: str) -> None:
    reply = knowledge.responder.respond(question)
    assert not reply.answered and reply.kind == "out-of-scope"
    assert "I cover County Lines" in reply.text and "\n" not in reply.text
    assert [b.action for row in reply.buttons for b in row] == ["browse"]
    assert reply.record_gap


@pytest.mark.parametrize(
    "text",
    [
        "hi",
        "Hello there!",
        "thanks",
        "cheers mate",
        "help",
        "ta",
        "cheers that helped",
        "who made you",
        "thanks for nothing",
        "test test",
        "are you a real person",
        "hello?? is this thing working",  # was answered from forced labour's "work"
        "anyone there?",
    ],
)
def test_small_talk_is_friendly_and_no_gap(knowledge: Knowledge, text: str) -> None:
    reply = knowledge.responder.respond(text)
    assert reply.kind == "small-talk" and not reply.record_gap and reply.text


@pytest.mark.parametrize(
    "question",
    [
        SCENE,
        "15yo from London with 3 phones, what now",  # the developers' guide's example
        "14yo with 2 phones and cash in a flat",
        "found a 14 year old with loads of cash and a burner",
        "aged 14, 3 phones, from london",
        "a 15-year-old with two phones at the station",
        "Jayden 14 picked up with £300 and two phones",
        "Kai, 15, two phones and cash, what now",
        "girl with 3 phones and wads of cash, what now",
        "child with cash and phones, what do I do",
    ],
)
def test_a_child_in_a_scene_gets_the_plan(knowledge: Knowledge, question: str) -> None:
    reply = knowledge.responder.respond(question)
    assert reply.kind == "scene", question
    indicators = knowledge.indicators
    seen = indicators.tag(question)
    for step in indicators.steps(seen, {"child"}):  # the advice of /check and note tagging
        assert short_line(step.text, 200)[:40] in reply.text
    actions = [(b.action, b.arg) for row in reply.buttons for b in row]
    assert ("check", "child") in actions and ("refer", "") in actions
    assert ("topic", reply.topic.id) in actions and len(reply.text) <= MAX_REPLY
    assert reply.topic.category == "indicators"


def test_a_vulnerable_adult_in_a_scene_gets_the_adult_plan(knowledge: Knowledge) -> None:
    reply = knowledge.responder.respond(
        "vulnerable man with a learning disability, strangers staying at his flat, lots of callers"
    )
    assert reply.kind == "scene" and "Adult" in reply.text
    assert any(
        b.action == "check" and b.arg in ("adult", "cuckooing") for r in reply.buttons for b in r
    )


def test_a_law_question_mentioning_a_child_is_not_a_scene(knowledge: Knowledge) -> None:
    reply = knowledge.responder.respond("s45 defence for a 16 year old found with 2 phones")
    assert reply.kind == "answer" and reply.topic.id == "msa-s45-defence"


def test_did_you_mean_offers_check_and_refer_for_a_child(knowledge: Knowledge) -> None:
    reply = knowledge.responder.respond("child help")
    assert reply.kind == "did-you-mean"
    actions = [b.action for row in reply.buttons for b in row]
    assert "check" in actions and "refer" in actions


def test_every_eval_reply_fits(knowledge: Knowledge) -> None:
    from bot.core.answers.evaluation import read_queries
    from tests.test_eval import EVAL

    for q in read_queries(EVAL):
        reply = knowledge.responder.respond(q.query)
        assert len(reply.text) <= MAX_REPLY, q.query


def test_fit_drops_do_now_lines_before_cutting_the_answer() -> None:
    paras = [
        [Line("Title", "title"), Line("A" * 500)],
        [Line("Do now", "heading")] + [Line(f"{n}. " + "b" * 200, "item") for n in (1, 2, 3)],
    ]
    fitted = fit(paras, limit=800)
    text = "\n\n".join("\n".join(line.text for line in p) for p in fitted)
    assert len(text) <= 800 and "A" * 500 in text and "1. " in text and "3. " not in text


def test_a_danger_sign_makes_a_scene_and_its_step_stays_whole(knowledge: Knowledge) -> None:
    """Plugging is a medical emergency: the long scene keeps the ambulance step as written,
    even when the search alone would answer from the custody topic."""
    question = (
        "15yo arrested for supply, says drugs were plugged, 3 phones and cash, "
        "scared of the older lads, what do I do"
    )
    reply = knowledge.responder.respond(question)
    assert reply.kind == "scene" and len(reply.text) <= MAX_REPLY
    assert "1. Someone may be in immediate danger: call 999 now. Anyone who may have drugs" in (
        reply.text
    )
    assert "plugging" in reply.text.split("\n")[1].lower()


def test_a_date_is_not_an_age(knowledge: Knowledge) -> None:
    reply = knowledge.responder.respond("found on March 14 with 2 phones, what do I do")
    assert reply.kind != "scene"


def test_signs_from_lists_about_someone_else_do_not_raise_the_alarm(knowledge: Knowledge) -> None:
    """'Wraps' is a danger sign on the cuckooing list (drugs or weapons inside an address); for
    a child it is the child list's sign, which calls for no 999."""
    reply = knowledge.responder.respond("kid with wraps and 2 phones what do i do")
    assert reply.kind == "scene" and "call 999" not in reply.text


def test_a_near_miss_inside_one_of_our_questions_is_still_answered(knowledge: Knowledge) -> None:
    reply = knowledge.responder.respond("can a trafficking victim use s45 for robbery or gbh")
    assert reply.kind == "answer" and reply.topic.id == "msa-s45-defence"


@pytest.mark.parametrize(
    "question",
    [
        "section 5 public order points to prove",
        "section 4 public order fear of violence points to prove",
    ],
)
def test_a_bare_section_number_does_not_turn_a_near_miss_into_our_offence(
    knowledge: Knowledge, question: str
) -> None:
    """Section 5 of the Public Order Act is not MDA s5 possession: a bare section number names
    none of our offences when the question names a subject outside the scope."""
    reply = knowledge.responder.respond(question)
    assert not reply.answered and reply.offence is None


def test_a_bare_section_number_still_names_our_offence_without_a_near_miss(
    knowledge: Knowledge,
) -> None:
    reply = knowledge.responder.respond("s4 supply max penalty")
    assert reply.offence is not None and reply.offence.topic == "misuse-of-drugs-act"


def test_do_now_keeps_the_action_of_a_conditional_step() -> None:
    step = (
        "When a missing child is found with an adult who is not a carer, discuss a CAWN with "
        "your supervisor and the parents or the council (for a child in care)."
    )
    line = short_line(step)
    assert "discuss a CAWN" in line and len(line) <= 120
    assert short_line("Record it (notes, bags) and what they said, then seal it.", 50) == (
        "Record it and what they said, then seal it."
    )


def test_the_offence_row_follows_the_age_and_the_drug_asked_about(knowledge: Knowledge) -> None:
    """An age picks the s47 row for it; a drug named by name picks its class's row."""
    respond = knowledge.responder.respond
    reply = respond("max sentence for paying for sex with a 15 year old")
    assert reply.offence is not None and reply.offence.id == "soa-s47-under-16-penetrative"
    assert "14 years" in reply.text and "7 years" not in reply.text
    reply = respond("possession of crack max penalty")
    assert reply.offence is not None and reply.offence.id == "mda-s5-2-class-a"
    assert "7 years" in reply.text


def test_an_offence_asked_without_what_its_maximum_turns_on_lists_every_row(
    knowledge: Knowledge,
) -> None:
    reply = knowledge.responder.respond("max sentence for paying for sex with a child")
    assert reply.kind == "offence"
    for figure in ("life", "14 years", "7 years"):
        assert figure in reply.text


def test_a_one_word_offence_name_is_not_taken_for_a_bare_section(knowledge: Knowledge) -> None:
    """'slavery' names s1 however the search ranks topics; only a bare 's2' needs its topic."""
    found = knowledge.responder.offences.find("is slavery either way", ranked=[])
    assert found is not None and found.id == "msa-s1"
    assert knowledge.responder.offences.find("max sentence s2", ranked=[]) is None


def test_the_source_line_says_secondary_and_who_reviewed(knowledge: Knowledge) -> None:
    reply = knowledge.responder.respond("who has to prove the s45 defence")
    assert reply.unit is not None and reply.topic is not None
    source = next(s for s in reply.topic.sources if s.url == reply.unit.source)
    assert source.secondary  # R v MK's burden of proof rests on a case summary
    last = reply.text.split("\n")[-1]
    assert last == f"Source: {source.title} (secondary). {reply.topic.reviewed_line}."
    assert f" by {reply.topic.reviewed_by}" in last


def test_an_offence_whose_mode_of_trial_is_unconfirmed_says_so(knowledge: Knowledge) -> None:
    reply = knowledge.responder.respond("max sentence for the cuckooing offence")
    assert reply.offence is not None and reply.offence.trial == "not-confirmed"
    assert "mode of trial not confirmed" in reply.text
    assert "either way" not in reply.text and "Commencement not confirmed" in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "3 days max?",
        "drug debt punishment beating",
        "max number of days for a notice",
        "explain county lines for new starters, 2 sentences max",  # how long the answer is
        "can the chief constable apply for an STPO on someone not being sentenced",
        "prevention order made on sentence, how long does it last",
    ],
)
def test_a_maximum_of_something_else_is_no_sentence(question: str) -> None:
    assert "penalty" not in question_kinds(question)


def test_an_offence_name_may_have_one_extra_word_inside_it(knowledge: Knowledge) -> None:
    """ "breach of a slavery prevention order" names the s30 breach, not s1 slavery."""
    find = knowledge.responder.offences.find
    found = find("breach of a slavery prevention order whats the max", ranked=[])
    assert found is not None and found.id == "msa-s30"
    # Side-by-side words stay side by side: class B named, class A not taken.
    found = find("max sentence for supply class b to a kid", ranked=[])
    assert found is not None and "class-b" in found.id


def test_the_offences_officers_name_shortly(knowledge: Knowledge) -> None:
    respond = knowledge.responder.respond
    reply = respond("how long in prison for cuckooing")
    assert reply.kind == "offence" and reply.topic.id == "cuckooing-offence"
    reply = respond("max for possession with intent class a")
    assert reply.offence is not None and reply.offence.id == "mda-s5-3-class-a"
    assert "life" in reply.text


def test_a_scene_is_answered_even_when_it_names_a_subject_outside_the_scope(
    knowledge: Knowledge,
) -> None:
    """The child with phones and cash matters more than the shoplifting he was arrested for."""
    reply = knowledge.responder.respond(
        "15 year old caught shoplifting with 3 phones and cash, not local, what do i do"
    )
    assert reply.kind == "scene" and "child exploitation" in reply.text
    # Without signs, the subject outside the scope is still refused.
    reply = knowledge.responder.respond("15 year old caught shoplifting what do i do")
    assert reply.kind == "out-of-scope"
    reply = knowledge.responder.respond("sudden death of an elderly man at home, what do i do")
    assert reply.kind == "out-of-scope"


def test_a_near_miss_beside_one_of_our_topic_names_is_still_ours(knowledge: Knowledge) -> None:
    reply = knowledge.responder.respond("does murder have the s45 defence")
    assert reply.answered and reply.topic.id == "msa-s45-defence"
    reply = knowledge.responder.respond("murder investigation policy")
    assert reply.kind == "out-of-scope"


def test_the_offence_index_finds_what_a_scan_of_every_alias_finds(knowledge: Knowledge) -> None:
    """The table looks a question up by the first word of each alias; every alias of every
    row, tried from every word, must name the same rows with the same lengths."""
    from bot.core.answers.evaluation import read_queries
    from bot.core.answers.responder import _longest_named, _name_stems, _names_at
    from tests.support import KNOWLEDGE

    table = knowledge.responder.offences
    aliases = [(n, a) for n, keys in enumerate(table._keys) for a in keys.aliases]
    queries = [q.query for q in read_queries(KNOWLEDGE / "eval" / "queries.jsonl")]
    queries += [f"{o.name} {a}" for o in table.offences for a in o.aliases]
    for text in queries:
        tokens = _name_stems(text)
        scanned: dict[int, int] = {}
        for n, alias in aliases:
            if any(_names_at(tokens, i, alias) for i in range(len(tokens))):
                scanned[n] = max(scanned.get(n, 0), len(alias))
        assert _longest_named(tokens, table._by_first) == scanned, text


def test_a_procedures_fact_asked_for_at_a_scene_is_answered(knowledge: Knowledge) -> None:
    """Adult social care closed at the weekend: the out-of-hours route is what was asked, not
    the scene plan that the signs in the question would give."""
    reply = knowledge.responder.respond(
        "weekend and a vulnerable adult is being cuckooed, adult social care closed what do i do"
    )
    assert reply.kind == "answer" and reply.topic.id == "out-of-hours-and-local-contacts"


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("how many arrests did the hampshire week of action get", "43 arrests"),
        ("how many county lines are there roughly", "2,000"),
        ("which cities do most lines come out of these days", "Liverpool"),
    ],
)
def test_a_statistic_asked_for_is_in_the_first_reply(
    knowledge: Knowledge, question: str, figure: str
) -> None:
    """Results and scale figures live in units, dated, not only in a topic's body."""
    reply = knowledge.responder.respond(question)
    assert reply.kind == "answer" and figure in reply.text.split("\n\nDo now")[0]


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("when did the national county lines coordination centre start up", True),
        ("how many arrests did op jetway get", True),
        ("what year was both sides of the coin", True),
        ("how many years for trafficking", False),  # a penalty says its own figure
        ("how many days does a ddtro last", False),  # a time limit too
        ("what does the nclcc do", False),
        ("ocg min number of people", True),  # a count, not a number to ring
        ("number of the modern slavery helpline", False),
    ],
)
def test_a_count_or_date_is_asked_for(question: str, wanted: bool) -> None:
    assert asks_for_figure(question, question_kinds(question)) is wanted


def test_when_did_prefers_the_unit_that_gives_the_date(knowledge: Knowledge) -> None:
    """Spelling the centre's name out matches its 'what it does' phrasing word for word; the
    question asks for a date, which the launch unit gives."""
    reply = knowledge.responder.respond(
        "when did the national county lines coordination centre start up"
    )
    assert reply.unit is not None and reply.unit.key == "nclcc#when-set-up"
    assert "2018" in reply.text


def test_two_units_that_answer_about_equally_well_are_both_given(knowledge: Knowledge) -> None:
    """'s42 criteria': the unit on the age of 18 and the one stating the three conditions rank
    within a hair of each other; the officer gets both, and the reply still fits."""
    reply = knowledge.responder.respond("s42 care act criteria")
    assert reply.kind == "answer" and reply.unit is not None
    assert "care and support" in reply.text and len(reply.text) <= MAX_REPLY


def test_each_question_of_a_message_is_answered(knowledge: Knowledge) -> None:
    """Two questions of no kind the question words name: the answer gave who issues a notice
    and left out how long it lasts."""
    reply = knowledge.responder.respond(
        "who authorises a closure notice and how long does it last"
    )
    assert reply.kind == "answer" and reply.topic and reply.topic.id == "closure-orders"
    assert "inspector" in reply.text and "48 hours" in reply.text
    assert len(reply.text) <= MAX_REPLY


@pytest.mark.parametrize(
    "question", ["overview of gang injunctions", "key points on closure orders for a briefing"]
)
def test_a_question_about_the_whole_subject_gets_the_summary(
    knowledge: Knowledge, question: str
) -> None:
    """An overview was answered with one of the topic's facts (who applies), not the whole."""
    reply = knowledge.responder.respond(question)
    assert reply.kind == "answer" and reply.unit is None and reply.topic is not None
    assert unmark(reply.topic.summary)[:60] in reply.text


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("explain cuckooing in plain english", "cuckooing"),
        ("explain the nrm in plain english", "nrm-referral"),
        # Who it is for is not its subject either: 'new', 'team', 'pcso' led elsewhere.
        (
            "new to the response team, can someone explain county lines for the probies",
            "county-lines-definition",
        ),
        (
            "what is county lines? need a one liner for the shift briefing",
            "county-lines-definition",
        ),
    ],
)
def test_how_an_answer_should_be_put_is_not_its_subject(
    knowledge: Knowledge, question: str, topic: str
) -> None:
    """'in plain english' is in one topic's phrasing only: every such question went there."""
    reply = knowledge.responder.respond(question)
    assert reply.kind == "answer" and reply.topic is not None and reply.topic.id == topic


def test_a_message_asking_one_thing_has_no_parts() -> None:
    assert question_parts("max sentence for trafficking") == []
    assert question_parts("signs of cuckooing, what do i do") == [
        "signs of cuckooing",
        "what do i do",
    ]
    assert question_parts("14yo alone? who do i ring?") == ["14yo alone", "who do i ring"]


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        # The adults' unit ("must give informed consent") answered a question about a 16yo.
        ("do i need consent to put a 16yo runner in the NRM", "nrm-referral#child-no-consent"),
        (
            "adult runner says he was forced to deal, whats the s45 test",
            "msa-s45-defence#adult-test",
        ),
    ],
)
def test_a_fact_about_one_age_group_does_not_answer_the_other(
    knowledge: Knowledge, question: str, unit: str
) -> None:
    reply = knowledge.responder.respond(question)
    assert reply.unit is not None and reply.unit.key == unit


def test_a_question_in_two_parts_gets_both_answers(knowledge: Knowledge) -> None:
    """It answered whether s46 applies and left out how long it lasts; steps give way first."""
    reply = knowledge.responder.respond(
        "12yo found in a trap flat at 2am, mum not answering, dealers there. can I take him "
        "under police protection, how long can i keep him"
    )
    assert reply.kind == "answer" and reply.topic and reply.topic.id == "police-protection-s46"
    assert "significant harm" in reply.text and "72 hours" in reply.text
    assert "Do now\n1. " in reply.text and len(reply.text) <= MAX_REPLY


def test_the_second_part_is_read_on_its_own_words(knowledge: Knowledge) -> None:
    """'how long to get to court' was answered with the appeal's 21 days: the time limit was
    looked for among the whole question's words, mostly about who a notice can keep out."""
    reply = knowledge.responder.respond(
        "can a closure notice on the cuckooed flat exclude the tenant as well? and how long "
        "have we got to get to court"
    )
    assert reply.unit is not None and reply.unit.key == "closure-orders#residents-notice-vs-order"
    assert "48 hours" in reply.text and "21 days" not in reply.text


@pytest.mark.parametrize(
    ("description", "topic"),
    [
        # A scene told in full covers less of itself than a short question: it was a 'did
        # you mean' although one topic led the next by far.
        (
            "neighbour rang in, old fella at no 14 has loads of new mates, cars pulling up for "
            "2 mins at all hours, he looks terrified when he comes out. what now",
            "indicators-cuckooing",
        ),
        # 'brain injury', 'favour', 'address': words no topic holds outweighed the signs.
        (
            "bloke with a brain injury found in Ashcombe with £800 and a bag of wraps, says "
            "he's doing a favour for a mate. hes not from round here and can barely tell me "
            "his address",
            "indicators-vulnerable-adult",
        ),
    ],
)
def test_a_long_description_with_a_clear_lead_is_answered(
    knowledge: Knowledge, description: str, topic: str
) -> None:
    assert answered_topic(knowledge, description) == topic


def test_colleagues_ranks_are_not_the_subject(knowledge: Knowledge) -> None:
    """'DC wants to charge...': the rank of the colleague is not what the question is about."""
    read = knowledge.engine.features("DC wants to charge the 15yo for PWITS, how do i argue it")
    assert all("dc" not in alt for c in read.read for alt in c.alternatives)


def test_a_scene_points_to_the_topic_the_search_is_sure_of(knowledge: Knowledge) -> None:
    """The plan is the scene's; what to read next is what the question is about, not always
    the general list of signs."""
    reply = knowledge.responder.respond(
        "16yo girl running for a line, says the olders 'share' her around and it clears her "
        "debt. what is this and what now"
    )
    assert reply.kind == "scene" and reply.topic is not None
    assert reply.topic.id == "child-sexual-exploitation"
    actions = [b.action for row in reply.buttons for b in row]
    assert "check" in actions and "refer" in actions


def test_the_issues_scene_points_to_the_signs_of_child_exploitation(knowledge: Knowledge) -> None:
    """A ranker only fairly sure of another list ('not local': missing episodes, 0.38) does
    not take the scene away from the checklist's own topic."""
    reply = knowledge.responder.respond(SCENE)
    assert reply.kind == "scene" and reply.topic is not None
    assert reply.topic.id == "indicators-child-exploitation"


def test_a_scene_points_to_the_rankers_choice_though_it_scores_lower(
    knowledge: Knowledge,
) -> None:
    """The ranker put CSE first, below stop and search by the words alone; the scene took the
    words' margin for doubt and pointed to the general list of signs."""
    text = (
        "14yo lad working for a line, disclosed the elders film him 'doing stuff' and threaten "
        "to send it round if he stops. what now"
    )
    result = knowledge.engine.search(text)
    assert result.answered and result.hits[0].score < result.hits[1].score
    reply = knowledge.responder.respond(text)
    assert reply.kind == "scene" and reply.topic is not None
    assert reply.topic.id == result.hits[0].topic.id == "child-sexual-exploitation"


def test_the_question_at_the_end_of_a_long_description_weighs_more(knowledge: Knowledge) -> None:
    """After the scene, 'do I still NRM him' is what is asked: the unit on a child who does
    not consent answers, not the topic's summary."""
    reply = knowledge.responder.respond(
        "16yo from Ashcombe arrested holding crack in Brookfield, he says he doesn't want any "
        "referral and his mum says no too. do I still NRM him"
    )
    assert reply.unit is not None and reply.unit.key == "nrm-referral#child-no-consent"


def test_a_sentence_for_something_we_do_not_hold_is_not_our_topics_maximum(
    knowledge: Knowledge,
) -> None:
    """'selling' and '15yo' led the search to trafficking, and the reply gave trafficking's
    life sentence to a question about selling alcohol."""
    reply = knowledge.responder.respond("what's the penalty for selling alcohol to a 15yo")
    assert reply.kind == "not-held" and "life" not in reply.text.casefold()


def test_a_sentencing_question_a_unit_answers_closely_gets_the_unit(knowledge: Knowledge) -> None:
    reply = knowledge.responder.respond("adult dealer using a 14 year old courier sentencing")
    assert reply.unit is not None and reply.unit.key == "misuse-of-drugs-act#child-courier"


def test_an_unsure_reply_about_a_child_offers_check_and_refer(knowledge: Knowledge) -> None:
    """A child in the message is never 'outside what I cover', even when no topic fits."""
    reply = knowledge.responder.respond(
        "15yo sleeping on the kitchen floor at a mates, mum abroad"
    )
    actions = [b.action for row in reply.buttons for b in row]
    assert reply.kind == "not-sure" and reply.record_gap
    assert "outside what I cover" not in reply.text and "I cover County Lines" not in reply.text
    assert "check" in actions and "refer" in actions


def test_criteria_of_a_procedure_are_not_an_offences_points_to_prove(
    knowledge: Knowledge,
) -> None:
    """'cuckooed' names the cuckooing offence, but the s42 criteria are the adult safeguarding
    referral's: the offence's points to prove answered it."""
    reply = knowledge.responder.respond(
        "raised a safeguarding concern for a cuckooed woman, ASC reckon she might not meet "
        "the s42 criteria. what now"
    )
    assert reply.kind == "answer" and reply.topic is not None
    assert reply.topic.id == "adult-safeguarding-referral"


def test_words_entries_use_only_in_passing_weigh_less_in_a_long_description(
    knowledge: Knowledge,
) -> None:
    """'promise', 'named', 'nickname' are in some body or other; the question is how to put
    a neighbour's information in, which was refused as outside the scope."""
    reply = knowledge.responder.respond(
        "neighbour gave me names, a reg and the line's nickname but made me promise she won't "
        "be named. how do i put it in"
    )
    assert reply.answered and reply.topic is not None
    assert reply.topic.id == "intelligence-reporting"


@pytest.mark.parametrize(
    "text",
    [
        "zxq 14yo qwv plorp 2 phones blarg what do i do",
        "15yo xylophone marmalade trampoline accordion kazoo tuba cash what now",
    ],
)
def test_a_scene_no_topic_matches_at_all_is_answered_not_crashed(
    knowledge: Knowledge, text: str
) -> None:
    """A child with signs and nothing else the search knows: the scene read the runner-up's
    score from an empty list of hits and raised IndexError."""
    reply = knowledge.responder.respond(text)
    assert reply.kind == "scene" and reply.text
