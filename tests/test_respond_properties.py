"""Property-based: any mix of scene words, knowledge-base words and nonsense gets a first reply
that fits, and nothing raises (an empty list of hits once crashed the scene)."""

from __future__ import annotations

import pytest

pytest.importorskip("hypothesis", reason="pip install -e '.[test]' (make test does)")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.answers.reply import MAX_REPLY
from bot.core.services import Knowledge

WORDS = [
    # people and signs a scene is read from
    "14yo", "15 year old", "kid", "girl", "lad", "vulnerable", "elderly", "2 phones", "cash",
    "£400", "wraps", "missing", "trap house", "cuckooed", "injuries", "scared", "train",
    # what officers ask
    "what do i do", "what now", "can i", "who can", "how long", "max sentence for", "signs of",
    "number for", "s45", "s46", "nrm", "closure order", "criminal behaviour order", "operation",
    # the rest of a message, and nothing the knowledge base knows
    "the", "and", "at", ".", "?", ",", "zxq", "plorp", "kerfuffle", "2am", "10:40", "", "s",
]  # fmt: skip


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(WORDS),
            st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9),
        ),
        max_size=30,
    )
)
def test_any_message_gets_a_first_reply_that_fits(knowledge: Knowledge, parts: list[str]) -> None:
    reply = knowledge.responder.respond(" ".join(parts))
    assert reply.text and len(reply.text) <= MAX_REPLY
