"""Logging for every entry point: secrets redacted, and no officer's words at any level.

Two lines of defence. The code never puts a secret or a note or question text into a log
message; and `Redactor`, on every handler, replaces the bot token, the webhook secret and the
chain key wherever they still appear (message, arguments, traceback), in case a library does.
The libraries that log whole updates and API calls at DEBUG (python-telegram-bot, the HTTP
clients) are held at INFO whatever LOG_LEVEL says: their DEBUG lines carry message texts.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

REDACTED = "[redacted]"
# Loggers whose DEBUG output holds updates, API parameters or SQL values: officers' texts.
CHATTY = (
    "telegram",
    "httpx",
    "httpcore",
    "aiohttp",
    "tornado",
    "apscheduler",
    "peewee",
    "psycopg",
)
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Redactor(logging.Filter):
    """Replaces each secret (and a token's secret half on its own) in the whole record."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        super().__init__()
        found: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            found.add(secret)
            head, sep, tail = secret.partition(":")
            if sep and head.isdigit() and len(tail) >= 8:  # a bot token: its secret half too
                found.add(tail)
        self.secrets = sorted(found, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed call; keep what there is
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text, record.exc_info = self.redact(text), None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def setup_logging(level: str, secrets: Iterable[str | None] = ()) -> Redactor:
    """Log to standard error at `level`, redacting `secrets`; the filter, for other handlers."""
    redactor = Redactor(secrets)
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
    for handler in root.handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(redactor)
    root.setLevel(level.upper())
    floor = max(root.level, logging.INFO)
    for name in CHATTY:
        logging.getLogger(name).setLevel(floor)
    return redactor
