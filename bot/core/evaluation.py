"""Offline evaluation of the search engine on labelled queries (`knowledge/eval/queries.jsonl`)."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from pydantic import BaseModel, ValidationError

from bot.core.search import SearchEngine


class EvalQuery(BaseModel):
    query: str
    expected: str | None


class Latency(BaseModel):
    p50: float
    p99: float


class EvalReport(BaseModel):
    n: int
    top1: float
    top3: float
    mrr: float
    oos_rejection: float
    in_scope_answered: float
    latency_ms: Latency
    index_build_ms: float


class EvalMiss(BaseModel):
    query: str
    expected: str | None
    answered: bool
    got: list[str]


def read_queries(path: Path) -> list[EvalQuery]:
    """Read JSON lines; a bad line is an error naming its line number."""
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            queries.append(EvalQuery.model_validate_json(line))
        except ValidationError as exc:
            raise ValueError(f"{path}:{number}: {exc.errors()[0]['msg']}") from None
    return queries


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def evaluate(
    engine: SearchEngine, queries: list[EvalQuery], build_ms: float
) -> tuple[EvalReport, list[EvalMiss]]:
    """Score the engine the way `ask --json` answers: the first three results count for top-3."""
    in_scope = [q for q in queries if q.expected is not None]
    oos = [q for q in queries if q.expected is None]
    top1 = top3 = rr = answered_in = rejected = 0.0
    latencies = []
    misses = []
    for q in queries:
        start = time.perf_counter()
        result = engine.search(q.query, limit=3)
        latencies.append((time.perf_counter() - start) * 1000)
        ids = [h.topic.id for h in result.hits[:3]]
        if q.expected is None:
            if not result.answered:
                rejected += 1
            else:
                misses.append(EvalMiss(query=q.query, expected=None, answered=True, got=ids))
            continue
        answered_in += result.answered
        if result.answered and ids and ids[0] == q.expected:
            top1 += 1
        else:
            misses.append(
                EvalMiss(query=q.query, expected=q.expected, answered=result.answered, got=ids)
            )
        if q.expected in ids:
            top3 += 1
            rr += 1 / (ids.index(q.expected) + 1)
    n_in = max(len(in_scope), 1)
    report = EvalReport(
        n=len(queries),
        top1=round(top1 / n_in, 4),
        top3=round(top3 / n_in, 4),
        mrr=round(rr / n_in, 4),
        oos_rejection=round(rejected / max(len(oos), 1), 4) if oos else 1.0,
        in_scope_answered=round(answered_in / n_in, 4),
        latency_ms=Latency(
            p50=round(statistics.median(latencies), 3) if latencies else 0.0,
            p99=round(percentile(latencies, 99), 3),
        ),
        index_build_ms=round(build_ms, 1),
    )
    return report, misses


def report_text(report: EvalReport) -> str:
    data = json.loads(report.model_dump_json())
    lat = data.pop("latency_ms")
    lines = [f"{k:<18} {v}" for k, v in data.items()]
    lines.insert(-1, f"{'latency_ms p50':<18} {lat['p50']}")
    lines.insert(-1, f"{'latency_ms p99':<18} {lat['p99']}")
    return "\n".join(lines)
