"""`run_bot.py doctor`: every reason the bot would not start or serve, one line per check.

Each line reads `ok`, `warn`, `skip` or `FAIL`, then what was checked. Any FAIL makes the exit
status 1. Nothing secret is printed: the token never, the database URL without its password.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TextIO

from bot.config import ENV_FILE, Settings

MAX_CLOCK_SKEW = 60  # seconds; Telegram's Date header against this machine's clock


@dataclass(frozen=True)
class Check:
    status: str  # ok | warn | skip | FAIL
    name: str
    detail: str

    def __str__(self) -> str:
        return f"{self.status:<5} {self.name}: {self.detail}"


def run_doctor(settings: Settings, out: TextIO | None = None) -> int:
    checks: list[Callable[[Settings], list[Check]]] = [
        _settings,
        _knowledge,
        _database,
        _bot_api,
        _timezone,
    ]
    out = out or sys.stdout  # at call time: the caller may have redirected it
    failed = False
    for check in checks:
        try:
            results = check(settings)
        except Exception as exc:  # a check that crashes is a failed check, not a traceback
            results = [Check("FAIL", check.__name__.strip("_"), f"{type(exc).__name__}")]
        for result in results:
            out.write(f"{result}\n")
            failed |= result.status == "FAIL"
    out.flush()
    return 1 if failed else 0


def settings_failure(message: str, out: TextIO | None = None) -> int:
    """The doctor's answer when the settings do not even load."""
    out = out or sys.stdout  # at call time: the caller may have redirected it
    for line in message.splitlines()[1:] or [message]:
        out.write(f"{Check('FAIL', 'settings', line.strip())}\n")
    return 1


def _settings(settings: Settings) -> list[Check]:
    env = (
        f".env at {ENV_FILE}" if ENV_FILE.exists() else f"no .env at {ENV_FILE} (environment only)"
    )
    mode = "Telegram" if settings.telegram_bot_token else "terminal chat (no TELEGRAM_BOT_TOKEN)"
    if settings.webhook_url:
        mode += f", webhook {settings.webhook_url}"
    elif settings.telegram_bot_token:
        mode += ", long polling"
    checks = [Check("ok", "settings", f"{env}; {mode}")]
    if not settings.admin_ids:
        checks.append(
            Check(
                "warn",
                "settings",
                "ADMIN_IDS is empty: nobody can invite officers (send /whoami to the bot, then "
                "put your id in ADMIN_IDS)",
            )
        )
    else:
        checks.append(Check("ok", "settings", f"{len(settings.admin_ids)} admin id(s)"))
    return checks


def _knowledge(settings: Settings) -> list[Check]:
    from bot.core.knowledge.check import check_knowledge

    kb, problems = check_knowledge(settings.knowledge_dir)
    errors = sum(p.level == "error" for p in problems)
    detail = (
        f"{settings.knowledge_dir}: {len(kb.topics)} topics, {errors} errors, "
        f"{len(problems) - errors} warnings"
    )
    if errors:
        return [Check("FAIL", "knowledge", detail + " (run `run_bot.py kb check`)")]
    return [Check("warn" if problems else "ok", "knowledge", detail)]


def _database(settings: Settings) -> list[Check]:
    from bot.core.storage import migrations
    from bot.core.storage.backup import redacted_url
    from bot.core.storage.db import connect_url, is_sqlite, sqlite_path

    url = settings.database_url
    shown = redacted_url(url)
    path = sqlite_path(url)
    checks: list[Check] = []
    if path is not None and not path.exists():
        folder = path.parent
        if folder.exists() and not os.access(folder, os.W_OK):
            return [Check("FAIL", "database", f"{folder} is not writable: cannot create {path}")]
        return [Check("ok", "database", f"{path} does not exist yet: created at first start")]
    try:
        db = connect_url(url)
        db.connect()
    except Exception as exc:
        return [Check("FAIL", "database", f"cannot connect to {shown} ({type(exc).__name__})")]
    try:
        checks.append(Check("ok", "database", f"reachable: {shown}"))
        try:
            with db.atomic() as txn:
                db.execute_sql("CREATE TABLE doctor_probe (x INTEGER)")
                db.execute_sql("INSERT INTO doctor_probe (x) VALUES (1)")
                txn.rollback()
            checks.append(Check("ok", "database", "writable"))
        except Exception as exc:
            checks.append(Check("FAIL", "database", f"not writable ({type(exc).__name__})"))
        version, latest = migrations.current_version(db), migrations.latest()
        if version > latest:
            checks.append(
                Check("FAIL", "schema", f"version {version} is newer than this code ({latest})")
            )
        elif version < latest:
            state = "empty" if version == 0 else f"version {version}"
            checks.append(
                Check(
                    "warn",
                    "schema",
                    f"{state}, code {latest}: upgraded at the next start "
                    "(or `run_bot.py db upgrade`; take a backup first)",
                )
            )
        else:
            checks.append(Check("ok", "schema", f"version {version} (current)"))
        if is_sqlite(db):
            checks += _sqlite_checks(db, path)
    finally:
        db.close()
    return checks


