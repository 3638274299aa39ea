"""Hybrid search over the knowledge base: FTS5 bm25 + rapidfuzz + synonyms, one calibrated score.

The pipeline for a query:
1. normalise and tokenise (`bot.core.answers.text`), correct typos against the knowledge base's own
   vocabulary (Damerau-Levenshtein, only for words of five letters or more);
2. fold section numbers and ages, expand curated synonyms into "concepts" (a concept is matched
   when any of its alternatives is);
3. candidates: FTS5 bm25 over weighted columns with a quoted-OR query (nothing a user types can
   break it);
4. score each candidate by how much of the query it explains (IDF-weighted concept coverage,
   weighted by the field that matched), blended with title/alias similarity (rapidfuzz), a
   nudge for the kind of answer the question words ask for, verbatim alias phrases, and how
   like the topic's own questions its wording is (`classifier.py`); answer only when the words
   alone clear a threshold and the whole score has a margin over the runner-up;
5. a long description (a scene told in full) is read a little differently: words no topic
   holds weigh less, its closing question more, and a wide lead is enough to answer;
6. with a stored model (`ranker.py`) and three words or more, a learnt ranker reads the five
   leading candidates' evidence side by side and decides which answers, and whether any does;
7. the answering topic's best unit for the question (its kind, or a figure for "how many"),
   and the runner-up when the two are about equally good.
"""

from __future__ import annotations

import bisect
import logging
import math
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from peewee import OperationalError, SqliteDatabase
from playhouse.sqlite_ext import FTS5Model, SearchField
from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import DamerauLevenshtein

from bot.core.answers.classifier import TopicClassifier
from bot.core.answers.english import english_words
from bot.core.answers.kinds import asks_for_figure, holds_figure, question_kinds
from bot.core.answers.names import Names
from bot.core.answers.ranker import CANDIDATES, NONE, RankerModel, texts_digest, with_leads
from bot.core.answers.text import STOPWORDS, normalise, question_head, rewrite, stem, words
from bot.core.knowledge.topics import Topic
from bot.core.knowledge.units import Unit

log = logging.getLogger(__name__)

_SENTINEL = "\x00match\x00"
MAX_CONCEPTS = 40  # a pasted paragraph is judged on its first forty content words
MAX_PHRASE = 8
# The break before a message's last sentence ("...two phones. what now")...
_LAST_SENTENCE = re.compile(r"(?<=[.?!])\s+(?=[^.?!]+[.?!]?\s*$)")
# ...which counts as the question when it asks something ("can i take him?"), not when it
# tells more of the scene.
_ASKS = re.compile(
    r"(?:.*\?$|(?:can|could|do|does|did|is|are|am|what|whats|how|who|whos|which|where|when|"
    r"why|should|shall|will|would|any|anything|worth|explain|options)\b)"
)
FIELDS = ("name", "keywords", "asks", "summary", "body")
# `asks`: the phrasings of the topic's answer units, how officers ask for its facts.
FIELD_WEIGHT = {"name": 1.0, "keywords": 0.9, "asks": 0.8, "summary": 0.8, "body": 0.45}
BM25_WEIGHTS = (0.0, 10.0, 5.0, 5.0, 3.0, 1.0)  # topic key (unindexed), then FIELDS


class Verdict(StrEnum):
    ANSWER = "answer"
    DID_YOU_MEAN = "did_you_mean"
    NOT_SURE = "not_sure"


@dataclass(frozen=True)
class Tuning:
    """Weights and thresholds, calibrated on `knowledge/eval/queries.jsonl` (see `eval`)."""

    answer_at: float = 0.42
    margin: float = 0.02
    margin_single: float = 0.03  # as before: one word keeps the wider lead it needed
    sure_at: float = 0.7  # a question of several words scoring this high needs no margin
    suggest_at: float = 0.3
    long_concepts: int = 9  # a description this long...
    long_margin: float = 0.1  # ...is answered with this lead over the runner-up
    long_unknown: float = 0.5  # ...and words no topic holds, or only in its body, this much
    long_asked: float = 1.5  # ...and those of its last sentence, what is asked, this much more
    suggest_floor: float = 0.2  # weaker "nearest topics" than this are noise, not help
    coverage_weight: float = 0.7
    fuzzy_weight: float = 0.3
    synonym_factor: float = 0.85  # a match through a synonym counts a little less than literal
    candidates: int = 30
    fuzzy_candidates: int = 12
    intent_boost: float = 0.2
    fuzzy_gate: float = 0.3
    phrase_boost: float = 0.1
    body_length_norm: float = 0.75
    unit_at: float = 0.35  # a unit this good is the answer; below it, the topic's summary
    unit_sure: float = 0.8  # a unit this good answers even when the topic alone would not
    unit_kind_boost: float = 0.15
    unit_close: float = 0.15  # a runner-up unit this close is offered beside the answer
    unit_figure_boost: float = 0.15  # "how many", "when did": a unit that states a figure
    unit_answer_weight: float = 0.6  # a word found only in a unit's answer counts this much
    unit_shared_floor: float = 0.5
    pull_candidates: int = 6
    pull_min_concepts: int = 3
    pull_window: float = 0.3
    pull_at: float = 0.75
    pull_weight: float = 2.0  # what a word all of a topic's units share counts between them
    pull_off_kind: float = 0.5  # a unit of another kind than the one asked pulls this much
    classifier_weight: float = 0.25  # what the wording classifier's probability adds
    classifier_alpha: float = 0.1  # its smoothing
    classifier_min_concepts: int = 3
    ranker_min_concepts: int = 3  # questions this long are the ranker's to decide
    ranker_sure: float = 0.7  # the ranker's chance that answers though the words cover little


# coverage, title similarity, intent, phrase, the wording classifier's probability
Features = tuple[float, float, float, float, float]


@dataclass(frozen=True)
class Analysis:
    features: dict[int, Features]
    corrections: dict[str, str]
    concepts: int  # how many distinct things the query asks about
    read: tuple[_Concept, ...] = ()
    folded: str = ""  # the query's content words, processed for rapidfuzz
    quoted: frozenset[int] = frozenset()  # topics one of whose own names the query holds
    text: str = ""  # the query's words as read (corrected, rewritten), for the classifiers


