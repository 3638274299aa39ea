"""A small Telegram Bot API stand-in served over HTTP on 127.0.0.1, for end-to-end tests.

The real python-telegram-bot `Application` polls it (or receives webhooks relayed by a test)
exactly as it would talk to Telegram. It keeps updates until a later `offset` confirms them
(Telegram's rule), answers long polls as soon as an update arrives, records every call, and
refuses what Telegram refuses: text over 4,096 characters, callback data over 64 bytes,
HTML it cannot parse.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

TOKEN = "123456:TEST-token"
BOT = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Briefing",
    "username": "briefing_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
JSON_FIELDS = {
    "reply_markup",
    "entities",
    "reply_parameters",
    "allowed_updates",
    "commands",
    "results",
    "scope",
    "link_preview_options",
    "caption_entities",
    "button",
}
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    message_id: int | None = None  # the message a send or edit produced

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data or url) of every inline button, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [
            (b["text"], b.get("callback_data") or b.get("url") or b.get("switch_inline_query", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]


class _HTMLCheck(HTMLParser):
    """Telegram's HTML rules, closely enough: known tags only, properly nested."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.error: str | None = None
        self.visible = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in ALLOWED_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.error = f'Unexpected end tag "{tag}"'

    def handle_data(self, data: str) -> None:
        self.visible += len(data)


def check_html(text: str) -> tuple[str | None, int]:
    """(error or None, visible length) of a message in ParseMode.HTML."""
    if re.search(r"&(?!(amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);)", text):
        return "Can't parse entities: unescaped ampersand", len(text)
    if re.search(r"<(?![a-zA-Z/])", text):
        return "Can't parse entities: unescaped <", len(text)
    parser = _HTMLCheck()
    parser.feed(text)
    parser.close()
    if parser.error or parser.stack:
        return f"Can't parse entities: {parser.error or 'unclosed tag'}", parser.visible
    return None, parser.visible


SCOPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


