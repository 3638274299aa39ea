"""The learnt ranker: its training, its stored form, and the checks that keep it honest."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from bot.core.answers.classifier import TopicClassifier
from bot.core.answers.evaluation import BLIND_SETS, read_queries, training_files
from bot.core.answers.ranker import (
    FEATURES,
    RANKER_FILE,
    RankerModel,
    check_ranker,
    fit_logistic,
)
from bot.core.answers.training import train
from bot.core.services import Knowledge, load_knowledge
from tests.support import KNOWLEDGE


def test_logistic_fit_matches_scikit_learn() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    rng = random.Random(3)
    rows = [[rng.gauss(0, 1), rng.uniform(0, 5), float(rng.random() < 0.3)] for _ in range(400)]
    labels = [int(r[0] + 0.4 * r[1] - r[2] + rng.gauss(0, 1) > 1) for r in rows]
    weights, bias = fit_logistic(rows, labels, c=0.5)
    scaler = StandardScaler().fit(rows)
    theirs = LogisticRegression(C=0.5, tol=1e-10, max_iter=10_000).fit(
        scaler.transform(rows), labels
    )
    for row in rows[:50]:
        ours = bias + sum(w * x for w, x in zip(weights, row, strict=True))
        assert ours == pytest.approx(theirs.decision_function(scaler.transform([row]))[0], 1e-4)


def test_a_stored_example_classifier_gives_the_same_probabilities() -> None:
    texts = [("a", "how long is the reasonable grounds decision"), ("b", "signs of cuckooing")]
    texts += [("", "what time does the canteen close"), ("a", "rg decision time limit")]
    made = TopicClassifier(texts)
    back = TopicClassifier.restore(json.loads(json.dumps(made.state())))
    for query in ("rg decision how long", "cuckooed flat signs", "canteen"):
        ours, stored = made.probabilities(query, "ab"), back.probabilities(query, "ab")
        assert stored == pytest.approx(ours, abs=1e-4)
        assert max(stored, key=stored.__getitem__) == max(ours, key=ours.__getitem__)


def test_the_blind_sets_are_never_learnt_from() -> None:
    names = {p.name for p in training_files(KNOWLEDGE)}
    assert names and not names & set(BLIND_SETS)
    assert {"queries.jsonl", "dev-blind-c.jsonl"} <= names
    assert all((KNOWLEDGE / "eval" / blind).exists() for blind in BLIND_SETS)


def test_the_stored_ranker_is_current_and_in_use(knowledge: Knowledge) -> None:
    """Editing an example set without `kb train` fails here (and in `kb check`)."""
    assert check_ranker(KNOWLEDGE, knowledge.kb) == []
    assert knowledge.engine.model is not None
    assert len(knowledge.engine.model.weights) == len(FEATURES)
    # Learnt from these very texts, so stored, not learnt again at start-up.
    assert knowledge.engine.wording is knowledge.engine.model.wording


def _copy(tmp_path: Path, keep: tuple[str, ...]) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root, ignore=shutil.ignore_patterns("*.jsonl"))
    (root / "eval").mkdir(exist_ok=True)
    for name in keep:
        shutil.copy(KNOWLEDGE / "eval" / name, root / "eval" / name)
    return root


def test_changed_examples_or_features_are_reported(tmp_path: Path, knowledge: Knowledge) -> None:
    root = _copy(tmp_path, ())
    assert "run `run_bot.py kb train`" in check_ranker(root, knowledge.kb)[0].message
    data = json.loads((KNOWLEDGE / RANKER_FILE).read_text())
    data["weights"]["a feature no longer computed"] = 1.0
    (root / RANKER_FILE).write_text(json.dumps(data))
    assert "other features" in check_ranker(root, knowledge.kb)[0].message
    assert RankerModel.read(root / RANKER_FILE) is None  # the hand-weighted decision, then
    (root / RANKER_FILE).unlink()
    assert check_ranker(root, knowledge.kb)[0].level == "warning"
    assert load_knowledge(root).engine.model is None


def test_edited_topics_are_learnt_afresh_at_start_up(tmp_path: Path) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    topic = root / "topics" / "adult-safeguarding-referral.md"
    topic.write_text(topic.read_text().replace("\ntitle: ", "\ntitle: Renamed ", 1))
    edited = load_knowledge(root)
    assert edited.engine.model is not None
    assert edited.engine.wording is not edited.engine.model.wording
    assert [p.message for p in check_ranker(root, edited.kb)] == [
        "topics or units changed since training (slower start-up): run `kb train`"
    ]


def test_training_learns_to_rank_and_survives_storing(tmp_path: Path) -> None:
    root = _copy(tmp_path, ("dev-blind-c.jsonl", "dev-scope.jsonl"))
    knowledge = load_knowledge(root)
    done = train(knowledge.engine, root)
    assert done.questions == sum(len(read_queries(p)) for p in training_files(root))
    assert 0 < done.positives < done.rows
    (root / RANKER_FILE).write_text(done.model.to_json())
    assert check_ranker(root, knowledge.kb) == []
    stored = RankerModel.read(root / RANKER_FILE)
    assert stored is not None
    engine = knowledge.engine
    right = hand = 0
    scenes = [q for q in read_queries(root / "eval" / "dev-blind-c.jsonl") if q.expected]
    for q in scenes:
        rows = engine.candidate_features(q.query, stored.examples)
        fresh = engine.candidate_features(q.query, done.model.examples)
        chances = [stored.chance(r) for _, r in rows]
        assert chances == pytest.approx([done.model.chance(r) for _, r in fresh], abs=1e-3)
        if rows:
            best = max(range(len(rows)), key=lambda i: (chances[i], -i))
            right += rows[best][0] in q.accepted
            hand += rows[0][0] in q.accepted  # the hand-weighted score's first
    # Learnt from these very questions: it must rank most of them right, and more than the
    # hand-weighted score it reorders.
    assert right / len(scenes) >= 0.85 and right > hand
