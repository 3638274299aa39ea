"""Names the knowledge base never uses: a question about them is outside the scope."""

from __future__ import annotations

import pytest

from bot.core.answers.names import Names
from bot.core.answers.search import _analyse
from bot.core.services import Knowledge

TEXTS = [
    "A closure notice lasts 24 hours; a closure order up to 3 months.",
    "Slavery and trafficking prevention orders (Modern Slavery Act 2015).",
    "Operation Jetway was a Wiltshire Police operation; the follow-up was Operation Samphire.",
    "Criminal exploitation changes behaviour.",
]


@pytest.fixture(scope="module")
def names() -> Names:
    return Names(_analyse(t) for t in TEXTS)


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("how long is a criminal behaviour order", "behaviour order"),
        ("what is operation encompass", "operation encompass"),
        ("youth referral order how long", "referral order"),
    ],
)
def test_a_name_the_texts_never_use_is_found(names: Names, question: str, named: str) -> None:
    assert names.unheld(question) == named


@pytest.mark.parametrize(
    "question",
    [
        "how long does a closure order last",
        "slavery prevention order breach",  # the knowledge base's words, side by side
        "what did op samphire achieve",  # a word the knowledge base knows follows "op"
        "the older lad is giving orders",  # "giving" names nothing
        "can i use a notice",  # nor does "a"
        "modern slavery act section 45",
        # Mistyped, they are still the knowledge base's names: both were refused.
        "what rank can authorise a closer notice",
        "when was operation jet way",
    ],
)
def test_names_the_texts_use_are_not(names: Names, question: str) -> None:
    assert names.unheld(question) is None


@pytest.mark.parametrize(
    "question",
    [
        "how long is a criminal behaviour order",
        "what is operation encompass",
        "what does a community behaviour order do",
        "how do i get a production order for bank records",
    ],
)
def test_a_question_about_an_unheld_name_is_refused(knowledge: Knowledge, question: str) -> None:
    """Every word is one the knowledge base uses, so the search found a topic sharing them
    (the closure order's length answered the criminal behaviour order)."""
    reply = knowledge.responder.respond(question)
    assert reply.kind == "out-of-scope" and not reply.answered
