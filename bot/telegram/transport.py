"""The HTTP transport between python-telegram-bot and the Bot API, on aiohttp.

python-telegram-bot's own transport (httpx) spends more CPU per request than the rest of an
update's handling put together; `BaseRequest` is the library's documented place to plug in
another client. Everything above this class (retries, error mapping, rate limiting) is
python-telegram-bot's, unchanged.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_Default = type(BaseRequest.DEFAULT_NONE)  # "not given": use this transport's default
Timeout = float | None | object


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a bounded connection pool; timeouts as python-telegram-bot's."""

    __slots__ = ("_connections", "_defaults", "_session")

    def __init__(
        self,
        connections: int = 8,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._connections = connections
        self._defaults = {
            "read": read_timeout,
            "write": write_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
            "media_write": media_write_timeout,
        }
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._defaults["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _timeout(self, value: Timeout, name: str) -> float | None:
        return self._defaults[name] if isinstance(value, _Default) else value  # type: ignore[return-value]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        write_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        connect_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        pool_timeout: Timeout = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        body: aiohttp.FormData | dict[str, str] | None = fields
        if files:
            body = aiohttp.FormData()
            for name, value in (fields or {}).items():
                body.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
        # aiohttp has no write timeout: an upload may take its media allowance before the
        # reply starts. Its `connect` covers waiting for a pooled connection and connecting.
        read = self._timeout(read_timeout, "read")
        write = self._timeout(write_timeout, "media_write" if files else "write")
        waits = [self._timeout(pool_timeout, "pool"), self._timeout(connect_timeout, "connect")]
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if None in waits else sum(waits),  # type: ignore[arg-type]
            sock_read=None if read is None or write is None else read + write,
        )
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as res:
                return res.status, await res.read()
        except TimeoutError:
            raise TimedOut from None
        except aiohttp.ClientError as err:
            # aiohttp's messages and the chained exception carry the URL, and the URL carries
            # the bot token: say what failed without either.
            raise NetworkError(f"aiohttp.{type(err).__name__}: {_reason(err)}") from None


def _reason(err: aiohttp.ClientError) -> str:
    """What went wrong, in words that never include the request's URL."""
    if isinstance(err, aiohttp.ClientResponseError):
        return f"status {err.status}: {err.message}"[:200]
    if isinstance(err, aiohttp.ClientConnectorError):
        return f"cannot connect to {err.host}:{err.port} ({err.strerror or 'refused'})"
    if isinstance(err, aiohttp.InvalidURL):
        return "invalid URL"
    return type(err).__doc__.strip().splitlines()[0] if type(err).__doc__ else "failed"
