"""The wording classifier: the same model as scikit-learn's, and what it mends in the search."""

from __future__ import annotations

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_union

from bot.core.answers.classifier import TopicClassifier
from bot.core.answers.evaluation import read_queries
from bot.core.answers.search import classifier_texts
from bot.core.answers.text import normalise, rewrite, words
from bot.core.services import Knowledge
from tests.support import answered_topic
from tests.test_eval import EVAL


def _labelled(knowledge: Knowledge) -> list[tuple[int, str]]:
    return [
        (key, text)
        for key, topic in enumerate(knowledge.engine.topics)
        for text in classifier_texts(topic, knowledge.kb.units.get(topic.id, []))
    ]


def test_probabilities_are_scikit_learns(knowledge: Knowledge) -> None:
    """tf-idf (word 1-2 grams, char 4-grams in words, sublinear, smoothed, l2) and
    multinomial naive Bayes, checked against the library on the eval questions."""
    labelled = _labelled(knowledge)
    texts, labels = [t for _, t in labelled], [k for k, _ in labelled]
    vectors = make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4), sublinear_tf=True, min_df=2),
    )
    theirs = MultinomialNB(alpha=0.1).fit(vectors.fit_transform(texts), labels)
    ours = TopicClassifier(labelled, alpha=0.1)
    classes = [int(c) for c in theirs.classes_]
    for q in read_queries(EVAL)[:200]:
        text = " ".join(words(rewrite(normalise(q.query))))
        expected = theirs.predict_proba(vectors.transform([text]))[0]
        got = ours.probabilities(text, classes)
        assert max(abs(got[c] - p) for c, p in zip(classes, expected, strict=True)) < 1e-9


def test_probabilities_among_candidates_sum_to_one(knowledge: Knowledge) -> None:
    ours = TopicClassifier(_labelled(knowledge))
    got = ours.probabilities("kid w 3 burners at the station", [4, 9, 17])
    assert set(got) == {4, 9, 17} and abs(sum(got.values()) - 1.0) < 1e-12
    assert ours.probabilities("anything", []) == {}


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # Both were answered from a neighbour that shares more of the words (the trafficking
        # offence; information sharing): worded like the right topic's own questions.
        (
            "victim wont give evidence against the line holder, can we still run MSA charges",
            "victimless-prosecutions",
        ),
        ("how do i submit intel after a stop", "intelligence-reporting"),
        # A "did you mean" between two offences.
        (
            "dealers took over someones gaff to deal from, is there a specific charge for that",
            "cuckooing-offence",
        ),
    ],
)
def test_a_question_worded_like_a_topics_questions_is_answered_from_it(
    knowledge: Knowledge, question: str, topic: str
) -> None:
    assert answered_topic(knowledge, question) == topic


def test_the_classifier_does_not_decide_what_is_in_scope(knowledge: Knowledge) -> None:
    """It always has a favourite; counted towards the answer threshold, it answered this
    from the closure orders."""
    assert not knowledge.responder.respond("what time does the canteen close").answered
