"""Test setup: one PostgreSQL database per session, built by ``alembic upgrade head``;
each test inside a transaction that is rolled back (requests commit savepoints).

Services: ``ZORGTAFEL_TEST_DATABASE_URL`` / ``ZORGTAFEL_TEST_REDIS_URL`` where set (the
project machine and CI), else the embedded PostgreSQL and Redis from the pip wheels.
Every session gets its own database and its own Redis key prefix, so parallel runs on one
machine do not see each other.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest
import redis as redis_lib
from sqlalchemy import text

from zorgtafel import create_app
from zorgtafel.config import driver_url
from zorgtafel.extensions import db

pytest_plugins = ["tests.helpers.fixtures", "tests.helpers.people"]

RUN_ID = secrets.token_hex(4)


class Services:
    def __init__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="zt-test-"))
        self.admin_url = os.environ.get("ZORGTAFEL_TEST_DATABASE_URL")
        self.redis_url = os.environ.get("ZORGTAFEL_TEST_REDIS_URL")
        self._embedded_pg = None
        self._embedded_redis = None

    def start(self) -> None:
        self._start_servers()
        # A create_app() without config in this process (importing ``worker`` makes one)
        # must use this session's services, never start the embedded stack in ./.zorgtafel
        # (the developer's demo data).
        self._saved_env = {k: os.environ.get(k) for k in ("ZORGTAFEL_DATABASE_URL", "ZORGTAFEL_REDIS_URL")}
        os.environ["ZORGTAFEL_DATABASE_URL"] = self.admin_url
        os.environ["ZORGTAFEL_REDIS_URL"] = self.redis_url

    def _start_servers(self) -> None:
        if self.admin_url and self.redis_url:
            return
        # Embedded servers are ours to stop: make a SIGTERM (CI timeout, a killed job)
        # unwind like Ctrl-C, so the session teardown below still runs.
        import signal

        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            if not self.admin_url:
                from zorgtafel.core.embedded import EmbeddedPostgres

                self._embedded_pg = EmbeddedPostgres(self.tmp)
                self.admin_url = self._embedded_pg.start()
            if not self.redis_url:
                from zorgtafel.core.embedded import EmbeddedRedis

                self._embedded_redis = EmbeddedRedis(self.tmp / "redis")
                self.redis_url = self._embedded_redis.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for key, value in getattr(self, "_saved_env", {}).items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if self._embedded_redis:
            self._embedded_redis.stop()
        if self._embedded_pg:
            self._embedded_pg.stop()  # before its folder goes
        shutil.rmtree(self.tmp, ignore_errors=True)


def _psycopg_url(url: str) -> str:
    return driver_url(url).replace("postgresql+psycopg://", "postgresql://")


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(driver_url(url)).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def services():
    s = Services()
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def database_url(services):
    name = f"zorgtafel_test_{RUN_ID}"
    with psycopg.connect(_psycopg_url(services.admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(services.admin_url, name)
    yield url
    with psycopg.connect(_psycopg_url(services.admin_url), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def make_test_config(services, database_url, **extra) -> dict:
    prefix = f"zt-test-{RUN_ID}:"
    config = {
        "ZORGTAFEL_ENV": "test",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": services.redis_url,
        "CELERY_KEY_PREFIX": prefix,
        "CELERY_QUEUE": f"zorgtafel-test-{RUN_ID}",
        "RATELIMIT_KEY_PREFIX": prefix,
        "BASE_URL": "http://zorgtafel.test",
        "SERVER_NAME": None,
        "AUDIT_ANCHOR_PATH": str(services.tmp / "audit-anchors.log"),
        "LOG_LEVEL": "WARNING",
        # Login throttles are tested on purpose; elsewhere they would trip over the suite.
        "LOGIN_LIMIT_IP": "10000 per minute",
        "LOGIN_LIMIT_ACCOUNT": "10000 per minute",
        "SECOND_FACTOR_LIMIT": "10000 per minute",
    }
    config.update(extra)
    return config


@pytest.fixture(scope="session")
def app(services, database_url):
    application = create_app(make_test_config(services, database_url))
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
    return application


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Bind every session to one connection inside a transaction rolled back after the
    test; commits inside become savepoint releases."""
    if request.node.get_closest_marker("committed"):
        yield None
        return
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    db.session.session_factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield connection
    finally:
        db.session.session_factory.configure(bind=None, join_transaction_mode="conditional_savepoint")
        if outer.is_active:
            outer.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def _reset_rate_limits(app, services):
    yield
    client = redis_lib.Redis.from_url(services.redis_url)
    for key in client.scan_iter(f"*{app.config['RATELIMIT_KEY_PREFIX']}*", count=500):
        client.delete(key)
    from zorgtafel.extensions import limiter

    if limiter._storage and getattr(limiter, "_fallback_storage", None):
        limiter._fallback_storage.reset()


@pytest.fixture
def ctx(app):
    """An application context for tests that call operations directly (no HTTP client:
    requests must get their own context, as in production)."""
    with app.app_context():
        yield


def truncate_all(app) -> None:
    """For tests marked ``committed`` (worker and browser tests): empty every table."""
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        with db.engine.begin() as conn:
            # LOCAL: a plain SET would stay on the pooled connection after the commit and
            # switch off every trigger (the audit log's, the convenant's) for later tests.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
