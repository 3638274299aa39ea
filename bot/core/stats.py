"""Reply times since start: a log-scale histogram, so a busy bot's memory never grows.

Buckets are 5% wide from 0.1 ms up, so a percentile is within 5% of the true value, with a
fixed few hundred counters whatever the traffic.
"""

from __future__ import annotations

import math
import time

RATIO = 1.05
FLOOR = 0.0001  # seconds: everything faster lands in the first bucket
BUCKETS = 320  # up to FLOOR * RATIO**320, about 600 s


class ReplyTimes:
    def __init__(self) -> None:
        self.started = time.time()
        self.count = 0
        self._buckets = [0] * BUCKETS

    def record(self, seconds: float) -> None:
        index = 0 if seconds <= FLOOR else int(math.log(seconds / FLOOR, RATIO)) + 1
        self._buckets[min(index, BUCKETS - 1)] += 1
        self.count += 1

    def percentile(self, q: float) -> float | None:
        """The q-th percentile in seconds (the upper edge of its bucket); None before any."""
        if not self.count:
            return None
        rank = max(1, math.ceil(self.count * q / 100))
        seen = 0
        for index, n in enumerate(self._buckets):
            seen += n
            if seen >= rank:
                return FLOOR * RATIO**index
        return FLOOR * RATIO ** (BUCKETS - 1)

    @property
    def uptime(self) -> float:
        return time.time() - self.started
