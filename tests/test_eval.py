"""Answer quality on the labelled query sets: the targets of the knowledge issues, as tests."""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.core.answers.evaluation import EvalQuery, evaluate, read_queries
from bot.core.services import Knowledge
from tests.support import KNOWLEDGE, run_bot

EVAL = KNOWLEDGE / "eval" / "queries.jsonl"
HOLDOUT = KNOWLEDGE / "eval" / "holdout.jsonl"
VALIDATION = KNOWLEDGE / "eval" / "validation.jsonl"
RETIRED = KNOWLEDGE / "eval" / "holdout-2026-12b.jsonl"  # the holdout until 2026-12-01
VOLATILE = ("latency_ms", "index_build_ms")  # timings differ between runs; nothing else may


def test_eval_set_covers_every_topic(knowledge: Knowledge) -> None:
    counts = Counter(q.expected for q in read_queries(EVAL))
    thin = {t: counts[t] for t in knowledge.kb.topics if counts[t] < 4}
    assert thin == {}, "every topic needs at least 4 eval queries"
    assert counts[None] >= 40, "at least 40 out-of-scope queries"
    assert set(counts) - {None} <= set(knowledge.kb.topics)


@pytest.mark.parametrize(
    "path", sorted((KNOWLEDGE / "eval").glob("*.jsonl")), ids=lambda p: p.name
)
def test_every_eval_set_reads_and_names_real_topics(knowledge: Knowledge, path) -> None:
    """A renamed topic must not leave a set silently measuring nothing."""
    queries = read_queries(path)
    named = {q.expected for q in queries if q.expected} | {a for q in queries for a in q.also}
    assert queries and named <= set(knowledge.kb.topics)


@pytest.mark.parametrize(
    ("path", "top1", "top3", "oos", "answer_ok"),
    [
        # The set the engine and content were tuned to (its figures flatter: unit phrasings
        # were added from its misses, and the ranker learns from it, like every set but the
        # two blind ones). Measured figures rounded down, so a regression fails.
        (EVAL, 0.97, 0.99, 0.98, 0.97),
        # The blind set until 2026-12-01, measured six times while tuning and one of its lines
        # seen by accident, so retired to a dev set (now learnt from); its figures, rounded down.
        (RETIRED, 0.98, 0.98, 0.95, 0.95),
        # Written blind on 2026-12-01 (from the fact sheets only, by a writer who saw neither
        # the content nor the engine) and never read: floors that catch a regression; the
        # issue's targets (0.92 / 0.90 / 0.95) are measured on it and reported, not tuned to.
        # First measured: top-1 0.859, top-3 0.972, OOS 0.844, answer_ok 0.797; with the
        # learnt ranker: 0.927, 0.977, 0.956, 0.859; with 3,000 more example questions, units
        # for each part of a question and the fixes after them: 0.955, 0.977, 0.956, 0.898;
        # with the content and reading fixes of 2026-12-02 (found on the dev sets, judged on
        # the validation set): 0.961, 0.983, 0.956, 0.904.
        (HOLDOUT, 0.96, 0.98, 0.95, 0.90),
        # Written the same way, never read; engine variants are compared on its figures.
        (VALIDATION, 0.92, 0.98, 0.95, 0.92),
    ],
)
def test_quality_targets(knowledge: Knowledge, path, top1, top3, oos, answer_ok) -> None:
    report, misses = evaluate(knowledge.responder, read_queries(path), knowledge.build_ms)
    # The blind sets' lines stay unread, even in a failing test's output: figures only.
    shown = [] if path in (HOLDOUT, VALIDATION) else misses[:15]
    detail = "\n".join(json.dumps(m.model_dump()) for m in shown)
    assert report.top1 >= top1, f"top1 {report.top1}\n{detail}"
    assert report.top3 >= top3, f"top3 {report.top3}\n{detail}"
    assert report.oos_rejection >= oos, f"oos {report.oos_rejection}\n{detail}"
    assert report.answer_ok >= answer_ok, f"answer_ok {report.answer_ok}\n{detail}"
    assert report.reply_chars.p90 <= 1000


def test_must_and_also_decide_answer_ok(knowledge: Knowledge) -> None:
    """A right topic whose reply lacks a `must` is not answer_ok; `also` accepts a topic."""
    queries = [
        EvalQuery(
            query="max sentence for trafficking",
            expected="msa-s2-human-trafficking",
            must=[r"\blife\b", r"s2\b"],
        ),
        EvalQuery(
            query="max sentence for trafficking",
            expected="msa-s2-human-trafficking",
            must=[r"\b14 years\b"],
        ),
        EvalQuery(
            query="max sentence for trafficking",
            expected="nrm-referral",
            also=["msa-s2-human-trafficking"],
        ),
    ]
    report, misses = evaluate(knowledge.responder, queries, 0.0)
    assert report.top1 == 1.0
    assert report.answer_ok == round(2 / 3, 4)
    assert [m.failed for m in misses] == [[r"\b14 years\b"]]


def _eval_lines(seed: str) -> list[str]:
    # A real process each: the hash seed is fixed when an interpreter starts.
    out = run_bot("eval", str(EVAL), "--json", "--lines", PYTHONHASHSEED=seed)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    for key in VOLATILE:
        report.pop(key)
    lines = [line for line in out.stderr.splitlines() if line.startswith("{")]
    assert len(lines) == report["n"]
    return [json.dumps(report, sort_keys=True), *lines]


def test_results_do_not_depend_on_the_hash_seed() -> None:
    """Two processes with different PYTHONHASHSEED give the same report and the same result
    (reply, hits, scores, corrections) for every query.

    Typo correction used to pick among equally close words in set order, so a question could
    be answered in one process and refused in another.
    """
    with ThreadPoolExecutor(2) as pool:  # the two processes side by side
        first, second = pool.map(_eval_lines, ("1", "2"))
    assert len(first) == len(second)
    for a, b in zip(first, second, strict=True):
        assert a == b
