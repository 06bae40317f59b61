"""Zorgtafel: signals from many agencies → one pseudonymised case → a match that brings it
to the table → agreed actions that are followed up, all under the convenant."""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

from flask import Flask

from zorgtafel.config import Settings

#: the domain packages, lowest floor first; each has ``init_app(app)``.
DOMAINS = (
    "zorgtafel.auth",
    "zorgtafel.audit",
    "zorgtafel.notify",
    "zorgtafel.convenant",
    "zorgtafel.cases",
    "zorgtafel.meetings",
    "zorgtafel.privacy",
    "zorgtafel.followup",
    "zorgtafel.dashboard",
    "zorgtafel.api",
)


def _celery_config(app: Flask) -> dict:
    redis_url = app.config["REDIS_URL"]
    prefix = app.config.get("CELERY_KEY_PREFIX")
    transport = {
        # Far above the longest task's hard limit, so a slow task is never handed to a
        # second worker while the first still runs it.
        "visibility_timeout": 3600,
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
    }
    if prefix:
        transport["global_keyprefix"] = prefix
    return {
        "broker_url": redis_url,
        "result_backend": redis_url,
        "broker_transport_options": transport,
        "result_backend_transport_options": dict(transport),
        "result_expires": 3600,
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_soft_time_limit": 120,
        "task_time_limit": 180,
        "broker_connection_retry_on_startup": True,
        "task_default_queue": app.config.get("CELERY_QUEUE", "zorgtafel"),
        "timezone": "Europe/Amsterdam",
        "enable_utc": True,
        "redbeat_redis_url": redis_url,
        "redbeat_key_prefix": f"{prefix or ''}redbeat:",
        "redbeat_lock_timeout": 300,
        # beat must wake well within the lock timeout or redbeat loses its lock (LockNotOwnedError)
        "beat_max_loop_interval": 60,
        "beat_scheduler": "redbeat.RedBeatScheduler",
        "worker_hijack_root_logger": False,
    }


def create_app(config: dict | None = None) -> Flask:
    settings = Settings.from_env()
    overrides = dict(config or {})
    if config is None and settings.env == "test" and os.environ.get("ZORGTAFEL_TEST_CONFIG"):
        # Test-only hook: a worker subprocess started by the tests (``celery -A worker``)
        # receives the test session's config (database, Redis key prefix, queue, SMTP) as
        # JSON. Never read outside ZORGTAFEL_ENV=test, so production config is untouched.
        overrides = json.loads(os.environ["ZORGTAFEL_TEST_CONFIG"])
    if "ZORGTAFEL_ENV" in overrides:
        settings.env = overrides["ZORGTAFEL_ENV"]
    settings.validate()

    app = Flask(__name__, instance_relative_config=False)
    app.config.update(settings.flask_config())
    app.config.update(overrides)
    _trust_proxies(app)

    from zorgtafel.core.logging import configure_logging

    configure_logging(app.config["LOG_LEVEL"])

    if not app.config.get("SQLALCHEMY_DATABASE_URI") or not app.config.get("REDIS_URL"):
        _use_embedded(app, settings)
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("RATELIMIT_STORAGE_URI") or app.config["REDIS_URL"]
    app.config.setdefault("CELERY", _celery_config(app))

    from zorgtafel.core.web import init_web, select_locale
    from zorgtafel.extensions import babel, celery_init_app, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    login_manager.init_app(app)
    celery_init_app(app)
    init_web(app)

    from zorgtafel.core.dbroles import db_roles_cli

    app.cli.add_command(db_roles_cli)  # `zorgtafel db-roles grant ROLE`, run by the owner after migrating

    for name in DOMAINS:
        importlib.import_module(name).init_app(app)

    @app.context_processor
    def _globals():
        from flask import g

        return {"csp_nonce": g.get("csp_nonce", "")}

    return app


def _trust_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies, take the client's address, scheme and host
    from the X-Forwarded-* values those proxies appended (the right-most ``n``); without
    this every request has the proxy's address (login throttling per address becomes one
    global lockout, the audit log's client_ip is the proxy's). At 0 the headers are
    ignored, so a client cannot forge its address."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        import ipaddress

        from werkzeug.middleware.proxy_fix import ProxyFix

        inner = app.wsgi_app

        def only_an_ip_address(environ, start_response):
            # A proxy that passes the client's header on unchecked could hand over any text;
            # it would become the throttle key and the audit log's client_ip (45 characters).
            try:
                ipaddress.ip_address(environ.get("REMOTE_ADDR") or "")
            except ValueError:
                environ["REMOTE_ADDR"] = environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR")
            return inner(environ, start_response)

        app.wsgi_app = ProxyFix(only_an_ip_address, x_for=hops, x_proto=hops, x_host=hops)


def _use_embedded(app: Flask, settings: Settings) -> None:
    """Development and tests without URLs: the embedded services (never in production,
    where ``Settings.validate`` already refused the missing URLs)."""
    from zorgtafel.config import driver_url
    from zorgtafel.core.embedded import ensure_embedded

    database_url, redis_url = ensure_embedded(settings.data_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = driver_url(database_url)
    if not app.config.get("REDIS_URL"):
        app.config["REDIS_URL"] = redis_url
