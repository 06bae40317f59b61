"""Settings from ``ZORGTAFEL_*`` environment variables (and a ``.env`` file).

Defaults run the embedded stack for development; production refuses to start with a
missing or well-known secret and names the variable, so a misconfigured deploy fails loud.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv

ENVIRONMENTS = ("production", "development", "test")

# Development-only defaults. They are public (they are in this file), which is exactly
# why production refuses them.
DEV_SECRET_KEY = "dev-only-secret-key-not-for-production"
DEV_PSEUDONYM_KEY = "dev-only-pseudonym-key-not-for-production"
DEV_VAULT_KEY = "dev1:ZGV2LW9ubHktdmF1bHQta2V5LTMyLWJ5dGVzLSEhISE="
DEV_AUDIT_KEY = "dev-only-audit-key-not-for-production"
INSECURE_DEFAULTS = {DEV_SECRET_KEY, DEV_PSEUDONYM_KEY, DEV_VAULT_KEY, DEV_AUDIT_KEY, "", "changeme"}

#: name, default, meaning — the README's settings table is generated from this list.
SETTINGS: list[tuple[str, str, str]] = [
    ("ZORGTAFEL_ENV", "development", "`production`, `development` or `test`"),
    ("ZORGTAFEL_DATABASE_URL", "(embedded)", "a `postgresql://` URL; unset: the embedded PostgreSQL"),
    ("ZORGTAFEL_REDIS_URL", "(embedded)", "a `redis://` URL for Celery, results and rate limits; unset: the embedded Redis"),
    ("ZORGTAFEL_SECRET_KEY", "(dev only)", "session signing; required in production"),
    ("ZORGTAFEL_PSEUDONYM_KEY", "(dev only)", "keyed-hash key for pseudonyms; required in production; never in the database"),
    ("ZORGTAFEL_VAULT_KEY", "(dev only)", "key-encryption keys for the identity vault: `kid:base64key[,kid:base64key…]`, the first encrypts"),
    ("ZORGTAFEL_AUDIT_KEY", "(dev only)", "HMAC key of the audit chain; required in production"),
    ("ZORGTAFEL_AUDIT_ANCHOR_PATH", "`<data dir>/audit-anchors.log`", "append-only file the audit chain head is anchored to"),
    ("ZORGTAFEL_SMTP_HOST", "`localhost`", "outgoing e-mail server"),
    ("ZORGTAFEL_SMTP_PORT", "`25`", "its port"),
    ("ZORGTAFEL_SMTP_USER", "", "login, if the server wants one"),
    ("ZORGTAFEL_SMTP_PASSWORD", "", "password for that login"),
    ("ZORGTAFEL_SMTP_FROM", "`zorgtafel@localhost`", "sender address"),
    ("ZORGTAFEL_SMTP_TLS", "`false`", "`starttls`, `ssl` or `false`"),
    ("ZORGTAFEL_BASE_URL", "`http://127.0.0.1:5000`", "public URL used in e-mails and calendar invitations"),
    ("ZORGTAFEL_TRUSTED_PROXIES", "`0`",
     "number of reverse proxies in front that set `X-Forwarded-For`/`-Proto`/`-Host`; the client address "
     "(login throttling, audit log) is taken from them. `0`: the headers are ignored. Never more than really sit "
     "in front, or clients can forge their address"),
    ("ZORGTAFEL_SESSION_IDLE_MINUTES", "`30`", "a session ends after this much inactivity"),
    ("ZORGTAFEL_SESSION_ABSOLUTE_HOURS", "`12`", "a session ends this long after login, active or not"),
    ("ZORGTAFEL_DATA_DIR", "`./.zorgtafel`", "data folder of the embedded PostgreSQL and Redis"),
    ("ZORGTAFEL_LOG_LEVEL", "`INFO`", "log level of the JSON log lines"),
]


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message names the variable."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} moet een geheel getal zijn, niet {raw!r}") from exc


def driver_url(url: str) -> str:
    """Accept plain ``postgresql://`` and pick the psycopg 3 driver ourselves."""
    for prefix in ("postgresql+psycopg2://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith("postgresql+psycopg://"):
        return url
    raise ConfigError("ZORGTAFEL_DATABASE_URL moet een postgresql:// URL zijn")


@dataclass
class Settings:
    env: str = "development"
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: str = DEV_SECRET_KEY
    pseudonym_key: str = DEV_PSEUDONYM_KEY
    vault_key: str = DEV_VAULT_KEY
    audit_key: str = DEV_AUDIT_KEY
    audit_anchor_path: str | None = None
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "zorgtafel@localhost"
    smtp_tls: str = "false"
    base_url: str = "http://127.0.0.1:5000"
    trusted_proxies: int = 0
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    data_dir: str = ".zorgtafel"
    log_level: str = "INFO"
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> "Settings":
        load_dotenv(override=False)
        env = _env("ZORGTAFEL_ENV", "development")
        if env not in ENVIRONMENTS:
            raise ConfigError(f"ZORGTAFEL_ENV moet een van {', '.join(ENVIRONMENTS)} zijn, niet {env!r}")
        return cls(
            env=env,
            database_url=_env("ZORGTAFEL_DATABASE_URL"),
            redis_url=_env("ZORGTAFEL_REDIS_URL"),
            secret_key=_env("ZORGTAFEL_SECRET_KEY", DEV_SECRET_KEY if env != "production" else ""),
            pseudonym_key=_env("ZORGTAFEL_PSEUDONYM_KEY", DEV_PSEUDONYM_KEY if env != "production" else ""),
            vault_key=_env("ZORGTAFEL_VAULT_KEY", DEV_VAULT_KEY if env != "production" else ""),
            audit_key=_env("ZORGTAFEL_AUDIT_KEY", DEV_AUDIT_KEY if env != "production" else ""),
            audit_anchor_path=_env("ZORGTAFEL_AUDIT_ANCHOR_PATH"),
            smtp_host=_env("ZORGTAFEL_SMTP_HOST", "localhost"),
            smtp_port=_int("ZORGTAFEL_SMTP_PORT", 25),
            smtp_user=_env("ZORGTAFEL_SMTP_USER"),
            smtp_password=_env("ZORGTAFEL_SMTP_PASSWORD"),
            smtp_from=_env("ZORGTAFEL_SMTP_FROM", "zorgtafel@localhost"),
            smtp_tls=_env("ZORGTAFEL_SMTP_TLS", "false").lower(),
            base_url=_env("ZORGTAFEL_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
            trusted_proxies=_int("ZORGTAFEL_TRUSTED_PROXIES", 0),
            session_idle_minutes=_int("ZORGTAFEL_SESSION_IDLE_MINUTES", 30),
            session_absolute_hours=_int("ZORGTAFEL_SESSION_ABSOLUTE_HOURS", 12),
            data_dir=_env("ZORGTAFEL_DATA_DIR", ".zorgtafel"),
            log_level=_env("ZORGTAFEL_LOG_LEVEL", "INFO").upper(),
        )

    def validate(self) -> None:
        if self.env == "production":
            for name, value in (
                ("ZORGTAFEL_SECRET_KEY", self.secret_key),
                ("ZORGTAFEL_PSEUDONYM_KEY", self.pseudonym_key),
                ("ZORGTAFEL_VAULT_KEY", self.vault_key),
                ("ZORGTAFEL_AUDIT_KEY", self.audit_key),
            ):
                if value in INSECURE_DEFAULTS:
                    raise ConfigError(
                        f"{name} ontbreekt of heeft een standaardwaarde; in productie is een eigen geheim verplicht"
                    )
                if name != "ZORGTAFEL_VAULT_KEY" and len(value) < 32:
                    raise ConfigError(f"{name} is te kort: gebruik minstens 32 tekens")
            if not self.database_url:
                raise ConfigError("ZORGTAFEL_DATABASE_URL ontbreekt; in productie draait geen ingebouwde database")
            if not self.redis_url:
                raise ConfigError("ZORGTAFEL_REDIS_URL ontbreekt; in productie draait geen ingebouwde Redis")
        if self.smtp_tls not in ("false", "starttls", "ssl"):
            raise ConfigError("ZORGTAFEL_SMTP_TLS moet false, starttls of ssl zijn")
        if not 0 <= self.trusted_proxies <= 10:
            raise ConfigError("ZORGTAFEL_TRUSTED_PROXIES moet 0 tot en met 10 zijn (het aantal proxy's voor de app)")
        if self.session_idle_minutes < 1 or self.session_absolute_hours < 1:
            raise ConfigError("ZORGTAFEL_SESSION_IDLE_MINUTES en _ABSOLUTE_HOURS moeten positief zijn")
        from zorgtafel.core.crypto import parse_vault_keys  # the vault key format is the crypto room's

        parse_vault_keys(self.vault_key)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).resolve()

    def flask_config(self) -> dict:
        """Translate into the Flask and extension config keys."""
        https = self.base_url.startswith("https://")
        return {
            "ZORGTAFEL_ENV": self.env,
            "SECRET_KEY": self.secret_key,
            "PSEUDONYM_KEY": self.pseudonym_key,
            "VAULT_KEY": self.vault_key,
            "AUDIT_KEY": self.audit_key,
            "AUDIT_ANCHOR_PATH": self.audit_anchor_path or str(self.data_path / "audit-anchors.log"),
            "SQLALCHEMY_DATABASE_URI": driver_url(self.database_url) if self.database_url else None,
            # hide_parameters: a database error must never write signal text into the logs.
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
            "REDIS_URL": self.redis_url,
            "SMTP_HOST": self.smtp_host,
            "SMTP_PORT": self.smtp_port,
            "SMTP_USER": self.smtp_user,
            "SMTP_PASSWORD": self.smtp_password,
            "SMTP_FROM": self.smtp_from,
            "SMTP_TLS": self.smtp_tls,
            "BASE_URL": self.base_url,
            "TRUSTED_PROXIES": self.trusted_proxies,
            "SESSION_IDLE_MINUTES": self.session_idle_minutes,
            "SESSION_ABSOLUTE_HOURS": self.session_absolute_hours,
            "DATA_DIR": str(self.data_path),
            "LOG_LEVEL": self.log_level,
            "TESTING": self.env == "test",
            "SESSION_COOKIE_NAME": "zorgtafel_session",
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": https,
            "PREFERRED_URL_SCHEME": "https" if https else "http",
            "REMEMBER_COOKIE_DURATION": 0,
            "WTF_CSRF_TIME_LIMIT": None,  # the session's own timeouts bound a token's life
            "BABEL_DEFAULT_LOCALE": "nl",
            "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
            "RATELIMIT_HEADERS_ENABLED": True,
            "RATELIMIT_KEY_PREFIX": "zorgtafel",
        }
