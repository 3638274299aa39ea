"""The recruit's PNG for /progress: mastered questions week by week, and answers per week.

Drawn the way /stats draws field notes (`notes_chart`): matplotlib's object API on the Agg
backend, imported only when a chart is drawn, the same colours and layout.
"""

from __future__ import annotations

import io

from bot.core.knowledge.topics import CATEGORY_LABELS
from bot.core.notes.chart import COLOURS
from bot.core.quiz.history import Weekly


def render_progress_png(weekly: Weekly, bank_size: int, title: str) -> bytes:
    """Top: mastered questions at each week's end, stacked by category. Bottom: answers given
    each week, right and not right."""
    from matplotlib.figure import Figure

    weeks = [f"{w:%d %b}" for w in weekly.weeks]
    figure = Figure(figsize=(10, 7.5), dpi=100, layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    bottoms = [0] * len(weeks)
    for n, (category, counts) in enumerate(weekly.mastered.items()):
        top.bar(
            weeks,
            counts,
            bottom=bottoms,
            label=CATEGORY_LABELS.get(category, category),
            color=COLOURS[n % len(COLOURS)],
        )
        bottoms = [b + c for b, c in zip(bottoms, counts, strict=True)]
    top.set_title(f"Mastered at the end of each week (of {bank_size} questions)", loc="left")
    _style(top, "questions")
    top.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    bottom.bar(weeks, weekly.right, label="Right", color=COLOURS[2])
    bottom.bar(weeks, weekly.wrong, bottom=weekly.right, label="Not right", color=COLOURS[1])
    bottom.set_title("Answers each week", loc="left")
    _style(bottom, "answers")
    bottom.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    figure.suptitle(title, fontsize=13)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _style(ax, unit: str) -> None:
    ax.title.set_fontsize(11)
    ax.set_ylabel(unit)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
