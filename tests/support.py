"""What tests and benchmarks share: the project's paths, the command line run in-process or as a
real process, and the real bot running against the Bot API stand-in (tests/botapi.py), talked to
like an officer."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.config import Settings
from bot.core.access.users import Role, User
from bot.core.clock import now
from bot.core.services import Knowledge
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.services import BotServices
from tests.botapi import TOKEN, Call, FakeBotAPI

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
ADMIN = 900001
# Settings a test's command must not inherit from the developer's shell.
PRIVATE_ENV = ("TELEGRAM_", "WEBHOOK_", "NOTES_CHAIN_KEY", "ADMIN_IDS")


def command_env(**env: str) -> dict[str, str]:
    """This process's environment without the bot's private settings, plus `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(PRIVATE_ENV)}
    clean.setdefault("LOG_LEVEL", "WARNING")
    clean.update(env)
    return clean


def bot_env(api: FakeBotAPI, tmp_path: Path | None = None, **env: str) -> dict[str, str]:
    """The environment of a real bot process talking to the stand-in (on a fresh SQLite file in
    `tmp_path`, or give DATABASE_URL)."""
    values = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "ADMIN_IDS": str(ADMIN),
    }
    if tmp_path is not None:
        values["DATABASE_URL"] = f"sqlite:///{tmp_path / 'bot.db'}"
    return command_env(**{**values, **env})


def run_bot(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """`python run_bot.py ARGS` as a real process (for what only a process shows: exit, signals,
    the real start-up). Most command-line tests use `cli`, the same `main` in this process."""
    return subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=command_env(**env),
        timeout=120,
    )


def start_bot_process(
    *args: str, env: dict[str, str], stderr: Any = subprocess.PIPE
) -> subprocess.Popen:
    """`python run_bot.py ARGS` started as deployed (no terminal), for a test to talk to and
    stop; its standard error as text (`stderr`: PIPE, a file, or DEVNULL)."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "run_bot.py"), *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
    )


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _logging_restored() -> Iterator[None]:
    """`main` configures logging for its process; put the test process's back afterwards."""
    root = logging.getLogger()
    handlers = [(h, h.formatter, list(h.filters)) for h in root.handlers]
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    root_level = root.level
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            if handler not in [h for h, _, _ in handlers]:
                root.removeHandler(handler)
        for handler, formatter, filters in handlers:
            handler.setFormatter(formatter)
            handler.filters = filters
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        root.setLevel(root_level)


_LOADED: dict[tuple, object] = {}


def _fingerprint(root: Path) -> tuple:
    """Every file under `root` with its size and modification time: what a load reads."""
    return tuple(sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")))


@contextlib.contextmanager
def _knowledge_reused() -> Iterator[None]:
    """Within `cli`, a knowledge folder whose files have not changed since an earlier command
    loaded or checked it gives that same result: each command still reads its KNOWLEDGE_DIR,
    without the half second of indexing per test. A changed or different folder is read afresh.
    """
    import bot.cli
    import bot.core.knowledge.check

    # `kb check` and the doctor import check_knowledge when they run: patched at its home.
    places = [(bot.cli, "load_knowledge"), (bot.core.knowledge.check, "check_knowledge")]
    originals = [getattr(module, name) for module, name in places]

    def reusing(read: Any) -> Any:
        def reuse(root: Path, *args: Any, **kw: Any) -> Any:
            key = (read, str(root), args, tuple(sorted(kw.items())), _fingerprint(Path(root)))
            if key not in _LOADED:
                _LOADED[key] = read(root, *args, **kw)
            return _LOADED[key]

        return reuse

    for (module, name), read in zip(places, originals, strict=True):
        setattr(module, name, reusing(read))
    try:
        yield
    finally:
        for (module, name), read in zip(places, originals, strict=True):
            setattr(module, name, read)


def cli(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    """`run_bot.py ARGS` through `bot.cli.main` in this process: the same parsing, settings,
    exit codes and output as the real process, without a second of interpreter start-up."""
    from bot.cli import main
    from bot.core.notes import log as notes

    key = notes.chain_key()  # `main` sets the process's chain key from NOTES_CHAIN_KEY
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # a real one: exports write bytes
    err = io.StringIO()
    umask = os.umask(0o022)
    os.umask(umask)
    with (
        _environment(command_env(**env)),
        _logging_restored(),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        _stdin(stdin),
        _knowledge_reused(),
    ):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        finally:
            os.umask(umask)
            notes.use_chain_key(key.decode() if key else None)
    out.flush()
    stdout = out.buffer.getvalue().decode()  # type: ignore[attr-defined]
    return subprocess.CompletedProcess(["run_bot.py", *args], code, stdout, err.getvalue())


@contextlib.contextmanager
def _stdin(text: str) -> Iterator[None]:
    saved = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved


def settings_for(api: FakeBotAPI, database_url: str, **extra: object) -> Settings:
    values: dict = {
        "telegram_bot_token": TOKEN,
        "telegram_api_base_url": api.base_url,
        "telegram_api_file_url": api.file_url,
        "database_url": database_url,
        "admin_ids": frozenset({ADMIN}),
        "telegram_max_rate": 1000,
    }
    values.update(extra)
    return Settings(_env_file=None, **values)


def answered_topic(knowledge: Knowledge, question: str) -> str | None:
    """The id of the topic whose answer is the first reply (a scene's or an offence's counts),
    None when the reply is no answer (did you mean, refusal, small talk)."""
    reply = knowledge.responder.respond(question)
    return reply.topic.id if reply.answered and reply.topic is not None else None


@dataclass
class Harness:
    api: FakeBotAPI
    app: Application

    @property
    def services(self) -> BotServices:
        return self.app.bot_data["services"]

    async def enrol(self, uid: int, role: Role = Role.OFFICER, name: str = "Test Officer") -> None:
        """Enrol directly in the database (the /start CODE path has its own tests)."""

        def create() -> None:
            User.insert(
                id=uid,
                name=name,
                username=f"officer{uid}",
                role=role.value,
                active=True,
                enrolled_at=now(),
            ).on_conflict_replace().execute()

        await self.services.store.run(create)

    async def say(
        self, uid: int, text: str | None = None, count: int = 1, **kw: object
    ) -> list[Call]:
        """Send a message as `uid` and wait for the bot's `count` replies in that chat."""
        mark = self.api.mark()
        self.api.send(uid, text, **kw)
        chat = kw.get("chat_id", uid)
        return await self.api.wait("sendMessage", chat_id=chat, count=count, after=mark)

    async def press(
        self, uid: int, reply: Call, data: str, method: str = "sendMessage", count: int = 1
    ) -> list[Call]:
        mark = self.api.mark()
        self.api.press(uid, reply, data)
        return await self.api.wait(method, count=count, after=mark)


async def start_bot(settings: Settings, knowledge: Knowledge) -> Application:
    app = build_application(settings, knowledge=knowledge)
    await app.initialize()
    await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
    return app


async def stop_bot(app: Application) -> None:
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    await app.post_shutdown(app)


@asynccontextmanager
async def running_bot(
    api: FakeBotAPI, knowledge: Knowledge, database_url: str, **settings: object
) -> AsyncIterator[Harness]:
    """A bot with settings of the test's own, stopped however the test ends."""
    app = await start_bot(settings_for(api, database_url, **settings), knowledge)
    try:
        yield Harness(api, app)
    finally:
        await stop_bot(app)


def stamp_newer_schema(db_url: str) -> None:
    """Make the database at `db_url` claim a schema version newer than this code knows."""
    from bot.core.storage.db import open_database
    from bot.core.storage.migrations import latest
    from bot.core.storage.schema import MODELS

    db = open_database(db_url, MODELS)
    with db.connection_context():
        db.execute_sql(
            f"INSERT INTO schema_version (version, applied_at) VALUES ({latest() + 1}, "
            "CURRENT_TIMESTAMP)"
        )
    db.close()
