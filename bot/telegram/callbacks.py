"""Callback data: short prefixed strings of ids, never text, always within Telegram's 64 bytes."""

from __future__ import annotations

from telegram.constants import InlineKeyboardButtonLimit

MAX_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64

# One prefix per feature; the CallbackQueryHandler patterns in app.py route on them.
OPEN_TOPIC = "t"
MORE = "m"
WRONG = "w"
BROWSE = "b"
CATEGORY = "c"
GO = "go"  # a shortcut under a reply: "go:check:<list>" or "go:refer"


def pack(prefix: str, *parts: object) -> str:
    data = ":".join([prefix, *(str(p) for p in parts)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None) -> list[str]:
    return (data or "").split(":")


def pattern(prefix: str) -> str:
    return rf"^{prefix}(:|$)"
