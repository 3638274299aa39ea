"""Field notes on SQLite (WAL, synchronous=FULL): saves per second, and the 100,000-note
notebook exported, verified.

Saves are timed exactly as the bot makes them: a confirmed draft becomes a chained entry in
one durable transaction (`notes_drafts.save`). The whole flow (begin, five steps, save: seven
durable transactions) is timed too, as officers meet it.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from benchmarks.report import figure
from bot.core.notes import drafts
from bot.core.notes.chain import verify
from bot.core.notes.export import export_rows, to_csv, to_json
from bot.core.notes.log import NoteInput, add_notes
from bot.core.storage.db import open_database
from bot.core.storage.schema import MODELS

SAVES = 2000
FLOWS = 300
NOTEBOOK = 100_000
WORDS = (
    "lad girl phones cash station flat door callers car silver blue Ford Fiesta runner bag "
    "trainers taxi late night new faces tenant scared seen outside handing over bike"
).split()


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))


def _confirmed_drafts(n: int, rng: random.Random) -> list[tuple[int, str]]:
    """`n` drafts waiting at the confirm step, one per officer."""
    ready = []
    for uid in range(1, n + 1):
        begun = drafts.begin(uid, uid, f"m:{uid}:1", text=_text(rng), text_message_id=1)
        drafts.choose(uid, uid, begun.draft.token, drafts.CATEGORY, "vehicle")
        drafts.choose(uid, uid, begun.draft.token, drafts.URGENCY, "routine")
        drafts.choose(uid, uid, begun.draft.token, drafts.LOCATION, drafts.SKIP)
        drafts.choose(uid, uid, begun.draft.token, drafts.SOURCE, drafts.SKIP)
        ready.append((uid, begun.draft.token))
    return ready


def _saves_per_second(rng: random.Random) -> float:
    ready = _confirmed_drafts(SAVES, rng)
    start = time.perf_counter()
    for uid, token in ready:
        assert drafts.save(uid, uid, token, "Bench Officer").status == "saved"
    return SAVES / (time.perf_counter() - start)


def _flows_per_second(rng: random.Random) -> float:
    start = time.perf_counter()
    for uid in range(1_000_000, 1_000_000 + FLOWS):
        begun = drafts.begin(uid, uid, f"m:{uid}:1", text=_text(rng), text_message_id=1)
        token = begun.draft.token
        drafts.choose(uid, uid, token, drafts.CATEGORY, "child")
        drafts.choose(uid, uid, token, drafts.URGENCY, "urgent")
        drafts.set_location(uid, uid, 51.5, -0.12, 2)
        drafts.choose(uid, uid, token, drafts.SOURCE, "2")
        drafts.choose(uid, uid, token, drafts.INFO, "B")
        drafts.choose(uid, uid, token, drafts.HANDLING, "P")
        drafts.save(uid, uid, token, "Bench Officer")
    return FLOWS / (time.perf_counter() - start)


def _fill(rng: random.Random, have: int) -> None:
    entries = (
        (
            NoteInput(
                author_id=rng.randint(1, 400),
                author_name="Bench Officer",
                text=_text(rng),
                category=rng.choice(["vehicle", "child", "cuckooed", None]),
                tags=("indicators-child-exploitation#several-phones",) if n % 3 == 0 else (),
            ),
            f"bench-{n}",
        )
        for n in range(have, NOTEBOOK)
    )
    add_notes(entries)


def run() -> int:
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'notes.db'}", MODELS)
        try:
            saves = _saves_per_second(rng)
            flows = _flows_per_second(rng)
            _fill(rng, SAVES + FLOWS)
            start = time.perf_counter()
            rows = export_rows(None, None, "Europe/London")
            csv_size = len(to_csv(rows))
            json_size = len(to_json(rows, None, None, "Europe/London"))
            export_s = time.perf_counter() - start
            assert len(rows) == NOTEBOOK
            start = time.perf_counter()
            assert verify().ok
            verify_s = time.perf_counter() - start
        finally:
            db.close()
    print(f"  (export: CSV {csv_size / 1e6:.1f} MB, JSON {json_size / 1e6:.1f} MB)")
    failed = figure("notes saved per second (SQLite, durable)", saves, "/s", 500, True)
    failed += figure("whole note flows per second (7 writes each)", flows, "/s", 100, True)
    failed += figure("export 100,000 notes, CSV and JSON", export_s, "s", 5, False)
    failed += figure("verify the chain of 100,000 notes", verify_s, "s", 5, False)
    return failed
