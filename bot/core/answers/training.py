"""`kb train`: the ranker (`ranker.py`) learnt from the labelled development questions.

The example classifier's probability is one of the ranker's features, so the ranker must
learn from probabilities like those it will meet: each question's comes from a classifier
trained on the other folds (cross-fitting), never on the question itself. The stored
classifier is then trained on every example.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.core.answers.classifier import TopicClassifier
from bot.core.answers.evaluation import read_queries, training_files
from bot.core.answers.ranker import NONE, RankerModel, fingerprint, fit_logistic
from bot.core.answers.search import SearchEngine

FOLDS = 5
ANSWER_AT = 0.3  # chosen on the development sets: below it, "did you mean"
REGULARISATION = 1.0  # scikit-learn's C


@dataclass(frozen=True)
class Training:
    model: RankerModel
    questions: int
    rows: int
    positives: int


def _fold(query: str) -> int:
    """A question's fold, the same in every process (not Python's salted `hash`)."""
    return int(hashlib.sha1(query.encode()).hexdigest(), 16) % FOLDS


def _examples(read: list[tuple[str, str, int]], skip: int | None = None) -> TopicClassifier[str]:
    """The example classifier on every question, or on those outside fold `skip`."""
    return TopicClassifier((label, text) for label, text, fold in read if fold != skip)


def train(
    engine: SearchEngine, root: Path, chatter: Callable[[str], bool] = lambda _: False
) -> Training:
    """A model for `engine` from the sets `training_files(root)` names; `chatter` tells the
    greetings and thanks the responder answers before searching (not ranked, so not learnt)."""
    files = training_files(root)
    queries = [q for path in files for q in read_queries(path)]
    # Each question as the search reads it, once: six classifiers learn from these.
    read = [(q.expected or NONE, engine.features(q.query).text, _fold(q.query)) for q in queries]
    folds = [_examples(read, skip) for skip in range(FOLDS)]
    rows: list[list[float]] = []
    labels: list[int] = []
    for q in queries:
        if chatter(q.query):
            continue
        for topic_id, row in engine.candidate_features(q.query, folds[_fold(q.query)]):
            rows.append(row)
            labels.append(int(topic_id in q.accepted))
    weights, bias = fit_logistic(rows, labels, REGULARISATION)
    model = RankerModel(
        tuple(weights),
        bias,
        ANSWER_AT,
        _examples(read),
        fingerprint(files),
        engine.wording,
        engine.wording_on,
    )
    return Training(model, len(queries), len(rows), sum(labels))
