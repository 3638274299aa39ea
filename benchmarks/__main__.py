"""Run every benchmark, or the ones named: `python -m benchmarks [search ...]`."""

from __future__ import annotations

import importlib
import sys

SUITES = ["search", "telegram", "guided", "notes", "quiz"]


def main(argv: list[str]) -> int:
    wanted = argv or SUITES
    failed = 0
    for name in wanted:
        if name not in SUITES:
            print(f"unknown benchmark {name!r}; choose from {', '.join(SUITES)}")
            return 2
        module = importlib.import_module(f"benchmarks.{name}_bench")
        print(f"== {name} ==")
        failed += module.run()
    print("all targets met" if not failed else f"{failed} target(s) missed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