# Token-set similarity (word overlap) tempered by token-sort (same words, about the same
# length), so "cuckooing" prefers the title "Cuckooing" to "Cuckooing offence".
TITLE_SCORERS = (fuzz.token_set_ratio, fuzz.token_sort_ratio)


class UnitPick(NamedTuple):
    unit: Unit | None
    score: float  # 0..1, with the nudge for the kind asked
    words: float  # on its words alone
    runner: Unit | None = None  # the next best unit of the same topic
    gap: float = 1.0  # how far behind it ranks


_Ranked = tuple[float, str, int]  # score, topic id, topic key


@dataclass
class _Prepared:
    analysis: Analysis
    kinds: tuple[str, ...]
    figure: bool
    wanted: list[list[tuple[float, tuple[frozenset[str], ...]]]]
    ranked: list[_Ranked]
    pull: dict[int, float]
    picks: dict[int, UnitPick]  # the best unit of each topic looked at so far
    lexical: float
    query: str = ""


@dataclass(frozen=True)
class Hit:
    topic: Topic
    score: float


@dataclass(frozen=True)
class SearchResult:
    query: str
    verdict: Verdict
    hits: list[Hit] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    unit: Unit | None = None  # the answer unit of the first hit that answers the question
    unit_score: float = 0.0
    kinds: tuple[str, ...] = ()
    quoted: bool = False  # the question quotes one of the first hit's own names
    also: Unit | None = None  # a unit of the same topic that answers it nearly as well
    chance: float | None = None  # the ranker's chance that the first hit is the one asked about

    @property
    def answered(self) -> bool:
        return self.verdict is Verdict.ANSWER

    @property
    def answer(self) -> Hit | None:
        return self.hits[0] if self.answered else None


@dataclass
class _Concept:
    alternatives: list[tuple[str, ...]]  # each a tuple of stems that must all be present
    literal: int = 1  # the first `literal` alternatives are what the user typed
    weight: float = 0.0


@dataclass
class _Doc:
    topic: Topic
    fields: dict[str, frozenset[str]]
    names: list[str]
    units: list[_UnitDoc] = field(default_factory=list)
    # For each stem, the units (bit k for `units[k]`) whose phrasings, or whose answer, hold it.
    ask_bits: dict[str, int] = field(default_factory=dict)
    answer_bits: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for k, doc in enumerate(self.units):
            for s in doc.asks:
                self.ask_bits[s] = self.ask_bits.get(s, 0) | 1 << k
            for s in doc.answer:
                self.answer_bits[s] = self.answer_bits.get(s, 0) | 1 << k


@dataclass
class _UnitDoc:
    unit: Unit
    asks: frozenset[str]  # stems of the phrasings
    answer: frozenset[str]  # stems of the answer
    phrasings: list[str]  # for fuzzy comparison, processed like the query
    figure: bool = False  # its answer states a count, a sum or a date
    ages: frozenset[str] = frozenset()  # "child", "adult": who its phrasings are about, if one


def _index_model(db: SqliteDatabase) -> type[FTS5Model]:
    class TopicIndex(FTS5Model):
        key = SearchField(unindexed=True)
        name = SearchField()
        keywords = SearchField()
        asks = SearchField(unindexed=True)
        summary = SearchField()
        body = SearchField()

        class Meta:
            database = db
            options = {"tokenize": "unicode61 remove_diacritics 2"}  # noqa: RUF012

    return TopicIndex


def _fold(text: str) -> str:
    """Content words as rapidfuzz compares them: the same on the query and the index side."""
    return utils.default_process(
        " ".join(t for t in words(rewrite(normalise(text))) if t not in STOPWORDS)
    )


def classifier_texts(topic: Topic, units: list[Unit]) -> list[str]:
    """What the wording classifier learns a topic from, as it reads a question: how officers
    name it, what they see, what it says first, and how they ask for its facts."""
    said = [
        topic.title,
        *topic.aliases,
        *topic.keywords,
        *(c.label for c in topic.checklist),
        topic.summary,
        *(p for u in units for p in u.ask),
    ]
    return [" ".join(words(rewrite(normalise(t)))) for t in said]


def wording_texts(topics: Iterable[Topic], units: dict[str, list[Unit]]) -> list[tuple[str, str]]:
    """(topic id, text) of every topic in order: what the wording classifier learns from."""
    return [(t.id, text) for t in topics for text in classifier_texts(t, units.get(t.id, []))]


AGES = frozenset({"child", "adult"})  # what `rewrite` folds a written age into
AGE_PENALTY = 0.3  # what a unit about the other age group loses


def _ages(stems: frozenset[str]) -> frozenset[str]:
    """Who a unit's phrasings are about, when only one of a child and an adult."""
    said = stems & AGES
    return said if len(said) == 1 else frozenset()


# Where a message asks a second question: "...? who applies", "..., and how long".
_PARTS = re.compile(
    r"\?+\s*|[,;]\s*(?:and\s+|&\s+)?(?=(?:who|what|whats|how|when|where|which|is|are|can|do|"
    r"does|did|should|will|would)\b)|\s+(?:and|&)\s+(?=(?:who|what|whats|how|when|where|which|"
    r"is|are|can|do|does|did|should|will|would)\b)",
    re.IGNORECASE,
)


# Asking for the whole subject, not one of its facts: the summary answers it.
_OVERVIEW = re.compile(
    r"\b(?:key\s+points|main\s+points|overview|summar(?:y|ise|ize)|in\s+a\s+nutshell|"
    r"plain\s+english|layman|one[\s-]+liner|(?:explain|tell\s+me\s+about|info\s+on|"
    r"brief(?:ing)?\s+on)\b)",
    re.IGNORECASE,
)


def question_parts(text: str) -> list[str]:
    """The separate questions of a message that asks more than one (none when it asks one)."""
    parts = [p.strip() for p in _PARTS.split(question_head(text)) if len(p.split()) >= 2]
    return parts if len(parts) >= 2 else []


def _analyse(text: str) -> list[str]:
    """Stems of the content words of curated text (index side: no typo correction)."""
    return [stem(w) for w in words(rewrite(normalise(text))) if w not in STOPWORDS]


