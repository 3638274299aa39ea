"""The supervisors' PNG: notes per week, stacked by category and by indicator.

Drawn with matplotlib's object API on the Agg backend (no display, safe off the main thread);
matplotlib is imported only when a chart is drawn, so the bot starts as fast as before.
"""

from __future__ import annotations

import io

from bot.core.notes.export import WeeklyStats
from bot.core.notes.log import CATEGORIES

TOP_INDICATORS = 8
COLOURS = [
    "#1f4e79",
    "#c55a11",
    "#548235",
    "#7030a0",
    "#bf9000",
    "#2e75b6",
    "#a5a5a5",
    "#833c0b",
    "#70ad47",
]


def _stack(ax, weeks: list[str], series: dict[str, list[int]], title: str) -> None:
    bottoms = [0] * len(weeks)
    for n, (label, counts) in enumerate(series.items()):
        ax.bar(weeks, counts, bottom=bottoms, label=label, color=COLOURS[n % len(COLOURS)])
        bottoms = [b + c for b, c in zip(bottoms, counts, strict=True)]
    ax.set_title(title, fontsize=11, loc="left")
    ax.set_ylabel("notes")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    if series:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    else:
        ax.text(0.5, 0.5, "none recorded", transform=ax.transAxes, ha="center", color="grey")


def render_png(stats: WeeklyStats, labels: dict[str, str], title: str) -> bytes:
    """Two stacked bar charts over the same weeks; `labels` names indicator tags."""
    from matplotlib.figure import Figure

    weeks = [f"{m:%d %b}" for m in stats.weeks]
    by_category = {
        CATEGORIES.get(name, "No category"): counts
        for name, counts in sorted(
            stats.by_category.items(), key=lambda kv: (kv[0] == "", -sum(kv[1]))
        )
    }
    merged: dict[str, list[int]] = {}  # two topics may list the same sign under one label
    for tag, counts in stats.by_indicator.items():
        label = labels.get(tag, tag)
        before = merged.get(label, [0] * len(counts))
        merged[label] = [a + b for a, b in zip(before, counts, strict=True)]
    ranked = sorted(merged.items(), key=lambda kv: -sum(kv[1]))
    by_indicator = dict(ranked[:TOP_INDICATORS])
    if len(ranked) > TOP_INDICATORS:
        rest = [sum(week) for week in zip(*(c for _, c in ranked[TOP_INDICATORS:]), strict=True)]
        by_indicator["Other indicators"] = rest
    figure = Figure(figsize=(10, 7.5), dpi=100, layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    _stack(top, weeks, by_category, "By category")
    _stack(bottom, weeks, by_indicator, "By indicator mentioned (a note can mention several)")
    figure.suptitle(title, fontsize=13)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
