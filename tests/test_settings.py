"""Settings: production refuses missing or default secrets and says which."""

from __future__ import annotations

import pytest

from zorgtafel.config import DEV_SECRET_KEY, ConfigError, Settings, driver_url
from zorgtafel.core.crypto import new_vault_key_spec

STRONG = "x" * 40


def production(**overrides) -> Settings:
    values = dict(env="production", database_url="postgresql://db/zt", redis_url="redis://r:6379/0",
                  secret_key=STRONG, pseudonym_key=STRONG + "p", vault_key=new_vault_key_spec("k1"),
                  audit_key=STRONG + "a")
    values.update(overrides)
    return Settings(**values)


def test_production_with_real_secrets_is_accepted():
    production().validate()


@pytest.mark.parametrize("field,variable", [
    ("secret_key", "ZORGTAFEL_SECRET_KEY"),
    ("pseudonym_key", "ZORGTAFEL_PSEUDONYM_KEY"),
    ("audit_key", "ZORGTAFEL_AUDIT_KEY"),
])
@pytest.mark.parametrize("value", ["", DEV_SECRET_KEY, "changeme"])
def test_production_refuses_missing_or_default_secret(field, variable, value):
    from zorgtafel import config

    defaults = {"secret_key": DEV_SECRET_KEY, "pseudonym_key": config.DEV_PSEUDONYM_KEY,
                "audit_key": config.DEV_AUDIT_KEY}
    for candidate in (value, defaults[field]):
        with pytest.raises(ConfigError, match=variable):
            production(**{field: candidate}).validate()


def test_production_refuses_short_secret():
    with pytest.raises(ConfigError, match="ZORGTAFEL_SECRET_KEY is te kort"):
        production(secret_key="kort").validate()


def test_production_refuses_dev_vault_key():
    from zorgtafel.config import DEV_VAULT_KEY

    with pytest.raises(ConfigError, match="ZORGTAFEL_VAULT_KEY"):
        production(vault_key=DEV_VAULT_KEY).validate()


def test_production_needs_database_and_redis():
    with pytest.raises(ConfigError, match="ZORGTAFEL_DATABASE_URL"):
        production(database_url=None).validate()
    with pytest.raises(ConfigError, match="ZORGTAFEL_REDIS_URL"):
        production(redis_url=None).validate()


def test_create_app_refuses_production_defaults(monkeypatch):
    from zorgtafel import create_app

    monkeypatch.setenv("ZORGTAFEL_ENV", "production")
    monkeypatch.delenv("ZORGTAFEL_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="ZORGTAFEL_SECRET_KEY"):
        create_app()


def test_bad_values_are_named(monkeypatch):
    monkeypatch.setenv("ZORGTAFEL_ENV", "staging")
    with pytest.raises(ConfigError, match="ZORGTAFEL_ENV"):
        Settings.from_env()
    monkeypatch.setenv("ZORGTAFEL_ENV", "development")
    monkeypatch.setenv("ZORGTAFEL_SESSION_IDLE_MINUTES", "dertig")
    with pytest.raises(ConfigError, match="ZORGTAFEL_SESSION_IDLE_MINUTES"):
        Settings.from_env()


def test_vault_key_format_checked():
    with pytest.raises(Exception, match="ZORGTAFEL_VAULT_KEY"):
        production(vault_key="k1:bm90LTMyLWJ5dGVz").validate()


def test_driver_is_chosen_for_plain_postgresql_urls():
    assert driver_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert driver_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    with pytest.raises(ConfigError):
        driver_url("mysql://u@h/db")