class SearchEngine:
    """An in-memory index built from topics at start-up; `search()` is safe on any input."""

    def __init__(
        self,
        topics: Iterable[Topic],
        synonyms: dict[str, list[str]] | None = None,
        intents: dict[str, list[str]] | None = None,
        tuning: Tuning | None = None,
        units: dict[str, list[Unit]] | None = None,
        model: RankerModel | None = None,
    ) -> None:
        self.tuning = tuning or Tuning()
        self.model = model
        self._lock = threading.Lock()
        self._docs: list[_Doc] = []
        self._df: dict[str, int] = {}
        self._vocab_by_len: dict[int, list[str]] = {}
        self._vocab: set[str] = set()
        self._synonyms: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        self._db = SqliteDatabase(":memory:", thread_safe=False, check_same_thread=False)
        self._index = _index_model(self._db)
        self._index.create_table()
        self._intents = {
            tuple(words(normalise(phrase))): category
            for category, phrases in (intents or {}).items()
            for phrase in phrases
        }
        self._intent_len = max((len(k) for k in self._intents), default=0)
        self._build(list(topics), synonyms or {}, units or {})
        english_words()  # read at start-up, not on the first question with a typo

    # -- building -------------------------------------------------------------------------
    def _build(
        self, topics: list[Topic], synonyms: dict[str, list[str]], units: dict[str, list[Unit]]
    ) -> None:
        rows = []
        surface: dict[str, int] = {}
        spoken: list[list[str]] = []  # every curated text's stems in order, for `Names`
        for key, topic in enumerate(topics):
            name_text = " ".join([topic.title, *topic.aliases, topic.id.replace("-", " ")])
            own = units.get(topic.id, [])
            texts = {
                "name": name_text,
                # An indicator's checklist is how officers describe what they saw.
                "keywords": " ".join([*topic.keywords, *(c.label for c in topic.checklist)]),
                "asks": " ".join(p for u in own for p in u.ask),
                "summary": topic.summary,
                "body": topic.body,
            }
            analysed = {f: _analyse(t) for f, t in texts.items()}  # once: it is most of start-up
            answers = [_analyse(u.answer) for u in own]
            spoken += [*analysed.values(), *answers]
            fields = {f: frozenset(stems) for f, stems in analysed.items()}
            names = [
                utils.default_process(rewrite(normalise(n)))
                for n in (topic.title, topic.id.replace("-", " "), *topic.aliases)
            ]
            unit_docs = [
                _UnitDoc(
                    u,
                    frozenset(s for p in u.ask for s in _analyse(p)),
                    frozenset(answer),
                    [_fold(p) for p in u.ask],
                    holds_figure(u.answer),
                    _ages(frozenset(s for p in u.ask for s in _analyse(p))),
                )
                for u, answer in zip(own, answers, strict=True)
            ]
            self._docs.append(_Doc(topic, fields, names, unit_docs))
            for s in frozenset().union(*fields.values()):
                self._df[s] = self._df.get(s, 0) + 1
            seen = {w for t in texts.values() for w in words(normalise(t))}
            seen |= {w for t in texts.values() for w in words(rewrite(normalise(t)))}
            for w in seen:
                surface[w] = surface.get(w, 0) + 1
            rows.append({"key": key, **{f: " ".join(stems) for f, stems in analysed.items()}})
        # Learning it is most of start-up: the stored model's copy, when learnt from these texts.
        wording = wording_texts(topics, units)
        self.wording_on = texts_digest(wording)
        stored = self.model.wording if self.model else None
        if stored is not None and self.model and self.model.wording_on == self.wording_on:
            self._classifier = stored
        else:
            self._classifier = TopicClassifier(wording, self.tuning.classifier_alpha)
        # The stems of what a topic is about, as against what its body mentions in passing.
        self._asked = frozenset(
            x for d in self._docs for f in FIELDS if f != "body" for x in d.fields[f]
        )
        self._named = Names(spoken)
        for term, expansions in synonyms.items():
            said = tuple(words(rewrite(normalise(term))))
            if not said:
                continue
            alts = [tuple(_analyse(e)) for e in expansions]
            self._synonyms[said] = [a for a in alts if a]
            for w in (*said, *(w for e in expansions for w in words(normalise(e)))):
                surface.setdefault(w, 0)
        with self._db.atomic():
            for start in range(0, len(rows), 500):
                self._index.insert_many(rows[start : start + 500]).execute()
        self._vocab = {w for w in surface if len(w) >= 3 and w.isalpha()}
        by_len: dict[int, list[str]] = {}
        # Most frequent first, then alphabetical: a typo equally close to two words is always
        # corrected to the same one, whatever order the set happens to hold them in.
        for w in sorted(self._vocab, key=lambda w: (-surface[w], w)):
            by_len.setdefault(len(w), []).append(w)
        self._vocab_by_len = by_len
        self._max_syn = max((len(k) for k in self._synonyms), default=1)
        post: dict[str, dict[str, set[int]]] = {f: {} for f in FIELDS}
        for key, doc in enumerate(self._docs):
            for f in FIELDS:
                for s in doc.fields[f]:
                    post[f].setdefault(s, set()).add(key)
        self._post = {f: {s: frozenset(k) for s, k in p.items()} for f, p in post.items()}
        every: dict[str, set[int]] = {}
        for p in post.values():
            for stem_, keys in p.items():
                every.setdefault(stem_, set()).update(keys)
        self._post_any = {s: frozenset(k) for s, k in every.items()}  # in any field
        self._sorted_stems = sorted(self._df)
        phrases: dict[tuple[str, ...], set[int]] = {}
        for key, doc in enumerate(self._docs):
            asks = (p for u in doc.units for p in u.unit.ask)
            for phrase in (*doc.topic.aliases, *doc.topic.keywords, *asks):
                tokens = tuple(words(rewrite(normalise(phrase))))
                if 2 <= len(tokens) <= MAX_PHRASE:
                    phrases.setdefault(tokens, set()).add(key)
        self._phrases = {p: frozenset(k) for p, k in phrases.items()}
        # A topic's own names of two words or more ("s45 defence"): a question quoting one
        # is about that topic, whatever else it mentions.
        quoted: dict[tuple[str, ...], set[int]] = {}
        for key, doc in enumerate(self._docs):
            for alias in doc.topic.aliases:
                tokens = tuple(words(rewrite(normalise(alias))))
                if 2 <= len(tokens) <= MAX_PHRASE:
                    quoted.setdefault(tokens, set()).add(key)
        self._names = {p: frozenset(k) for p, k in quoted.items()}
        self._family = lru_cache(maxsize=65536)(self._family_uncached)
        self._docs_with = lru_cache(maxsize=4096)(self._docs_with_uncached)
        self._correct = lru_cache(maxsize=65536)(self._correct_uncached)
        # A long body mentions many things in passing: its matches count for less.
        sizes = [len(d.fields["body"]) or 1 for d in self._docs]
        mean = sum(sizes) / len(sizes) if sizes else 1.0
        b = self.tuning.body_length_norm
        self._body_norm = [1.0 / (1.0 + b * (n / mean - 1.0)) for n in sizes]
        idx = self._index
        rank = idx.bm25(*BM25_WEIGHTS)
        query = idx.select(idx.key).where(idx.match(_SENTINEL)).order_by(rank)
        self._fts_sql, self._fts_params = query.limit(self.tuning.candidates).sql()

    @property
    def wording(self) -> TopicClassifier[str]:
        """The wording classifier (`kb train` stores it beside the ranker)."""
        return self._classifier

    @property
    def topics(self) -> list[Topic]:
        return [d.topic for d in self._docs]

    # -- query analysis -------------------------------------------------------------------
    def unheld_name(self, text: str) -> str | None:
        """A power, scheme or operation the question names that the knowledge base never
        does ("criminal behaviour order"), as written (`names.py`)."""
        return self._named.unheld(text or "")

    def _correct_uncached(self, token: str) -> str | None:
        """Closest knowledge-base word within 1 edit (2 for long words); short ones left alone."""
        if len(token) < 5 or not token.isalpha() or token in self._vocab or token in STOPWORDS:
            return None
        if token in english_words():  # a real word, just not one the entries use
            return None
        limit = 1 if len(token) <= 7 else 2
        best: tuple[int, str] | None = None
        for length in range(len(token) - limit, len(token) + limit + 1):
            choices = self._vocab_by_len.get(length)
            if not choices:
                continue
            found = process.extractOne(
                token, choices, scorer=DamerauLevenshtein.distance, score_cutoff=limit
            )
            # People seldom mistype the first letter; a "correction" that changes it is a
            # different word ("tipping" is not "mapping").
            if found and (found[0] in STOPWORDS or found[0][0] != token[0]):
                continue
            if found and (best is None or found[1] < best[0]):
                best = (int(found[1]), found[0])
        return best[1] if best else None

    def _intent(self, tokens: list[str]) -> set[str]:
        """Categories whose question words appear in the query."""
        found = set()
        for n in range(1, self._intent_len + 1):
            for i in range(len(tokens) - n + 1):
                category = self._intents.get(tuple(tokens[i : i + n]))
                if category:
                    found.add(category)
        return found

    def _concepts(self, query: str) -> tuple[list[_Concept], dict[str, str], list[str]]:
        head = question_head(query)
        # A scene told in sentences ends with what is asked ("...can i take him under s46"):
        # its last sentence is read apart, so its words can weigh more.
        parts = [p for p in _LAST_SENTENCE.split(head.strip(), maxsplit=1) if p.strip()]
        if len(parts) != 2 or not _ASKS.match(parts[1].strip().casefold()):
            parts = [head]
        corrections: dict[str, str] = {}
        concepts: list[_Concept] = []
        tokens: list[str] = []
        asked = 0  # where the last sentence's concepts start
        for n_part, part in enumerate(parts):
            if n_part:
                asked = len(concepts)
            fixed = []
            for tok in words(normalise(part))[: MAX_CONCEPTS * 3]:
                better = self._correct(tok)
                if better:
                    corrections[tok] = better
                fixed.append(better or tok)
            own = words(rewrite(" ".join(fixed)))
            tokens += own
            self._read(own, concepts)
        n_docs = max(len(self._docs), 1)
        # In a scene told in full, words no topic holds ("kitchen", "sofa") are mostly the
        # scene: they weigh against every topic, but less than in a short question, where an
        # unknown word is usually the subject ("MOT", "taser").
        unknown = self._idf((), n_docs)
        long = len(concepts) >= self.tuning.long_concepts
        if long:
            unknown *= self.tuning.long_unknown
        for i, c in enumerate(concepts):
            # A slang word the synonyms explain weighs what its explanation weighs.
            known = [self._idf(alt, n_docs) for alt in c.alternatives if self._alt_df(alt)]
            c.weight = max(known) if known else unknown
            # In a long description, words the entries use only in passing weigh less too: no
            # title, keyword, phrasing or summary holds "morning" or "nodded", only bodies.
            if long and known and not any(self._asked.issuperset(a) for a in c.alternatives):
                c.weight *= self.tuning.long_unknown
            if long and asked and i >= asked:
                c.weight *= self.tuning.long_asked
        return concepts, corrections, tokens

    def _read(self, tokens: list[str], concepts: list[_Concept]) -> None:
        """Append the concepts of `tokens`: synonyms' phrases first, then content words."""
        i = 0
        while i < len(tokens) and len(concepts) < MAX_CONCEPTS:
            for n in range(min(self._max_syn, len(tokens) - i), 0, -1):
                key = tuple(tokens[i : i + n])
                if key in self._synonyms:
                    own = tuple(stem(w) for w in key if w not in STOPWORDS)
                    alts = ([own] if own else []) + self._synonyms[key]
                    concepts.append(_Concept(alts, literal=1 if own else 0))
                    i += n
                    break
            else:
                tok = tokens[i]
                i += 1
                # A number of one or two digits in a question is a count or an age ("3
                # phones"), not a subject; longer ones (999, 101, 1971) can be.
                if tok in STOPWORDS or (tok.isdigit() and (len(tok) <= 2 or tok not in self._df)):
                    continue
                concepts.append(_Concept([(stem(tok),)]))

    def _alt_df(self, alt: tuple[str, ...]) -> int:
        """Topics containing every stem of `alt` (each with its family) in any field."""
        if not alt:
            return 0
        docs = set(self._docs_with(alt[0]))
        for s in alt[1:]:
            docs &= self._docs_with(s)
        return len(docs)

    def _idf(self, alt: tuple[str, ...], n_docs: int) -> float:
        df = self._alt_df(alt)
        return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))

    def _family_uncached(self, s: str) -> tuple[str, ...]:
        """The stem and the indexed stems sharing a 5+ letter prefix with it.

        The stemmer leaves `threat`/`threaten` and `exploit`/`exploitation` apart; an officer
        means the same thing by either.
        """
        family = {s} if s in self._df else set()
        if len(s) >= 5:
            start = bisect.bisect_left(self._sorted_stems, s)
            for t in self._sorted_stems[start:]:
                if not t.startswith(s):
                    break
                family.add(t)
            family.update(s[:k] for k in range(5, len(s)) if s[:k] in self._df)
        return tuple(sorted(family))

    def _docs_with_uncached(self, s: str, field: str | None = None) -> frozenset[int]:
        """Topics with `s` (or its family) in `field`, or in any field."""
        post = self._post[field] if field else self._post_any
        family = self._family(s)
        if len(family) == 1:
            return post.get(family[0], frozenset())
        docs: set[int] = set()
        for t in family:
            docs.update(post.get(t, ()))
        return frozenset(docs)

    # -- scoring --------------------------------------------------------------------------
    def _fts_candidates(self, concepts: list[_Concept]) -> list[int]:
        """The best candidates by weighted bm25 for any concept stem, best first."""
        stems = sorted({s for c in concepts for alt in c.alternatives for s in alt})
        if not stems:
            return []
        expr = " OR ".join(
            '"{}"{}'.format(s.replace('"', '""'), "*" if len(s) >= 5 else "") for s in stems
        )
        params = [expr if p == _SENTINEL else p for p in self._fts_params]
        try:
            with self._lock:
                rows = self._db.execute_sql(self._fts_sql, params).fetchall()
        except OperationalError:  # last line of defence: never let the index break an answer
            log.exception("FTS query failed for %r", expr)
            return []
        return [int(key) for (key,) in rows]

    def _coverage(self, concepts: list[_Concept], keys: Iterable[int]) -> dict[int, float]:
        """IDF-weighted share of the query each candidate explains, by the field that matched."""
        wanted = set(keys)
        total = sum(c.weight for c in concepts) or 1.0
        got = dict.fromkeys(wanted, 0.0)
        for c in concepts:
            best: dict[int, float] = {}
            for n, alt in enumerate(c.alternatives):
                factor = 1.0 if n < c.literal else self.tuning.synonym_factor
                for f in FIELDS:
                    docs = wanted.intersection(self._docs_with(alt[0], f))
                    for s in alt[1:]:
                        docs &= self._docs_with(s, f)
                    weight = FIELD_WEIGHT[f] * factor
                    for d in docs:
                        w = weight * self._body_norm[d] if f == "body" else weight
                        if w > best.get(d, 0.0):
                            best[d] = w
            for d, weight in best.items():
                got[d] += c.weight * weight
        return {d: v / total for d, v in got.items()}

    def _fuzzy(self, fquery: str, keys: list[int]) -> dict[int, float]:
        """Best WRatio of the query against each candidate's title and aliases, 0..1."""
        if not fquery or not keys:
            return dict.fromkeys(keys, 0.0)
        best = dict.fromkeys(keys, 0.0)
        n = len(TITLE_SCORERS)
        # The scorers called directly: `process.extract` over a few dozen names cost more in
        # building and sorting its result list than the comparisons themselves. The average
        # is summed in the same order as before, so the figures are the same to the bit.
        for k in keys:
            for name in self._docs[k].names:
                value = 0.0
                for scorer in TITLE_SCORERS:
                    value += scorer(fquery, name) / n
                if value > best[k]:
                    best[k] = value
        return {k: v / 100 for k, v in best.items()}

    def features(self, query: str) -> Analysis:
        """Per candidate: coverage, title similarity, intent, phrase; and what was read."""
        concepts, corrections, tokens = self._concepts(query or "")
        if not concepts:
            return Analysis({}, corrections, 0)
        folded = " ".join(t for t in tokens if t not in STOPWORDS)
        candidates = self._fts_candidates(concepts)
        cov = self._coverage(concepts, candidates)
        phrased = self._phrase_hits(tokens)
        # Coverage carries most of the score, so the best dozen by coverage (and any topic
        # whose phrase the query quotes) are the only ones worth the finer comparisons.
        best = sorted(candidates, key=lambda k: -cov[k])[: self.tuning.fuzzy_candidates]
        keys = list(dict.fromkeys([*best, *(k for k in phrased if k in cov)]))
        # A word or two says too little about wording to tell topics apart by it.
        likely: dict[int, float] = {}
        if len(concepts) >= self.tuning.classifier_min_concepts:
            ids = {self._docs[k].topic.id: k for k in keys}
            chances = self._classifier.probabilities(" ".join(tokens), ids)
            likely = {ids[topic_id]: p for topic_id, p in chances.items()}
        fz = self._fuzzy(utils.default_process(folded), keys)
        intent = self._intent(tokens)
        features = {
            k: (
                cov[k],
                fz[k],
                float(self._docs[k].topic.category in intent),
                float(k in phrased),
                likely.get(k, 0.0),
            )
            for k in keys
        }
        return Analysis(
            features,
            corrections,
            len(concepts),
            tuple(concepts),
            utils.default_process(folded),
            frozenset(self._phrase_hits(tokens, self._names)),
            " ".join(tokens),
        )

    def _phrase_hits(
        self, tokens: list[str], table: dict[tuple[str, ...], frozenset[int]] | None = None
    ) -> set[int]:
        """Topics one of whose multi-word aliases or keywords (or only names, with `table`
        `_names`) the query contains verbatim.

        Catches phrases made of stop-words ("ought to know", "points to prove") that the
        word-level features cannot see.
        """
        phrases = self._phrases if table is None else table
        hits: set[int] = set()
        for n in range(2, min(MAX_PHRASE, len(tokens)) + 1):
            for i in range(len(tokens) - n + 1):
                hits.update(phrases.get(tuple(tokens[i : i + n]), ()))
        return hits

    def score(self, features: Features) -> float:
        """The candidate's score, 0..1."""
        return min(self.raw_score(features), 1.0)

    def raw_score(self, features: Features, wording: bool = True) -> float:
        """Unclamped, so two strong matches still rank apart instead of tying at 1.0; without
        `wording`, on the words alone (the classifier's part left out)."""
        t = self.tuning
        cov, fz, intent, phrase, likely = features
        # Title similarity counts fully only once the words themselves match: a query that
        # shares one word with a title is not a question about it.
        gate = min(1.0, cov / t.fuzzy_gate) if t.fuzzy_gate else 1.0
        value = t.coverage_weight * cov + t.fuzzy_weight * fz * gate
        value += t.intent_boost * intent * cov  # a nudge between matches, never a match itself
        value += t.phrase_boost * phrase
        if wording:
            value += t.classifier_weight * likely * gate
        return round(max(value, 0.0), 4)

    def _prepare(self, query: str) -> _Prepared:
        """The candidates for a query, ranked by the hand-weighted score with units' pull."""
        analysis = self.features(query)
        head = question_head(query or "")
        kinds = tuple(question_kinds(head))
        figure = asks_for_figure(head, kinds)
        ranked = sorted(
            ((self.raw_score(f), self._docs[k].topic.id, k) for k, f in analysis.features.items()),
            key=lambda r: (-r[0], r[1]),
        )
        # How each concept may be said, gathered once for all the topics whose units compete.
        wanted = [self._wanted(c) for c in analysis.read]
        pulled = self._pull_units(analysis, ranked, kinds, wanted, figure)
        pull = {k: lift for k, (_, lift) in pulled.items()}
        ranked = sorted(
            ((raw + pull.get(k, 0.0), topic_id, k) for raw, topic_id, k in ranked),
            key=lambda r: (-r[0], r[1]),
        )
        # Whether the question is about anything the knowledge base covers is the words'
        # call: the classifier tells topics apart, but it has a favourite even for "what time
        # does the canteen close".
        lexical = max(
            (
                self.raw_score(f, wording=False) + pull.get(k, 0.0)
                for k, f in analysis.features.items()
            ),
            default=0.0,
        )
        picks = {k: pick for k, (pick, _) in pulled.items()}
        return _Prepared(analysis, kinds, figure, wanted, ranked, pull, picks, lexical, query)

    def candidate_features(
        self, query: str, examples: TopicClassifier[str] | None = None
    ) -> list[tuple[str, list[float]]]:
        """The leading candidates' topic ids and `FEATURES`, as the ranker sees them (with
        `examples`, that example classifier instead of the model's: training cross-fits)."""
        examples = examples or (self.model.examples if self.model else None)
        if examples is None:
            raise ValueError("no example classifier")
        prepared = self._prepare(query)
        rows = self._candidate_rows(prepared, examples)
        leading = prepared.ranked[: len(rows)]
        return [
            (self._docs[k].topic.id, row) for (_, _, k), row in zip(leading, rows, strict=True)
        ]

    def _candidate_rows(self, p: _Prepared, examples: TopicClassifier[str]) -> list[list[float]]:
        t = self.tuning
        analysis, ranked = p.analysis, p.ranked
        if not ranked:
            return []
        top = ranked[0][0]
        size = analysis.concepts
        long = float(size >= t.long_concepts)
        ids = [self._docs[k].topic.id for k in analysis.features]
        like = examples.probabilities(analysis.text, [*ids, NONE])
        rows = []
        for n, (raw, topic_id, k) in enumerate(ranked[:CANDIDATES]):
            cov, fz, intent, phrase, likely = analysis.features[k]
            gate = min(1.0, cov / t.fuzzy_gate) if t.fuzzy_gate else 1.0
            pick = p.picks.get(k)
            if pick is None:
                pick = p.picks[k] = self._best_unit(
                    analysis, k, p.kinds, p.wanted, figure=p.figure
                )
            after = ranked[n + 1][0] if n + 1 < len(ranked) else 0.0
            of_kind = pick.unit is not None and pick.unit.kind in p.kinds[:2]
            rows.append(
                [
                    cov,
                    fz * gate,
                    intent * cov,
                    phrase,
                    likely * gate,
                    p.pull.get(k, 0.0),
                    raw,
                    raw - top,
                    raw - after,
                    float(n == 0),
                    n / CANDIDATES,
                    pick.score,
                    pick.words,
                    float(of_kind),
                    float(bool(p.kinds)),
                    float(k in analysis.quoted),
                    min(size, 12) / 12,
                    long,
                    long * cov,
                    long * likely,
                    p.lexical,
                    self.raw_score(analysis.features[k], wording=False),
                    like.get(topic_id, 0.0),
                    like.get(NONE, 0.0),
                ]
            )
        return with_leads(rows)

    def _rerank(
        self, p: _Prepared, model: RankerModel
    ) -> tuple[list[_Ranked], Verdict, float | None]:
        """The leading candidates in the model's order, its verdict on the first, and its
        chance of being the topic asked about."""
        rows = self._candidate_rows(p, model.examples)
        chances = [model.chance(row) for row in rows]
        order = sorted(range(len(rows)), key=lambda i: (-chances[i], i))
        ranked = [p.ranked[i] for i in order] + p.ranked[len(rows) :]
        if not rows:
            return ranked, Verdict.NOT_SURE, None
        chance = chances[order[0]]
        # A scene told in its own words covers little of itself ("trainers worth more than his
        # mum's rent"): when the words alone are weak, only a confident model still answers.
        if p.lexical < self.tuning.suggest_at and chance < self.tuning.ranker_sure:
            return ranked, Verdict.NOT_SURE, chance
        verdict = Verdict.ANSWER if chance >= model.answer_at else Verdict.DID_YOU_MEAN
        return ranked, verdict, chance

    def search(self, query: str, limit: int = 3) -> SearchResult:
        """Rank topics for free text, and pick the answer unit; never raises on user input."""
        p = self._prepare(query)
        analysis, kinds = p.analysis, p.kinds
        # A word or two says too little for the model: the hand-weighted decision, margins and all.
        model = self.model if analysis.concepts >= self.tuning.ranker_min_concepts else None
        learnt = model is not None
        if model is not None:
            ranked, verdict, chance = self._rerank(p, model)
        else:
            ranked, chance = p.ranked, None
            verdict = self.decide([raw for raw, _, _ in ranked], analysis.concepts, p.lexical)
        scored = [Hit(self._docs[k].topic, min(raw, 1.0)) for raw, _, k in ranked]
        unit, unit_score, also = None, 0.0, None
        if ranked and verdict is not Verdict.NOT_SURE:
            first = ranked[0][2]
            pick = (
                p.picks[first]
                if first in p.picks
                else self._best_unit(analysis, first, kinds, p.wanted, figure=p.figure)
            )
            unit, unit_score = pick.unit, pick.score
            # A question of several words that is one of the unit's own phrasings, near
            # enough, is answered; one word matching many topics stays a "did you mean".
            # (The ranker weighs the unit itself.)
            sure = unit_score >= self.tuning.unit_sure
            if not learnt and verdict is Verdict.DID_YOU_MEAN and sure and analysis.concepts >= 2:
                verdict = Verdict.ANSWER
            # A vague question (no kind asked, a word or two) or one asking for an overview
            # gets the summary unless one unit matches it closely; an overview of nothing but
            # the topic ("key points on closure orders") gets it whatever its units match.
            overview = bool(_OVERVIEW.search(p.query))
            vague = (not kinds and analysis.concepts < 3) or overview
            bar = self.tuning.unit_sure if vague else self.tuning.unit_at
            if unit_score < bar or (overview and self._names_only(p.query, first)):
                unit = None
            elif verdict is Verdict.ANSWER:
                also = self._second_part(p, first, pick)
        hits = scored[: max(limit, 1)]
        if verdict is Verdict.NOT_SURE:
            hits = [h for h in hits if h.score >= self.tuning.suggest_floor]
        return SearchResult(
            query,
            verdict,
            hits,
            analysis.corrections,
            unit if verdict is Verdict.ANSWER else None,
            unit_score,
            kinds,
            bool(ranked) and ranked[0][2] in analysis.quoted,
            also if verdict is Verdict.ANSWER else None,  # only set beside a unit
            chance,
        )

    def _names_only(self, query: str, key: int) -> bool:
        """Whether the words of a question asking for an overview, but for the overview words,
        all name the topic (its title or aliases): the question is about the whole of it."""
        concepts = self._concepts(_OVERVIEW.sub(" ", query))[0]
        name = self._docs[key].fields["name"]
        return bool(concepts) and all(
            any(all(name & {s, *self._family(s)} for s in alt) for alt in c.alternatives)
            for c in concepts
        )

    def _second_part(self, p: _Prepared, key: int, pick: UnitPick) -> Unit | None:
        """The unit to give beside the answer: the best for another of its questions ("who
        applies for a DDTRO, and what does it stop"), or of the other kind when the question
        asks for two ("can I take him under s46 and how long for"), when the topic has one
        good enough; else a runner-up that answers it about as well."""
        unit = pick.unit
        if unit is None:
            return None
        best = self._part_answer(p, key, unit)
        if best is not None:
            return best
        other = next((k for k in p.kinds[:2] if k != unit.kind), None)
        if other is not None:
            second = self._best_unit(
                p.analysis, key, (other,), p.wanted, figure=p.figure, only=other
            )
            if second.unit is not None and second.score >= self.tuning.unit_at:
                return second.unit
        return pick.runner if pick.gap <= self.tuning.unit_close else None

    def _part_answer(self, p: _Prepared, key: int, unit: Unit) -> Unit | None:
        """The topic's best unit for one of the question's other parts, read on its own words
        (the whole question's words would favour what the first part asks), if good enough."""
        best: UnitPick | None = None
        for part in question_parts(p.query):
            concepts = self._concepts(part)[0]
            head = question_head(part)
            kinds = tuple(question_kinds(head))
            sub = Analysis({}, {}, len(concepts), tuple(concepts), _fold(part))
            found = self._best_unit(sub, key, kinds, figure=asks_for_figure(head, kinds))
            if found.unit is None or found.unit.key == unit.key:
                continue  # the answer already answers this part
            if found.score >= self.tuning.unit_at and (best is None or found.score > best.score):
                best = found
        return best.unit if best is not None else None

    def _pull_units(
        self,
        analysis: Analysis,
        ranked: list[tuple[float, str, int]],
        kinds: tuple[str, ...],
        wanted: list[list[tuple[float, tuple[frozenset[str], ...]]]],
        figure: bool = False,
    ) -> dict[int, tuple[UnitPick, float]]:
        """The best unit of each leading topic, and how far it pulls its topic up.

        A question that is one of a unit's own phrasings, near enough, is about that unit's
        topic even when another topic's words cover it as well: only a unit far above the
        usual bar pulls, and only a topic already close to the first.
        """
        t = self.tuning
        out: dict[int, tuple[UnitPick, float]] = {}
        # A word or two ("child help") matches some unit of every topic closely: no pull.
        if not ranked or analysis.concepts < t.pull_min_concepts:
            return out
        top = ranked[0][0]
        for n, (raw, _, k) in enumerate(ranked[: t.pull_candidates]):
            if raw < top - t.pull_window:
                break
            # Below the first, only a unit that could pull matters.
            floor = None if n == 0 else t.pull_at
            pick = self._best_unit(analysis, k, kinds, wanted, floor, figure)
            unit, words = pick.unit, pick.words
            if unit is None and n:
                continue
            # On the words alone: being of the kind asked for is no reason to change topic.
            pull = t.pull_weight * max(0.0, words - t.pull_at)
            # ...but a unit of another kind than the one asked for is no reason either.
            if n and kinds and unit is not None and unit.kind not in kinds[:2]:
                pull *= t.pull_off_kind
            out[k] = (pick, round(pull, 4))
        return out

    def _best_unit(
        self,
        analysis: Analysis,
        key: int,
        kinds: tuple[str, ...],
        wanted: list[list[tuple[float, tuple[frozenset[str], ...]]]] | None = None,
        floor: float | None = None,
        figure: bool = False,
        only: str | None = None,
    ) -> UnitPick:
        """The topic's unit that best answers the question, how well (0..1), and how well on
        its words alone (capped on its own, so the nudge for its kind never costs it); and the
        runner-up, with how far behind it is.

        How much of the question its phrasings (or, counting less, its answer) explain, how
        close the question is to one phrasing, and a nudge when it is the kind asked for.
        """
        units = self._docs[key].units
        if not units or not analysis.read:
            return UnitPick(None, 0.0, 0.0)
        t = self.tuning
        total = sum(c.weight for c in analysis.read) or 1.0
        if wanted is None:  # `search` gathers them once for all the topics it compares
            wanted = [self._wanted(c) for c in analysis.read]
        # How each unit explains each concept: 1 in its phrasings, less in its answer only.
        by_concept = [self._unit_matches(w, self._docs[key]) for w in wanted]
        got = [[column[k] for column in by_concept] for k in range(len(units))]
        # Within the topic, a word every unit shares ("penalty" on a topic of penalties)
        # tells its units apart less than one only a few hold ("possession", "imei"): the
        # choice between units weighs the question's distinguishing words more.
        n = len(units)
        spread = [
            t.unit_shared_floor + (1.0 - sum(g[i] > 0 for g in got) / n)
            for i in range(len(analysis.read))
        ]
        telling_total = (
            sum(c.weight * w for c, w in zip(analysis.read, spread, strict=True)) or 1.0
        )
        # A fact about adults does not answer a question about a 16-year-old, nor one about
        # children a question about an adult ("do I need consent to NRM a 16yo").
        asked_ages = frozenset(
            a
            for c in analysis.read
            for alt in c.alternatives[: c.literal]
            for a in alt
            if a in AGES
        )
        parts = []
        for k in range(n):
            covered = sum(c.weight * g for c, g in zip(analysis.read, got[k], strict=True))
            telling = sum(
                c.weight * w * g for c, w, g in zip(analysis.read, spread, got[k], strict=True)
            )
            cov = covered / total
            gate = min(1.0, cov / t.fuzzy_gate) if t.fuzzy_gate else 1.0
            if units[k].unit.kind in kinds[:2]:
                kind = t.unit_kind_boost
            elif figure and units[k].figure:
                kind = t.unit_figure_boost
            else:
                kind = 0.0
            if units[k].ages and asked_ages and not units[k].ages & asked_ages:
                kind -= AGE_PENALTY
            parts.append((cov, telling / telling_total, gate, kind))
        # The phrasing comparison is the costly part: a unit that could not win even with a
        # perfect one is not compared (the same unit is chosen, in less time).
        if floor is not None and all(
            t.coverage_weight * cov + t.fuzzy_weight * gate <= floor for cov, _, gate, _ in parts
        ):
            return UnitPick(None, 0.0, 0.0)
        order = sorted(
            (k for k in range(n) if only is None or units[k].unit.kind == only),
            key=lambda k: (
                -(t.coverage_weight * parts[k][1] + t.fuzzy_weight * parts[k][2] + parts[k][3]),
                k,
            ),
        )
        # The two best by rank, (rank, -k) ordering ties by file order: the runner-up is
        # offered beside the answer when the two are close.
        picks: list[tuple[float, float, int, float]] = []  # (value, rank, k, words)
        for k in order:
            cov, tell, gate, kind = parts[k]
            bound = t.coverage_weight * tell + t.fuzzy_weight * gate + kind
            if len(picks) == 2 and (
                bound < picks[1][1] or (bound == picks[1][1] and k > picks[1][2])
            ):
                break
            fz = 0.0
            if analysis.folded:
                for phrasing in units[k].phrasings:
                    value = sum(scorer(analysis.folded, phrasing) for scorer in TITLE_SCORERS)
                    fz = max(fz, value / (100 * len(TITLE_SCORERS)))
            words = t.coverage_weight * cov + t.fuzzy_weight * fz * gate
            value = round(min(words + kind, 1.0), 4)
            rank = t.coverage_weight * tell + t.fuzzy_weight * fz * gate + kind
            picks.append((value, rank, k, round(min(words, 1.0), 4)))
            picks.sort(key=lambda p: (-p[1], p[2]))
            del picks[2:]
        if not picks:
            return UnitPick(None, 0.0, 0.0)
        value, rank, k, words = picks[0]
        if len(picks) < 2:
            return UnitPick(units[k].unit, value, words)
        runner = picks[1]
        return UnitPick(
            units[k].unit, value, words, units[runner[2]].unit, round(rank - runner[1], 4)
        )

    def _wanted(self, c: _Concept) -> list[tuple[float, tuple[frozenset[str], ...]]]:
        """Each way of saying a concept, with its weight and, for each of its stems, the stems
        that count as it (`_family`), gathered once per question rather than once per unit."""
        return [
            (
                1.0 if i < c.literal else self.tuning.synonym_factor,
                tuple(frozenset((s, *self._family(s))) for s in alt),
            )
            for i, alt in enumerate(c.alternatives)
        ]

    def _unit_matches(
        self, wanted: list[tuple[float, tuple[frozenset[str], ...]]], doc: _Doc
    ) -> list[float]:
        """How each of the topic's units explains one concept: the factor of the best way of
        saying it that all its phrasings' words hold, or less for its answer's words.

        Bit sets of units per stem (`_Doc.ask_bits`) answer for all the units at once what
        comparing each unit's words in turn did, with the same figures."""
        n = len(doc.units)
        got = [0.0] * n
        every = (1 << n) - 1
        for factor, stems in wanted:
            in_asks = in_answer = every
            for family in stems:
                asks = answer = 0
                for s in family:
                    asks |= doc.ask_bits.get(s, 0)
                    answer |= doc.answer_bits.get(s, 0)
                in_asks &= asks
                in_answer &= answer
            if not (in_asks or in_answer):
                continue
            weak = factor * self.tuning.unit_answer_weight
            for k in range(n):
                bit = 1 << k
                if in_asks & bit:
                    value = factor
                elif in_answer & bit:
                    value = weak
                else:
                    continue
                if value > got[k]:
                    got[k] = value
        return got

    def decide(
        self, scores: list[float], concepts: int = 2, lexical: float | None = None
    ) -> Verdict:
        """Answer only when the best score is high and clearly ahead of the runner-up.

        A very high score on a question of several words waives the margin; a single word
        ("referral", "child") matching several topics equally is always a "did you mean".
        """
        t = self.tuning
        covered = lexical if lexical is not None else (scores[0] if scores else 0.0)
        if not scores or covered < t.suggest_at:
            return Verdict.NOT_SURE
        second = scores[1] if len(scores) > 1 else 0.0
        # Even a very high score is no answer when another topic scores exactly the same: the
        # choice between them would fall to alphabetical order.
        specific = concepts >= 2 and covered >= t.sure_at and scores[0] > second
        # One word ("s45": the slavery defence or the OCG offence?) needs a wider lead.
        margin = t.margin if concepts >= 2 else t.margin_single
        clear = specific or scores[0] - second >= margin
        # A long description (a scene told in full) spreads over many words that no topic
        # holds, so it covers less of itself than a short question does: a wide lead decides.
        told = concepts >= t.long_concepts and scores[0] - second >= t.long_margin
        return (
            Verdict.ANSWER if (covered >= t.answer_at and clear) or told else Verdict.DID_YOU_MEAN
        )
