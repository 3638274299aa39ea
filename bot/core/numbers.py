"""Numbers typed by people or carried in callback data: ASCII digits, in range, or None.

`str.isdigit()` is true for "²" (which int() refuses) and int() takes 20 digits that no
database column holds: both raised in handlers. Every number from outside goes through here.
"""

from __future__ import annotations

import re

_INT = re.compile(r"-?[0-9]{1,19}")
BIGINT = (-(2**63), 2**63 - 1)  # what a BIGINT column (a Telegram id) holds


def parse_int(text: str | None, low: int = BIGINT[0], high: int = BIGINT[1]) -> int | None:
    """`text` as an int within [low, high], or None for anything else."""
    if text is None or not _INT.fullmatch(text.strip()):
        return None
    value = int(text.strip())
    return value if low <= value <= high else None
