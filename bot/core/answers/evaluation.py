"""Offline evaluation of the first reply on labelled queries (`knowledge/eval/queries.jsonl`).

Each line: `{"query": ..., "expected": topic id or null, "also": [other acceptable ids],
"must": [regex, ...]}`; every `must` has to match the first reply (case-insensitive).
"""

from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.core.answers.responder import Responder

EVAL_DIR = "eval"
# Written before any tuning and never read: measured, never learnt from (the ranker trains
# on every other set in `knowledge/eval/`).
BLIND_SETS = ("holdout.jsonl", "validation.jsonl")


class EvalQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    query: str
    expected: str | None
    also: list[str] = Field(default_factory=list)
    must: list[str] = Field(default_factory=list)

    @field_validator("must")
    @classmethod
    def _regexes(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regex {pattern!r}: {exc}") from None
        return value

    @property
    def accepted(self) -> set[str]:
        return {self.expected, *self.also} if self.expected else set()


class Latency(BaseModel):
    p50: float
    p99: float


class Length(BaseModel):
    p50: int
    p90: int


class EvalReport(BaseModel):
    n: int
    top1: float
    top3: float
    mrr: float
    answer_ok: float  # right topic, and the first reply matches every `must`
    oos_rejection: float
    in_scope_answered: float
    reply_chars: Length
    latency_ms: Latency
    index_build_ms: float


class EvalMiss(BaseModel):
    query: str
    expected: str | None
    answered: bool
    got: list[str]
    kind: str = ""
    unit: str | None = None
    failed: list[str] = Field(default_factory=list)  # `must` patterns the reply did not match


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


def training_files(root: Path) -> list[Path]:
    """Every labelled set in `knowledge/eval/` but the blind ones: what the ranker learns from."""
    return [p for p in sorted((root / EVAL_DIR).glob("*.jsonl")) if p.name not in BLIND_SETS]


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


class EvalLine(BaseModel):
    """What one query got, in full: two runs must agree on every one of these."""

    query: str
    kind: str
    topic: str | None
    unit: str | None
    hits: list[tuple[str, float]]
    corrections: dict[str, str]
    reply: str


def evaluate(
    responder: Responder,
    queries: list[EvalQuery],
    build_ms: float,
    lines: list[EvalLine] | None = None,
) -> tuple[EvalReport, list[EvalMiss]]:
    """Score the first replies the way officers get them; the first three hits count for top-3.

    With `lines`, what every query got is appended to it.
    """
    in_scope = [q for q in queries if q.expected is not None]
    oos = [q for q in queries if q.expected is None]
    top1 = top3 = rr = answered_in = rejected = ok = 0.0
    latencies: list[float] = []
    lengths: list[float] = []
    misses = []
    for q in queries:
        start = time.perf_counter()
        reply = responder.respond(q.query)
        latencies.append((time.perf_counter() - start) * 1000)
        text = reply.text
        ids = [h.topic.id for h in reply.hits[:3]]
        got = [reply.topic.id] if reply.answered and reply.topic else []
        got += [i for i in ids if i not in got][: 3 - len(got)]
        unit = reply.unit.key if reply.unit else None
        if lines is not None:
            lines.append(
                EvalLine(
                    query=q.query,
                    kind=reply.kind,
                    topic=reply.topic.id if reply.topic else None,
                    unit=unit,
                    hits=[(h.topic.id, h.score) for h in reply.hits],
                    corrections=reply.corrections,
                    reply=text,
                )
            )
        if q.expected is None:
            if not reply.answered:
                rejected += 1
            else:
                misses.append(
                    EvalMiss(query=q.query, expected=None, answered=True, got=got, kind=reply.kind)
                )
            continue
        lengths.append(len(text))
        answered_in += reply.answered
        right = reply.answered and reply.topic is not None and reply.topic.id in q.accepted
        failed = [p for p in q.must if not re.search(p, text, re.IGNORECASE)]
        top1 += right
        ok += right and not failed
        if not right or failed:
            misses.append(
                EvalMiss(
                    query=q.query,
                    expected=q.expected,
                    answered=reply.answered,
                    got=got,
                    kind=reply.kind,
                    unit=unit,
                    failed=failed,
                )
            )
        position = next((n for n, i in enumerate(got) if i in q.accepted), None)
        if position is not None:
            top3 += 1
            rr += 1 / (position + 1)
    n_in = max(len(in_scope), 1)
    report = EvalReport(
        n=len(queries),
        top1=round(top1 / n_in, 4),
        top3=round(top3 / n_in, 4),
        mrr=round(rr / n_in, 4),
        answer_ok=round(ok / n_in, 4),
        oos_rejection=round(rejected / max(len(oos), 1), 4) if oos else 1.0,
        in_scope_answered=round(answered_in / n_in, 4),
        reply_chars=Length(p50=int(percentile(lengths, 50)), p90=int(percentile(lengths, 90))),
        latency_ms=Latency(
            p50=round(statistics.median(latencies), 3) if latencies else 0.0,
            p99=round(percentile(latencies, 99), 3),
        ),
        index_build_ms=round(build_ms, 1),
    )
    return report, misses


def report_text(report: EvalReport) -> str:
    data = json.loads(report.model_dump_json())
    lines = []
    for key, value in data.items():
        if isinstance(value, dict):
            lines += [f"{f'{key} {k}':<18} {v}" for k, v in value.items()]
        else:
            lines.append(f"{key:<18} {value}")
    return "\n".join(lines)
