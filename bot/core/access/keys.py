"""Server-side secrets the bot makes for itself: generated once, kept in the database.

They key what a client must not be able to forge, such as the token in a note's buttons.
Anyone who can read the database can read them; they guard against people who can only talk
to the bot.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from weakref import WeakKeyDictionary

from peewee import CharField, Database

from bot.core.storage.db import BaseModel, database


class ServerKey(BaseModel):
    name = CharField(max_length=32, primary_key=True)
    value = CharField(max_length=128)


_CACHE: WeakKeyDictionary[Database, dict[str, bytes]] = WeakKeyDictionary()


def server_key(name: str) -> bytes:
    """The secret called `name`, made on first use (two instances agree on the first one)."""
    cache = _CACHE.setdefault(database.obj, {})
    key = cache.get(name)
    if key is None:
        ServerKey.insert(name=name, value=secrets.token_hex(32)).on_conflict_ignore().execute()
        key = cache[name] = bytes.fromhex(ServerKey.get_by_id(name).value)
    return key


def keyed_digest(name: str, message: str, length: int = 16) -> str:
    """HMAC-SHA256 of `message` under the server key `name`, as `length` hex characters."""
    return hmac.new(server_key(name), message.encode(), hashlib.sha256).hexdigest()[:length]
