"""The deploy/ files say what the README promises: serve, restart on failure, read-only code."""

from __future__ import annotations

import configparser

from bot.config import Settings
from tests.support import ROOT

DEPLOY = ROOT / "deploy"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(DEPLOY / name)
    return parser


def test_the_service_runs_serve_as_its_own_user_with_only_data_writable() -> None:
    service = unit("briefing-bot.service")["Service"]
    assert service["ExecStart"].endswith("run_bot.py serve")
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # a missing token is not retried forever
    assert service["User"] == "briefing-bot" != "root"
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == "/opt/briefing-bot/data"
    example = (DEPLOY / "bot.env.example").read_text()
    assert f"DATABASE_URL=sqlite:///{service['ReadWritePaths']}/" in example
    assert service["EnvironmentFile"] == "/etc/briefing-bot/bot.env"


def test_the_environment_example_names_only_real_settings() -> None:
    names = set()
    for line in (DEPLOY / "bot.env.example").read_text().splitlines():
        line = line.lstrip("# ")
        if "=" in line and line.split("=", 1)[0].isupper():
            names.add(line.split("=", 1)[0])
    assert {"TELEGRAM_BOT_TOKEN", "ADMIN_IDS", "DATABASE_URL"} <= names
    assert {n.lower() for n in names} <= set(Settings.model_fields)
    assert "TELEGRAM_BOT_TOKEN=\n" in (DEPLOY / "bot.env.example").read_text()  # no token


def test_the_backup_timer_writes_where_the_backup_service_may() -> None:
    service = unit("briefing-bot-backup.service")["Service"]
    assert "run_bot.py backup --out /var/backups/briefing-bot/" in service["ExecStart"]
    assert "/var/backups/briefing-bot" in service["ReadWritePaths"].split()
    assert unit("briefing-bot-backup.timer")["Timer"]["OnCalendar"]