class FakeBotAPI:
    """Start with `start()`, push updates, read `calls`; `stop()` when done."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.updates: list[dict] = []
        self.messages: dict[tuple[int, int], dict] = {}
        self.deleted: dict[tuple[int, int], dict] = {}  # a stale screen may still show them
        self.failures: dict[str, list[tuple[int, str, dict]]] = {}
        self.webhook: dict[str, Any] | None = None
        # Command menus by scope ("default", "all_group_chats", "chat:ID"): [(name, text)].
        self.menus: dict[str, list[tuple[str, str]]] = {}
        self.files: dict[str, bytes] = {}
        self._cond = threading.Condition()
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeBotAPI:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as they are written

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                api._serve(self)

            do_GET = do_POST

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # the default backlog of 5 resets a busy bot's connections

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # serve_forever polls for shutdown every 0.5 s by default: half a second lost per test.
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server:
            with self._cond:
                self._cond.notify_all()
            self._server.shutdown()
            self._server.server_close()

    @property
    def port(self) -> int:
        assert self._server
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- HTTP ---------------------------------------------------------------------------------
    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        method = request.path.rstrip("/").rsplit("/", 1)[-1]
        params, files = self._parse(request.headers.get("Content-Type", ""), body)
        if request.path.startswith("/file/"):
            status, payload = 200, self.files.get(method, b"")
            request.send_response(status)
            request.send_header("Content-Length", str(len(payload)))
            request.end_headers()
            request.wfile.write(payload)
            return
        status, reply = self._dispatch(method, params, files)
        data = json.dumps(reply).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on a long poll while shutting down

    @staticmethod
    def _parse(content_type: str, body: bytes) -> tuple[dict, dict]:
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes]] = {}
        if content_type.startswith("multipart/form-data"):
            msg = BytesParser(policy=HTTP).parsebytes(
                b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
            )
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                filename = part.get_filename()
                payload = part.get_payload(decode=True) or b""
                if filename:
                    files[name] = (filename, payload)
                else:
                    params[name] = payload.decode()
        elif content_type.startswith("application/json"):
            params = json.loads(body or b"{}")
        else:
            params = dict(parse_qsl(body.decode(), keep_blank_values=True))
        for key in list(params):
            if key in JSON_FIELDS and isinstance(params[key], str):
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(params[key])
        return params, files

    def _dispatch(self, method: str, params: dict, files: dict) -> tuple[int, dict]:
        status, reply = self._answer(method, params, files)
        if method != "getUpdates":
            # Recorded once answered, so a test that sees the call can also see its message.
            result = reply.get("result")
            message_id = result.get("message_id") if isinstance(result, dict) else None
            with self._cond:
                self.calls.append(Call(method, params, files, message_id=message_id))
                self._cond.notify_all()
        return status, reply

    def _answer(self, method: str, params: dict, files: dict) -> tuple[int, dict]:
        planned = self.failures.get(method)
        if planned:
            code, description, extra = planned.pop(0)
            body = {"ok": False, "error_code": code, "description": description}
            if extra:
                body["parameters"] = extra
            return code, body
        handler = getattr(self, f"_api_{method}", None)
        try:
            result = handler(params, files) if handler else True
        except _ApiError as exc:
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
        return 200, {"ok": True, "result": result}

    # -- Bot API methods ------------------------------------------------------------------------
    def _api_getMe(self, params: dict, files: dict) -> dict:
        return BOT

    def _api_getUpdates(self, params: dict, files: dict) -> list:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        with self._cond:
            if offset:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            return list(self.updates[:limit])

    def _api_setWebhook(self, params: dict, files: dict) -> bool:
        self.webhook = params
        return True

    def _api_deleteWebhook(self, params: dict, files: dict) -> bool:
        self.webhook = None
        return True

    def _api_getWebhookInfo(self, params: dict, files: dict) -> dict:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    @staticmethod
    def _scope(params: dict) -> str:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in SCOPES:
            raise _ApiError("wrong parameter scope")
        if scope["type"].startswith("chat"):
            if "chat_id" not in scope:
                raise _ApiError("chat_id is required in this scope")
            return f"{scope['type']}:{scope['chat_id']}"
        return scope["type"]

    def _api_setMyCommands(self, params: dict, files: dict) -> bool:
        """Checks what Telegram checks: at most 100 commands, lower-case names of 1-32
        characters, descriptions of 1-256."""
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _ApiError("commands must be a list of at most 100")
        for command in commands:
            name, text = command.get("command", ""), command.get("description", "")
            if not COMMAND_NAME.fullmatch(name):
                raise _ApiError(f"BOT_COMMAND_INVALID: {name!r}")
            if not 1 <= len(text) <= 256:
                raise _ApiError(f"BOT_COMMAND_DESCRIPTION_INVALID: {name!r}")
        with self._cond:
            self.menus[self._scope(params)] = [(c["command"], c["description"]) for c in commands]
        return True

    def _api_deleteMyCommands(self, params: dict, files: dict) -> bool:
        with self._cond:
            self.menus.pop(self._scope(params), None)
        return True

    def menu(self, chat_id: int | None = None) -> list[str]:
        """The command names the menu shows in a private chat with `chat_id` (as Telegram
        resolves scopes: the chat's own, else all private chats', else the default)."""
        for key in (f"chat:{chat_id}", "all_private_chats", "default"):
            if key in self.menus:
                return [name for name, _ in self.menus[key]]
        return []

    def _check_markup(self, params: dict) -> None:
        for _, data in Call("", params).buttons:
            if len(data.encode()) > 64:
                raise _ApiError("BUTTON_DATA_INVALID")

    def _check_text(self, text: str, parse_mode: str | None, limit: int = 4096) -> None:
        visible = len(text)
        if parse_mode == "HTML":
            error, visible = check_html(text)
            if error:
                raise _ApiError(error)
        if not text.strip():
            raise _ApiError("message text is empty")
        if visible > limit:
            raise _ApiError("message is too long")

    def _new_message(self, params: dict, **content: Any) -> dict:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT,
            **content,
        }
        if "inline_keyboard" in (params.get("reply_markup") or {}):
            # Telegram returns only an inline keyboard with the message; a reply keyboard
            # (or its removal) goes to the officer's phone, not into the Message.
            message["reply_markup"] = params["reply_markup"]
        reply = params.get("reply_parameters") or {}
        original = self.messages.get((chat_id, int(reply.get("message_id", 0))))
        if original:
            message["reply_to_message"] = original
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _api_sendMessage(self, params: dict, files: dict) -> dict:
        self._check_text(params.get("text", ""), params.get("parse_mode"))
        self._check_markup(params)
        return self._new_message(params, text=params["text"])

    def _api_editMessageText(self, params: dict, files: dict) -> dict:
        self._check_text(params.get("text", ""), params.get("parse_mode"))
        self._check_markup(params)
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise _ApiError("message to edit not found")
        if message.get("text") == params["text"] and message.get("reply_markup") == params.get(
            "reply_markup"
        ):
            raise _ApiError("message is not modified")
        message["text"] = params["text"]
        message["reply_markup"] = params.get("reply_markup")
        return message

    def _api_editMessageReplyMarkup(self, params: dict, files: dict) -> dict:
        self._check_markup(params)
        message = self.messages.get((int(params["chat_id"]), int(params["message_id"])))
        if message is None:
            raise _ApiError("message to edit not found")
        message["reply_markup"] = params.get("reply_markup")
        return message

    def _api_deleteMessage(self, params: dict, files: dict) -> bool:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise _ApiError("message to delete not found")
        self.deleted[key] = self.messages.pop(key)
        return True

    def _api_answerCallbackQuery(self, params: dict, files: dict) -> bool:
        if len(params.get("text") or "") > 200:
            raise _ApiError("MESSAGE_TOO_LONG")
        return True

    def _api_answerInlineQuery(self, params: dict, files: dict) -> bool:
        results = params.get("results") or []
        if len(results) > 50:
            raise _ApiError("RESULTS_TOO_MUCH")
        ids = [str(r.get("id", "")) for r in results]
        if len(set(ids)) != len(ids) or any(not 0 < len(i.encode()) <= 64 for i in ids):
            raise _ApiError("RESULT_ID_INVALID")
        for r in results:
            content = r.get("input_message_content") or {}
            if "message_text" in content:
                self._check_text(content["message_text"], content.get("parse_mode"))
        return True

    def _api_sendDocument(self, params: dict, files: dict) -> dict:
        name, payload = files.get("document", ("file", b""))
        file_id = f"doc{next(self._ids)}"
        self.files[file_id] = payload
        return self._new_message(
            params,
            document={
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_name": name,
                "file_size": len(payload),
            },
            caption=params.get("caption"),
        )

    def _api_sendPhoto(self, params: dict, files: dict) -> dict:
        _, payload = files.get("photo", ("photo", b""))
        file_id = f"photo{next(self._ids)}"
        self.files[file_id] = payload
        size = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "width": 800,
            "height": 600,
            "file_size": len(payload),
        }
        return self._new_message(params, photo=[size], caption=params.get("caption"))

    # -- building updates ------------------------------------------------------------------------
    def push(self, update: dict) -> int:
        update = {"update_id": next(self._update_ids), **update}
        with self._cond:
            self.updates.append(update)
            self._cond.notify_all()
        return update["update_id"]

    def make_update(self, kind: str, payload: dict) -> dict:
        """An update body (without its id), for relaying to a webhook by hand."""
        return {"update_id": next(self._update_ids), kind: payload}

    @staticmethod
    def user(uid: int, first_name: str = "Officer", username: str | None = None) -> dict:
        return {
            "id": uid,
            "is_bot": False,
            "first_name": first_name,
            **({"username": username} if username else {}),
        }

    def message(
        self,
        uid: int,
        text: str | None = None,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        **extra: Any,
    ) -> dict:
        chat_id = chat_id if chat_id is not None else uid
        msg: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {
                "id": chat_id,
                "type": chat_type,
                **(
                    {"title": "Team chat"} if chat_type != "private" else {"first_name": "Officer"}
                ),
            },
            "from": self.user(uid, username=f"officer{uid}"),
            **extra,
        }
        if text is not None:
            msg["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.messages[(chat_id, msg["message_id"])] = msg
        return msg

    @staticmethod
    def sticker() -> dict:
        """The `sticker` field of a message, for "the bot cannot read this" cases."""
        return {
            "file_id": "s1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }

    def send(self, uid: int, text: str | None = None, *, edited: bool = False, **kw: Any) -> dict:
        msg = self.message(uid, text, **kw)
        if edited:
            msg["edit_date"] = int(time.time())
        self.push({"edited_message" if edited else "message": msg})
        return msg

    def press(self, uid: int, message: dict | Call, data: str) -> str:
        """Press a button under `message`; the callback query's id."""
        if isinstance(message, Call):
            message = self.result_of(message)
        return self._callback(uid, data, message=message)

    def press_inline(self, uid: int, data: str, inline_message_id: str = "inl-1") -> str:
        """A button under a message posted in inline mode: the query has no `message`."""
        return self._callback(uid, data, inline_message_id=inline_message_id)

    def _callback(self, uid: int, data: str, **where: object) -> str:
        query_id = str(next(self._ids))
        query = {"id": query_id, "from": self.user(uid), "chat_instance": "ci", **where}
        self.push({"callback_query": {**query, "data": data}})
        return query_id

    def inline(self, uid: int, query: str) -> None:
        self.push(
            {
                "inline_query": {
                    "id": str(next(self._ids)),
                    "from": self.user(uid),
                    "query": query,
                    "offset": "",
                }
            }
        )

    # -- waiting for the bot --------------------------------------------------------------------
    def sent(self, chat_id: int | None = None, method: str = "sendMessage") -> list[Call]:
        with self._cond:
            return [
                c
                for c in self.calls
                if c.method == method
                and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)
            ]

    async def wait(
        self,
        method: str = "sendMessage",
        *,
        chat_id: int | None = None,
        count: int = 1,
        after: int = 0,
        timeout: float = 5.0,
        containing: str | None = None,
    ) -> list[Call]:
        """The first `count` matching calls made after call number `after` (with `containing`,
        only those whose text holds it: the last part of a card sent as several messages)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                found = [
                    c
                    for c in self.calls[after:]
                    if c.method == method
                    and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)
                    and (containing is None or containing in c.text)
                ]
            if len(found) >= count:
                return found[:count]
            if time.monotonic() > deadline:
                seen = [
                    (c.method, c.params.get("chat_id"), c.text[:60]) for c in self.calls[after:]
                ]
                raise AssertionError(f"waited for {count} {method} to {chat_id}; saw {seen[:20]}")
            await asyncio.sleep(0.02)

    def mark(self) -> int:
        """A position in `calls`, to wait only for what happens next."""
        with self._cond:
            return len(self.calls)

    def result_of(self, call: Call) -> dict:
        """The message a send or edit call produced, as it stands now (for pressing buttons)."""
        key = (int(call.params["chat_id"]), call.message_id)
        return self.messages.get(key) or self.deleted[key]


class _ApiError(Exception):
    pass


def plain(text: str) -> str:
    """Visible text of an HTML message."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
