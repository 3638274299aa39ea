"""`run_bot.py doctor` and `serve` as an administrator runs them: real processes, real output."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from bot.core.storage.db import open_database, sqlite_path
from bot.core.storage.migrations import latest
from bot.core.storage.schema import MODELS
from tests.botapi import TOKEN, FakeBotAPI
from tests.support import KNOWLEDGE, ROOT, bot_env, cli, stamp_newer_schema, start_bot_process

SECRET = TOKEN.split(":", 1)[1]


def create(url: str) -> None:
    open_database(url, MODELS).close()
    path = sqlite_path(url)
    if path is not None:
        path.chmod(0o600)


def api_env(api: FakeBotAPI, **extra: str) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url, **extra}


def statuses(stdout: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        status, rest = line.split(None, 1)
        found.setdefault(status, []).append(rest)
    return found


def test_doctor_passes_a_healthy_setup(db_url: str, botapi: FakeBotAPI) -> None:
    create(db_url)
    out = cli("doctor", DATABASE_URL=db_url, **api_env(botapi, ADMIN_IDS="424242"))
    assert out.returncode == 0, out.stdout + out.stderr
    lines = statuses(out.stdout)
    assert set(lines) <= {"ok", "warn", "skip"}, out.stdout
    ok = "\n".join(lines["ok"])
    for expected in (
        "settings: ",
        "knowledge: ",
        "database: reachable",
        "database: writable",
        f"schema: version {latest()} (current)",
        "Bot API: @",
        "webhook: none (long polling)",
        "time zone: Europe/London",
    ):
        assert expected in ok, expected
    if "sqlite" in db_url:
        assert "sqlite: journal_mode=wal, synchronous=FULL" in ok
        assert "permissions: " in ok and "0600" in ok
    assert SECRET not in out.stdout + out.stderr
    assert [c.method for c in botapi.calls] == ["getMe", "getWebhookInfo"]


def test_doctor_names_every_failure(db_url: str, botapi: FakeBotAPI) -> None:
    create(db_url)
    stamp_newer_schema(db_url)
    path = sqlite_path(db_url)
    if path is not None:
        path.chmod(0o644)
    botapi.failures["getMe"] = [(401, "Unauthorized", {})]
    out = cli("doctor", DATABASE_URL=db_url, **api_env(botapi))
    assert out.returncode == 1
    failed = "\n".join(statuses(out.stdout)["FAIL"])
    assert "Bot API: " in failed and "token was rejected (401)" in failed
    assert f"schema: version {latest() + 1} is newer" in failed
    if path is not None:
        assert "permissions: " in failed and "0644" in failed
    assert SECRET not in out.stdout + out.stderr
    assert "warn  settings: ADMIN_IDS is empty" in out.stdout


def test_doctor_without_a_token_skips_the_bot_api(tmp_path: Path) -> None:
    out = cli("doctor", DATABASE_URL=f"sqlite:///{tmp_path / 'new' / 'bot.db'}")
    assert out.returncode == 0, out.stdout
    assert "skip  Bot API: no TELEGRAM_BOT_TOKEN" in out.stdout
    assert "does not exist yet: created at first start" in out.stdout
    assert not (tmp_path / "new" / "bot.db").exists()  # the doctor changes nothing


def test_doctor_reports_bad_settings_as_a_failed_check(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    out = cli("doctor", DATABASE_URL=url, TELEGRAM_BOT_TOKEN="nope")
    assert out.returncode == 1
    assert out.stdout.startswith("FAIL  settings: TELEGRAM_BOT_TOKEN")
    assert "nope" not in out.stdout


def test_env_file_is_read_from_the_project_root_wherever_started(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "bot", project / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "run_bot.py", project)
    (project / ".env").write_text(
        f"TIMEZONE=Pacific/Auckland\nKNOWLEDGE_DIR={KNOWLEDGE}\n"
        f"DATABASE_URL=sqlite:///{tmp_path / 'bot.db'}\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TIMEZONE"))}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, str(project / "run_bot.py"), "doctor"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert f".env at {project / '.env'}" in out.stdout
    assert "time zone: Pacific/Auckland" in out.stdout


def test_serve_without_a_token_exits_2_with_one_line(tmp_path: Path) -> None:
    out = cli("serve", DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}")
    assert out.returncode == 2
    [line] = out.stderr.strip().splitlines()
    assert "TELEGRAM_BOT_TOKEN" in line
    assert out.stdout == ""


def test_plain_run_says_which_mode_it_started_in(tmp_path: Path) -> None:
    out = cli(DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}")  # no token, empty standard input
    assert out.returncode == 0
    assert "terminal chat" in out.stderr and "serve" in out.stderr


async def test_serve_runs_the_telegram_bot(botapi: FakeBotAPI, tmp_path: Path) -> None:
    bot = start_bot_process("serve", env=bot_env(botapi, tmp_path))
    try:
        await botapi.wait("deleteWebhook", timeout=30)
        mark = botapi.mark()
        botapi.send(800077, "/whoami")  # a stranger: the bot is up and polling
        [reply] = await botapi.wait("sendMessage", chat_id=800077, after=mark, timeout=10)
        assert "800077" in reply.text
    finally:
        bot.send_signal(signal.SIGINT)
        _, stderr = bot.communicate(timeout=30)
    assert bot.returncode == 0, stderr
    assert "starting the Telegram bot (long polling)" in stderr
    assert SECRET not in stderr
