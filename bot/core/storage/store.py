"""Runs blocking database work off the event loop, on one long-lived worker thread.

One thread means one connection and whole transactions, with no interleaving between
handlers: the single-writer pattern the SQLite docs recommend, and harmless on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from peewee import Database, InterfaceError, OperationalError

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db")

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Await `fn(*args, **kwargs)` executed on the database thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, functools.partial(self._call, fn, *args, **kwargs)
        )

    def _call(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        self.db.connect(reuse_if_open=True)
        try:
            return fn(*args, **kwargs)
        except (InterfaceError, OperationalError) as exc:
            # A PostgreSQL restart leaves a dead connection behind; reconnect once and retry
            # only when nothing can have been written (the error came from connecting).
            if self.db.in_transaction() or "closed" not in str(exc).lower():
                raise
            log.warning("database connection lost, reconnecting: %s", exc)
            self.db.close()
            self.db.connect()
            return fn(*args, **kwargs)

    def close(self) -> None:
        def _close() -> None:
            if not self.db.is_closed():
                self.db.close()

        self._executor.submit(_close).result()
        self._executor.shutdown(wait=True)
