"""The worker entry point (``celery -A worker``) registers every task the beat schedule
names, and the test-only config hook it is started with cannot reach production."""

from __future__ import annotations

import importlib
import json
import sys

from tests.conftest import make_test_config
from zorgtafel import create_app
from zorgtafel.core.crypto import new_vault_key_spec

NOTIFY_ENTRIES = {"notify-outbox-relay", "notify-delivery-sweep", "notify-digest-sweep"}


def test_beat_schedule_names_registered_tasks(app, services, database_url, monkeypatch):
    monkeypatch.setenv("ZORGTAFEL_ENV", "test")
    monkeypatch.setenv("ZORGTAFEL_TEST_CONFIG", json.dumps(make_test_config(services, database_url)))
    monkeypatch.delitem(sys.modules, "worker", raising=False)
    try:
        worker = importlib.import_module("worker")
        celery = worker.celery
        assert celery.conf.task_default_queue == app.config["CELERY_QUEUE"]  # the hook reached it
        schedule = celery.conf.beat_schedule
        assert NOTIFY_ENTRIES <= set(schedule)
        for name, entry in schedule.items():
            assert entry["task"] in celery.tasks, f"{name}: {entry['task']} is not a registered task"
        for name in NOTIFY_ENTRIES:  # a tick the worker missed is dropped, not stacked
            assert schedule[name]["options"]["expires"] < 300
    finally:
        monkeypatch.delitem(sys.modules, "worker", raising=False)
        app.extensions["celery"].set_default()


def test_the_test_config_hook_is_ignored_outside_tests(app, services, database_url, monkeypatch):
    secret = "s" * 40
    for name, value in {"ZORGTAFEL_ENV": "production", "ZORGTAFEL_LOG_LEVEL": "WARNING", "ZORGTAFEL_SECRET_KEY": secret,
                        "ZORGTAFEL_PSEUDONYM_KEY": secret + "p", "ZORGTAFEL_AUDIT_KEY": secret + "a",
                        "ZORGTAFEL_VAULT_KEY": new_vault_key_spec("k1"),
                        "ZORGTAFEL_DATABASE_URL": database_url, "ZORGTAFEL_REDIS_URL": services.redis_url,
                        "ZORGTAFEL_TEST_CONFIG": json.dumps({"CELERY_QUEUE": "leaked", "SECRET_KEY": "leaked"})
                        }.items():
        monkeypatch.setenv(name, value)
    try:
        production = create_app()
        assert production.config["SECRET_KEY"] == secret
        assert production.config["CELERY"]["task_default_queue"] != "leaked"
    finally:
        app.extensions["celery"].set_default()
