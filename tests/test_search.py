"""The search engine on the real knowledge base: right answers, honest refusals, no crashes."""

from __future__ import annotations

import re

import pytest

from bot.core.answers.search import SearchEngine, Verdict
from bot.core.services import Knowledge
from tests.support import KNOWLEDGE, answered_topic

HOSTILE = [
    "",
    "   ",
    '"',
    'what is "cuckooing',
    "drugs AND",
    "NEAR(x y",
    "victim -slavery",
    "s45:defence",
    "OR",
    "AND OR NOT NEAR",
    "*",
    "cuckoo*",
    "((((nrm",
    ")))",
    "^title:nrm",
    "🙂🙂🙂",
    "\x00\x01\x02 nrm \x7f",
    "\u200b\u200e\ufeff",
    "<b>nrm</b> & <script>alert(1)</script>",
    "'; DROP TABLE topicindex; --",
    "x" * 4096,
    ("cuckooing " * 500)[:4096],
    "ñçüé ÅÆØ Ωμέγα кириллица 中文",
    "1234567890",
    "s" * 3,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_any_input_gives_a_result(knowledge: Knowledge, text: str) -> None:
    result = knowledge.engine.search(text)
    assert result.verdict in set(Verdict)
    assert len(result.hits) <= 3
    assert all(0.0 <= h.score <= 1.0 for h in result.hits)


def test_index_still_answers_after_hostile_input(knowledge: Knowledge) -> None:
    for text in HOSTILE:
        knowledge.engine.search(text)
    assert knowledge.engine.search("signs of cuckooing").answered


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sectoin 45 defense for a kid runner", "msa-s45-defence"),
        # two of the three examples of the developers' guide (the third, a scene, is answered
        # with the plan: tests/test_first_reply.py)
        ("s45 defence", "msa-s45-defence"),
        ("signs of cuckooing", "indicators-cuckooing"),
        ("how do i make an nrm referal", "nrm-referral"),
        ("DDTRO", "ddtro"),
        ("s46 police protection", "police-protection-s46"),
        ("cash seizure 48 hours", "proceeds-of-crime"),
    ],
)
def test_officer_phrasings_find_the_topic(knowledge: Knowledge, query: str, expected: str) -> None:
    result = knowledge.engine.search(query)
    assert result.answered, (query, [(h.topic.id, h.score) for h in result.hits])
    assert result.hits[0].topic.id == expected


@pytest.mark.parametrize(
    "query", ["weather tomorrow in leeds", "how do I renew my passport", "best pizza near me"]
)
def test_out_of_scope_is_refused(knowledge: Knowledge, query: str) -> None:
    result = knowledge.engine.search(query)
    assert not result.answered
    assert result.verdict in (Verdict.NOT_SURE, Verdict.DID_YOU_MEAN)


def test_typos_are_corrected_against_the_vocabulary(knowledge: Knowledge) -> None:
    result = knowledge.engine.search("cukooing")
    assert result.corrections == {"cukooing": "cuckooing"}
    assert result.hits and result.hits[0].topic.id in {"cuckooing", "indicators-cuckooing"}


@pytest.mark.parametrize("word", ["picking", "football", "inspected", "breath"])
def test_real_words_are_never_corrected_into_other_words(knowledge: Knowledge, word: str) -> None:
    """'picking' is not a typo of 'packing', nor 'football' of 'footfall'."""
    assert word not in knowledge.engine.search(f"kid {word} up gear").corrections


def test_counts_and_place_names_are_not_subjects(knowledge: Knowledge) -> None:
    """'3 phones' is about phones, not the number 3; a city matters only as where one is from."""
    with_count = knowledge.engine.search("runner with 3 phones")
    without = knowledge.engine.search("runner with phones")
    assert [h.topic.id for h in with_count.hits] == [h.topic.id for h in without.hits]
    assert knowledge.engine.search("weather in leeds").verdict is Verdict.NOT_SURE


def test_short_words_are_never_fuzzed(knowledge: Knowledge) -> None:
    assert knowledge.engine.search("nmr").corrections == {}


