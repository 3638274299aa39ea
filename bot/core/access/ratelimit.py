"""Per-officer message rate limit: a sliding window kept in memory.

In memory on purpose: it protects one instance from a flood and costs no database round trip;
several instances each apply it, which only makes the limit a little looser.
"""

from __future__ import annotations

import time
from collections import deque


class RateLimiter:
    def __init__(self, per_minute: int, window: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window = window
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    def allow(self, user_id: int, at: float | None = None) -> bool:
        at = time.monotonic() if at is None else at
        hits = self._hits.setdefault(user_id, deque())
        while hits and at - hits[0] >= self.window:
            hits.popleft()
        if len(hits) >= self.per_minute:
            return False
        hits.append(at)
        if len(self._hits) > 10_000:  # forget idle officers now and then
            self._hits = {u: h for u, h in self._hits.items() if h and at - h[-1] < self.window}
        return True

    def should_warn(self, user_id: int, at: float | None = None) -> bool:
        """Tell a flooding officer once per window, then stay quiet."""
        at = time.monotonic() if at is None else at
        if at - self._warned.get(user_id, -self.window) >= self.window:
            self._warned[user_id] = at
            return True
        return False
