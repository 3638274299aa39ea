"""The learnt last step of search: which of the leading topics answers, and whether any does.

The hand-weighted score (`search.py`) finds the candidates; this model, trained on the
labelled development questions in `knowledge/eval/` (never on the two blind sets), reads
each leading candidate's evidence side by side (coverage, title, wording, its best unit, how
like officers' own questions about it the question is) and gives the chance that it is the
topic asked about. The first is the answer when that chance clears `answer_at`.

The model is data, stored in `knowledge/ranker.json` and made by `run_bot.py kb train`: a
logistic regression over `FEATURES` and a naive Bayes over the example questions'
wording. `kb check` says when the examples have changed since it was made.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bot.core.answers.classifier import TopicClassifier
from bot.core.knowledge.problems import Problem

RANKER_FILE = "ranker.json"
NONE = ""  # the example classifier's class for questions outside the scope
CANDIDATES = 4  # how many leading topics the model compares

# Per candidate; `*_lead` is the candidate's value less the best of the other candidates'.
FEATURES = (
    "coverage",
    "title",
    "intent",
    "phrase",
    "wording",
    "pull",
    "score",
    "behind_first",
    "ahead_of_next",
    "first",
    "position",
    "unit",
    "unit_words",
    "unit_of_kind",
    "kind_asked",
    "quoted",
    "length",
    "long",
    "long_coverage",
    "long_wording",
    "lexical",
    "words_score",
    "example",
    "example_none",
    "coverage_lead",
    "title_lead",
    "wording_lead",
    "unit_lead",
    "unit_words_lead",
    "example_lead",
)
LEADS = ("coverage", "title", "wording", "unit", "unit_words", "example")


def with_leads(rows: list[list[float]]) -> list[list[float]]:
    """Each row extended by its `LEADS` over the other rows' best (0.0 when alone)."""
    at = [FEATURES.index(name) for name in LEADS]
    out = []
    for i, row in enumerate(rows):
        extra = []
        for j in at:
            others = [r[j] for n, r in enumerate(rows) if n != i]
            extra.append(row[j] - max(others, default=0.0))
        out.append([*row, *extra])
    return out


def fingerprint(files: Iterable[Path]) -> str:
    """What the model was trained on, in one hash: the example files' names and contents."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def texts_digest(texts: Iterable[tuple[str, str]]) -> str:
    """Which (label, text) pairs, in order, a classifier was learnt from."""
    digest = hashlib.sha256()
    for label, text in texts:
        digest.update(f"{label}\t{text}\n".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class RankerModel:
    weights: tuple[float, ...]
    bias: float
    answer_at: float
    examples: TopicClassifier[str]  # topic ids, and NONE
    trained_on: str  # `fingerprint` of the example files
    # The search's wording classifier, stored because learning it is most of start-up; used
    # only while the knowledge base's texts are those it was learnt from (`wording_on`).
    wording: TopicClassifier[str] | None = None
    wording_on: str = ""

    def chance(self, row: Sequence[float]) -> float:
        """The chance that the candidate with these features is the topic asked about."""
        z = self.bias + math.fsum(w * x for w, x in zip(self.weights, row, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 60.0), -60.0)))

    def to_json(self) -> str:
        data = {
            "note": "made by `run_bot.py kb train`; not edited by hand",
            "trained_on": self.trained_on,
            "answer_at": self.answer_at,
            "bias": round(self.bias, 6),
            "weights": {f: round(w, 6) for f, w in zip(FEATURES, self.weights, strict=True)},
            "examples": self.examples.state(),
            "wording_on": self.wording_on,
            # Unrounded: the search must read the same probabilities as from a fresh one.
            "wording": self.wording.state(digits=None) if self.wording else None,
        }
        return json.dumps(data, indent=0, sort_keys=True) + "\n"

    @classmethod
    def read(cls, path: Path) -> RankerModel | None:
        """The stored model, or None when there is none or it was made for other features
        (`kb check` says which)."""
        try:
            data = orjson.loads(path.read_bytes())  # a quarter of json's time, same floats
        except FileNotFoundError:
            return None
        weights = data["weights"]
        if set(weights) != set(FEATURES):
            return None
        return cls(
            tuple(weights[f] for f in FEATURES),
            data["bias"],
            data["answer_at"],
            TopicClassifier.restore(data["examples"]),
            data["trained_on"],
            TopicClassifier.restore(data["wording"]) if data.get("wording") else None,
            data.get("wording_on", ""),
        )


def fit_logistic(
    rows: Sequence[Sequence[float]], labels: Sequence[int], c: float = 1.0, steps: int = 50
) -> tuple[list[float], float]:
    """L2-regularised logistic regression (as scikit-learn's default `LogisticRegression`,
    `C=c`, on standardised features), by Newton's method; weights on the raw features.

    numpy is imported here only: the bot never trains at run time.
    """
    import numpy as np

    x = np.asarray(rows, dtype=float)
    y = np.asarray(labels, dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], 1.0 / c)
    penalty[-1] = 0.0  # the intercept is not shrunk
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        gradient = z.T @ (p - y) + penalty * w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    weights = w[:-1] / scale
    bias = float(w[-1] - np.sum(w[:-1] * mean / scale))
    return [float(v) for v in weights], bias


def check_ranker(root: Path, kb: Any) -> list[Problem]:
    """`kb check` validator: the stored model exists, fits these features and was trained on
    the examples there are now."""
    from bot.core.answers.evaluation import training_files
    from bot.core.answers.search import wording_texts

    path = root / RANKER_FILE
    if not path.exists():
        return [Problem(path, 1, "no ranker: run `run_bot.py kb train`", "warning")]
    try:
        data = orjson.loads(path.read_bytes())
        features = set(data["weights"])
        trained_on = data["trained_on"]
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        return [Problem(path, 1, f"unreadable ranker ({exc}): run `run_bot.py kb train`")]
    if features != set(FEATURES):
        return [Problem(path, 1, "the ranker has other features: run `run_bot.py kb train`")]
    if trained_on != fingerprint(training_files(root)):
        return [Problem(path, 1, "the examples changed since training: run `run_bot.py kb train`")]
    if data.get("wording_on") != texts_digest(wording_texts(kb.topics.values(), kb.units)):
        # Still right, only slow: the search learns its wording classifier afresh at start-up.
        message = "topics or units changed since training (slower start-up): run `kb train`"
        return [Problem(path, 1, message, "warning")]
    return []
