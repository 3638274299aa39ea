"""One line per measured figure, with its target and whether it was met."""

from __future__ import annotations


def figure(name: str, value: float, unit: str, target: float, higher_is_better: bool) -> int:
    """Print a figure against its target; return 1 when the target is missed."""
    met = value >= target if higher_is_better else value < target
    sign = ">=" if higher_is_better else "<"
    verdict = "ok" if met else "MISSED"
    print(f"  {name:<44} {value:>10.2f} {unit:<6} target {sign} {target:g} {verdict}")
    return 0 if met else 1