def _sqlite_checks(db, path) -> list[Check]:
    journal = db.execute_sql("PRAGMA journal_mode").fetchone()[0]
    synchronous = db.execute_sql("PRAGMA synchronous").fetchone()[0]
    level = ["OFF", "NORMAL", "FULL", "EXTRA"][synchronous]
    checks = [
        Check(
            "ok" if journal == "wal" and synchronous == 2 else "FAIL",
            "sqlite",
            f"journal_mode={journal}, synchronous={level} (want wal, FULL)",
        )
    ]
    if path is None:
        return checks
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o007:
        checks.append(
            Check("FAIL", "permissions", f"{path} is {mode:04o}: others can read it; chmod 600")
        )
    elif mode & 0o070:
        checks.append(Check("warn", "permissions", f"{path} is {mode:04o}; 0600 is enough"))
    else:
        checks.append(Check("ok", "permissions", f"{path} is {mode:04o}"))
    folder = path.parent
    if not os.access(folder, os.W_OK):
        checks.append(Check("FAIL", "permissions", f"{folder} is not writable (WAL needs it)"))
    elif stat.S_IMODE(folder.stat().st_mode) & 0o002:
        checks.append(Check("FAIL", "permissions", f"{folder} is writable by anyone"))
    return checks


def _bot_api(settings: Settings) -> list[Check]:
    import httpx

    if settings.telegram_bot_token is None:
        return [Check("skip", "Bot API", "no TELEGRAM_BOT_TOKEN: the terminal chat needs none")]
    token = settings.telegram_bot_token.get_secret_value()
    base = settings.telegram_api_base_url
    try:
        with httpx.Client(timeout=10) as client:
            me = client.get(f"{base}{token}/getMe")
            if me.status_code == 401:
                return [Check("FAIL", "Bot API", f"{base}: the token was rejected (401)")]
            data = me.json()
            if not data.get("ok"):
                return [Check("FAIL", "Bot API", f"getMe: {data.get('description', '?')}")]
            bot = data["result"]
            hook = client.get(f"{base}{token}/getWebhookInfo").json().get("result", {})
    except (httpx.HTTPError, ValueError) as exc:
        return [Check("FAIL", "Bot API", f"cannot reach {base} ({type(exc).__name__})")]
    checks = [Check("ok", "Bot API", f"@{bot.get('username')} (id {bot.get('id')}) at {base}")]
    checks.append(_webhook_check(settings, hook))
    server_time = me.headers.get("date")
    if server_time:
        skew = abs((datetime.now(UTC) - parsedate_to_datetime(server_time)).total_seconds())
        if skew > MAX_CLOCK_SKEW:
            checks.append(Check("FAIL", "clock", f"{skew:.0f} s away from the Bot API's clock"))
    return checks


def _webhook_check(settings: Settings, hook: dict) -> Check:
    url = hook.get("url") or ""
    pending = hook.get("pending_update_count", 0)
    error = hook.get("last_error_message")
    if settings.webhook_url:
        if not url:
            return Check("ok", "webhook", f"none set yet; the bot sets {settings.webhook_url}")
        if url != settings.webhook_url:
            return Check("warn", "webhook", f"set to {url}, not WEBHOOK_URL; the bot resets it")
        if error:
            return Check("FAIL", "webhook", f"Telegram reports: {error} ({pending} pending)")
        return Check("ok", "webhook", f"{url} ({pending} pending updates)")
    if url:
        return Check(
            "warn",
            "webhook",
            f"set to {url}; long polling removes it (is another instance running as a webhook?)",
        )
    return Check("ok", "webhook", "none (long polling)")


def _timezone(settings: Settings) -> list[Check]:
    zone = settings.zone  # a bad TIMEZONE has already failed the settings
    utc = datetime.now(UTC)
    local = utc.astimezone(zone)
    return [
        Check(
            "ok",
            "time zone",
            f"{settings.timezone}: {local:%H:%M} {local.tzname()}, {utc:%H:%M} UTC",
        )
    ]
