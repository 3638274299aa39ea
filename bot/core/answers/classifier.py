"""Which topic a question's wording is most like, learnt from the knowledge base's own words.

A multinomial naive Bayes over tf-idf features (word unigrams and bigrams, and character
4-grams inside words, which survive typos and slang spellings), trained at start-up on each
topic's title, aliases, keywords, checklist labels, summary and its units' phrasings. The
lexical score asks "how much of the question does this topic contain"; this asks "which
topic do questions worded like this belong to", and the two err on different questions.

The same model as scikit-learn's `TfidfVectorizer` (sublinear tf, smoothed idf, l2 norm) and
`MultinomialNB`; `tests/test_classifier.py` checks it against them. Written here rather than
imported because importing scikit-learn costs more than a second and 90 MB, over the bot's
whole start-up and memory budget, for a model that is a few dozen lines.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

L = TypeVar("L", int, str)  # a class label: a topic's key or id

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default: words of two characters or more
CHAR_N = 4
MIN_DF_CHARS = 2  # a character n-gram in one text only is noise


def word_features(text: str) -> list[str]:
    """Word unigrams and bigrams of already-normalised text (keys apart from character ones)."""
    tokens = _TOKEN.findall(text)
    return [f"w {t}" for t in tokens] + [f"w {a} {b}" for a, b in itertools.pairwise(tokens)]


def char_features(text: str) -> list[str]:
    """Character 4-grams within each word, padded with a space at both ends."""
    grams = []
    for word in text.split():
        padded = f" {word} "
        if len(padded) < CHAR_N:
            grams.append(f"c{padded}")  # a short word counts once, whole
            continue
        grams += [f"c{padded[i : i + CHAR_N]}" for i in range(len(padded) - CHAR_N + 1)]
    return grams


class _Tfidf:
    """Sublinear tf times smoothed idf, l2-normalised: one part of the feature vector."""

    def __init__(self, docs: Sequence[list[str]], min_df: int = 1) -> None:
        df: Counter[str] = Counter()
        for grams in docs:
            df.update(set(grams))
        n = len(docs)
        self.idf = {
            g: math.log((1 + n) / (1 + d)) + 1.0 for g, d in sorted(df.items()) if d >= min_df
        }

    @classmethod
    def of(cls, idf: dict[str, float]) -> _Tfidf:
        made = cls.__new__(cls)
        made.idf = idf
        return made

    def vector(self, grams: list[str]) -> dict[str, float]:
        counts = Counter(g for g in grams if g in self.idf)
        weights = {g: (1.0 + math.log(c)) * self.idf[g] for g, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {g: w / norm for g, w in weights.items()} if norm else {}


class TopicClassifier(Generic[L]):
    """Multinomial naive Bayes over both tf-idf parts; classes are topic keys or ids."""

    def __init__(self, texts: Iterable[tuple[L, str]], alpha: float = 0.1) -> None:
        labelled = list(texts)
        words = [word_features(t) for _, t in labelled]
        chars = [char_features(t) for _, t in labelled]
        self._words = _Tfidf(words)
        self._chars = _Tfidf(chars, MIN_DF_CHARS)
        counts: dict[L, dict[str, float]] = {}
        docs: Counter[L] = Counter()
        for (label, _), w, ch in zip(labelled, words, chars, strict=True):
            docs[label] += 1
            own = counts.setdefault(label, {})
            for g, x in self._features(w, ch).items():
                own[g] = own.get(g, 0.0) + x
        n_features = len(self._words.idf) + len(self._chars.idf)
        total = sum(docs.values())
        log_alpha = math.log(alpha)
        # log P(c) and, for a feature the class never saw, log theta = log(alpha) - log_norm.
        self._prior: dict[L, float] = {c: math.log(d / total) for c, d in docs.items()}
        self._log_norm: dict[L, float] = {
            c: math.log(sum(own.values()) + alpha * n_features) for c, own in counts.items()
        }
        self._log_alpha = log_alpha
        # Per feature, what each class that saw it adds over an unseen one.
        self._seen: dict[str, dict[L, float]] = {}
        for c in sorted(counts):
            for g, x in counts[c].items():
                self._seen.setdefault(g, {})[c] = math.log(x + alpha) - log_alpha

    def state(self, digits: int | None = 5) -> dict[str, Any]:
        """Everything `restore` needs, as JSON data (so string labels only); rounded to
        `digits` unless None, since a stored model is a file under review."""

        def r(v: float) -> float:
            return v if digits is None else round(v, digits)

        return {
            "words": {g: r(v) for g, v in self._words.idf.items()},
            "chars": {g: r(v) for g, v in self._chars.idf.items()},
            "log_alpha": r(self._log_alpha),
            "prior": {c: r(v) for c, v in self._prior.items()},
            "log_norm": {c: r(v) for c, v in self._log_norm.items()},
            "seen": {g: {c: r(v) for c, v in by.items()} for g, by in self._seen.items()},
        }

    @classmethod
    def restore(cls, state: dict[str, Any]) -> TopicClassifier[str]:
        """The classifier `state` describes."""
        made: TopicClassifier[str] = object.__new__(TopicClassifier)
        made._words = _Tfidf.of(state["words"])
        made._chars = _Tfidf.of(state["chars"])
        made._log_alpha = state["log_alpha"]
        made._prior = state["prior"]
        made._log_norm = state["log_norm"]
        made._seen = state["seen"]
        return made

    def _features(self, words: list[str], chars: list[str]) -> dict[str, float]:
        return {**self._words.vector(words), **self._chars.vector(chars)}

    def probabilities(self, text: str, classes: Iterable[L]) -> dict[L, float]:
        """P(class | text) among `classes` (the search's candidates), summing to 1."""
        wanted = [c for c in dict.fromkeys(classes) if c in self._prior]
        if not wanted:
            return {}
        x = self._features(word_features(text), char_features(text))
        mass = sum(x.values())
        joint = {c: self._prior[c] + mass * (self._log_alpha - self._log_norm[c]) for c in wanted}
        for g, value in x.items():
            seen = self._seen.get(g)
            if not seen:
                continue
            # Whichever is shorter is walked: most features are seen in a few classes only.
            # Each class's sum still adds the features in the same order.
            if len(seen) < len(joint):
                for c, extra in seen.items():
                    if c in joint:
                        joint[c] += value * extra
            else:
                for c in wanted:
                    found = seen.get(c)
                    if found is not None:
                        joint[c] += value * found
        top = max(joint.values())
        exp = {c: math.exp(v - top) for c, v in joint.items()}
        total = sum(exp.values())
        return {c: v / total for c, v in exp.items()}
