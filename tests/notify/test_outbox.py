"""The transactional outbox: ids only, nothing published for a rolled-back transaction,
pending rows published to the real Redis after commit or by the relay, and a broker
outage that costs a request nothing."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta

import pytest
import redis as redis_lib
from sqlalchemy import func, select

from tests.helpers.worker import queue_depth
from zorgtafel.core.embedded import free_port
from zorgtafel.core.models import utcnow
from zorgtafel.extensions import db
from zorgtafel.notify import outbox
from zorgtafel.notify.models import OutboxMessage


@pytest.mark.parametrize("kwargs", [{"name": "Jansen"}, {"user_id": "12"}, {"user_id": True},
                                    {"case": 3}, {"delivery_ids": [1, "x"]}])
def test_only_ids_may_enter_the_outbox(ctx, kwargs):
    with pytest.raises(ValueError, match="ids only"):
        outbox.enqueue("zorgtafel.notify.send_delivery", **kwargs)


def test_rollback_publishes_nothing_and_commit_nudges_once(ctx, monkeypatch):
    nudged = []
    monkeypatch.setattr(outbox, "nudge", lambda app: nudged.append(app))
    outbox.enqueue("zorgtafel.test.a", delivery_id=1)
    db.session.rollback()
    assert nudged == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0

    outbox.enqueue("zorgtafel.test.a", delivery_id=1)
    outbox.enqueue("zorgtafel.test.a", delivery_ids=[2, 3])
    db.session.commit()
    assert len(nudged) == 1  # one nudge per transaction, however many rows


def _messages(app) -> list[dict]:
    client = redis_lib.Redis.from_url(app.config["REDIS_URL"])
    raw = client.lrange(app.config["CELERY_KEY_PREFIX"] + app.config["CELERY_QUEUE"], 0, -1)
    return [json.loads(m) for m in raw]


def test_relay_publishes_pending_rows_to_redis_once(app, ctx):
    before = queue_depth(app)
    rows = [outbox.enqueue("zorgtafel.test.echo", delivery_id=i) for i in (11, 12, 13)]
    assert outbox.relay(db.session) == 3
    assert all(r.published_at is not None for r in rows)
    assert queue_depth(app) == before + 3
    published = [m for m in _messages(app) if m["headers"]["task"] == "zorgtafel.test.echo"]
    assert sorted(json.loads(base64.b64decode(m["body"]))[1]["delivery_id"] for m in published) \
        == [11, 12, 13]
    assert outbox.relay(db.session) == 0  # nothing twice


def test_broker_down_fails_fast_and_rows_wait(app, ctx, monkeypatch):
    celery = app.extensions["celery"]
    monkeypatch.setitem(celery.conf, "broker_url", f"redis://127.0.0.1:{free_port()}/0")
    row = outbox.enqueue("zorgtafel.test.echo", delivery_id=1)
    started = time.monotonic()
    with pytest.raises(outbox.BrokerUnavailable):
        outbox.relay(db.session)
    assert time.monotonic() - started < 1.0
    assert row.published_at is None
    started = time.monotonic()
    outbox.nudge(app)  # what runs after a request's commit: logs, never raises
    assert time.monotonic() - started < 1.0


def test_prune_forgets_rows_published_a_week_ago(ctx):
    old = outbox.enqueue("zorgtafel.test.echo", delivery_id=1)
    fresh = outbox.enqueue("zorgtafel.test.echo", delivery_id=2)
    waiting = outbox.enqueue("zorgtafel.test.echo", delivery_id=3)
    old.published_at = utcnow() - timedelta(days=8)
    fresh.published_at = utcnow() - timedelta(days=1)
    db.session.flush()
    assert outbox.prune(db.session) == 1
    left = set(db.session.scalars(select(OutboxMessage.id)))
    assert left == {fresh.id, waiting.id}