def test_empty_engine_is_safe() -> None:
    engine = SearchEngine([], {})
    result = engine.search("anything at all")
    assert result.verdict is Verdict.NOT_SURE and result.hits == []


@pytest.mark.parametrize("query", ["referral child", "referral for a 15 year old"])
def test_strong_matches_are_not_tied_at_the_cap(knowledge: Knowledge, query: str) -> None:
    """Scores used to be capped at 1.0 before ranking, so three referral topics tied and the
    alphabetically first, adult safeguarding, answered a question about a child."""
    result = knowledge.engine.search(query)
    scores = [h.score for h in result.hits]
    assert result.hits[0].topic.id != "adult-safeguarding-referral", scores
    if result.answered:
        assert result.hits[0].topic.id == "children-social-care-referral"


def test_the_whole_body_is_indexed(knowledge: Knowledge) -> None:
    """Curated text used to be cut at 1,200 characters like a pasted question, so words late
    in a long entry ("jook" in the slang glossary) could never be found."""
    result = knowledge.engine.search("jook")
    assert result.hits and result.hits[0].topic.id == "slang-glossary"
    topic = knowledge.kb.topics["slang-glossary"]
    assert len(topic.body) > 1200 and topic.body.find("jook") > 1200


def test_a_unit_of_the_kind_asked_is_not_outpulled_by_one_of_another_kind(
    knowledge: Knowledge,
) -> None:
    """'whats a runner' asks for a definition: the runner definition answers, not the unit on
    the ages of exploited children that shares more of the words. Its kind nudge, capped
    with its words at 1.0, used to count against it when units pulled topics."""
    result = knowledge.engine.search("whats a runner in county lines")
    assert result.unit is not None and result.unit.key == "line-roles#runners"
    pick = knowledge.engine._best_unit(
        knowledge.engine.features("whats a runner in county lines"),
        next(i for i, t in enumerate(knowledge.engine.topics) if t.id == "line-roles"),
        ("definition",),
    )
    assert pick.unit is not None and pick.score == 1.0
    assert pick.words < pick.score  # the nudge is not in `words`


def test_question_words_of_four_words_are_read(knowledge: Knowledge) -> None:
    """'who do i tell' (intents.yaml, safeguarding) was never matched: phrases stopped at 3."""
    tokens = "vulnerable adult being exploited who do i tell".split()
    assert "safeguarding" in knowledge.engine._intent(tokens)


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        (
            "16yo caught w 20 wraps says hes being made to do it, can he use s45?",
            "msa-s45-defence",
        ),
        ("we seized his gear, now hes saying theyll come for his mum", "indicators-debt-bondage"),
        ("why's it called cuckooing lol", "cuckooing"),
    ],
)
def test_text_speak_is_not_a_subject(knowledge: Knowledge, question: str, topic: str) -> None:
    """'w', 'lol', "they'll", "why's" were read as words no topic holds, which weigh against
    every topic: the first was a "did you mean" without the s45 defence, the last refused."""
    assert answered_topic(knowledge, question) == topic


def test_the_c_stemmer_in_use_stems_like_snowballs_own(knowledge: Knowledge) -> None:
    """PyStemmer is installed for start-up's sake; every word of the knowledge base and its
    eval sets must stem as the pure-Python Snowball stemmer does."""
    from snowballstemmer.english_stemmer import EnglishStemmer

    from bot.core.answers.text import _stemmer

    assert type(_stemmer).__module__ == "Stemmer"  # the C one
    vocabulary = set()
    for path in [
        *KNOWLEDGE.rglob("*.md"),
        *KNOWLEDGE.rglob("*.yaml"),
        *KNOWLEDGE.rglob("*.jsonl"),
    ]:
        vocabulary |= set(re.findall(r"\w+", path.read_text(encoding="utf-8").casefold()))
    python = EnglishStemmer()
    assert len(vocabulary) > 5000
    assert [w for w in sorted(vocabulary) if _stemmer.stemWord(w) != python.stemWord(w)] == []
