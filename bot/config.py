"""Settings read from the environment (and an optional `.env`), validated once at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
ENV_FILE = ROOT / ".env"  # beside run_bot.py, wherever the command is started from
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BaseSettings):
    """Every knob of the bot; names match the environment variables in the README."""

    model_config = SettingsConfigDict(env_file=ENV_FILE, env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str | None = None
    database_url: str = f"sqlite:///{ROOT / 'data' / 'bot.db'}"
    knowledge_dir: Path = ROOT / "knowledge"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"  # behind a TLS reverse proxy (README)
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_path: str = "telegram"
    telegram_max_rate: float = Field(default=30, gt=0)  # messages a second, Telegram's own cap
    rate_limit_per_minute: int = Field(default=20, ge=1)
    notes_chain_key: SecretStr | None = None  # makes note hashes HMACs; keep it off the database
    notes_retention_days: int = Field(default=365 * 7, ge=1)
    gaps_retention_days: int = Field(default=90, ge=1)  # unanswered questions and feedback
    timezone: str = "Europe/London"
    log_level: str = "INFO"

    def secrets(self) -> list[str]:
        """Every secret setting, for the log redaction filter."""
        values = [self.telegram_bot_token, self.webhook_secret, self.notes_chain_key]
        return [v.get_secret_value() for v in values if v is not None]

    @property
    def zone(self) -> ZoneInfo:
        """TIMEZONE as a zone; the validator below has already proved it loads."""
        return ZoneInfo(self.timezone)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (an IANA name such as Europe/London)"
            ) from None
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LEVELS:
            raise ValueError(f"unknown log level {value!r} (one of {', '.join(LEVELS)})")
        return level

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept `ADMIN_IDS=1,2 3` as well as a list."""
        if isinstance(value, str):
            parts = [p for p in value.replace(",", " ").split() if p]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError as exc:
                raise ValueError(
                    f"ADMIN_IDS must be numeric Telegram user ids, got {value!r}"
                ) from exc
        return value

    @field_validator("telegram_bot_token", "notes_chain_key", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            secret = value.get_secret_value()
            if not 1 <= len(secret) <= 256 or not all(c.isalnum() or c in "_-" for c in secret):
                raise ValueError(
                    "WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ or -"
                )
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            head, sep, tail = value.get_secret_value().partition(":")
            if not (sep and head.isdigit() and tail):
                raise ValueError(
                    "TELEGRAM_BOT_TOKEN must look like 123456:ABC... (from @BotFather)"
                )
        return value


class SettingsError(Exception):
    """A missing or malformed setting, with a message fit for the terminal."""


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's error into one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = "_".join(str(p) for p in err["loc"]).upper() or "settings"
            lines.append(f"{name}: {err['msg']}")
        raise SettingsError("Invalid configuration:\n  " + "\n  ".join(lines)) from None
