"""A Redis outage: a request that notifies succeeds (fast) while Redis is down; once Redis is
back, the relay publishes what waited and the worker delivers it. Runs against a private
Redis on a free port — never the machine's own, which other sessions share."""

from __future__ import annotations

import time

import pytest
from flask import g, request
from sqlalchemy import func, select

from tests.conftest import make_test_config
from tests.helpers.fixtures import AuthActions
from tests.helpers.worker import CeleryWorker, wait_until, worker_config
from zorgtafel import create_app
from zorgtafel.core.embedded import EmbeddedRedis, free_port
from zorgtafel.core.guard import ProtectedView
from zorgtafel.extensions import db
from zorgtafel.notify.models import Delivery, OutboxMessage
from zorgtafel.notify.operations import notify

pytestmark = [pytest.mark.worker, pytest.mark.committed]
REFERENCE = "ZT-REDI-SDWN"


class NotifyView(ProtectedView):
    """Test-only page standing in for any request whose operation notifies someone."""

    action = "personal"
    methods = ["POST"]

    def post(self, target):
        notify(g.actor, [int(request.form["recipient"])], "actiepunt_toegewezen", case_reference=REFERENCE,
               link="/actiepunten/1")
        return "genoteerd"


@pytest.fixture(scope="module")
def private_redis(services):
    server = EmbeddedRedis(services.tmp / f"redis-outage-{free_port()}", port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def outage_app(app, services, database_url, private_redis, smtp_server):
    # Rate limits stay on the session's Redis: the limiter is one object shared by apps.
    config = make_test_config(services, database_url, REDIS_URL=private_redis.url,
                              RATELIMIT_STORAGE_URI=services.redis_url, **smtp_server.config())
    application = create_app(config)
    application.add_url_rule("/test/notify", view_func=NotifyView.as_view("test_notify"))
    yield application
    app.extensions["celery"].set_default()  # create_app made the new app's Celery the default


@pytest.fixture(scope="module")
def outage_worker(services, database_url, private_redis, smtp_server, outage_app):
    worker = CeleryWorker(worker_config(services, database_url, smtp_server, REDIS_URL=private_redis.url),
                          services.tmp, concurrency=2)
    worker.start()
    yield worker
    worker.stop()


def test_request_succeeds_while_redis_is_down_and_is_delivered_after(
        outage_app, outage_worker, private_redis, committed, factory, smtp_server):
    me, colleague = factory.user("professional"), factory.user("professional")
    client = outage_app.test_client()
    auth = AuthActions(outage_app, client)
    auth.login(me)
    start = len(smtp_server.messages)

    private_redis.stop()
    began = time.monotonic()
    response = auth.post("/test/notify", {"recipient": colleague.id}, page="/meldingen")
    took = time.monotonic() - began
    assert response.status_code == 200 and response.text == "genoteerd"
    assert took < 2.0, f"the request waited {took:.1f}s for the broker"
    with outage_app.app_context():
        (row,) = db.session.scalars(select(OutboxMessage)).all()
        assert row.published_at is None  # waiting, not lost
        db.session.rollback()
    assert len(smtp_server.messages) == start

    private_redis.start()  # same port, empty: Redis kept nothing, the database kept it all
    # What beat does every minute; the worker reconnects by itself and runs it.
    wait_until(lambda: _publish_relay(outage_app), timeout=30, interval=0.2, message="Redis to accept messages")
    (got,) = smtp_server.wait_for(start + 1, timeout=60)[start:]
    assert got.rcpt_tos == [colleague.email] and REFERENCE in got.message["Subject"]
    wait_until(lambda: _email_status(outage_app) == "sent", message="the delivery marked sent")
    print(f"\nrequest with Redis down took {took * 1000:.0f} ms")


def _email_status(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Delivery.status).where(Delivery.channel == "email"))


def _publish_relay(app) -> bool:
    try:
        app.extensions["celery"].send_task("zorgtafel.notify.relay_outbox", retry=False)
        return True
    except Exception:
        return False


def test_signal_registration_with_a_match_while_redis_is_down(
        outage_app, outage_worker, private_redis, committed, world, smtp_server):
    """Issue 5: a request that registers a signal succeeds while Redis is down; the match
    e-mails go out once Redis is back — none lost, none twice."""
    from datetime import timedelta

    from tests.helpers.people import bsn, token_for
    from zorgtafel.core.timeutil import today_local

    client = outage_app.test_client()
    school, police = token_for(outage_app, world.school), token_for(outage_app, world.police)
    body = {"subject": {"bsn": bsn()}, "subject_role": "jongere", "category": "wegloopgedrag",
            "observed_on": (today_local() - timedelta(days=1)).isoformat(), "urgency": "hoog"}
    start = len(smtp_server.messages)

    private_redis.stop()
    began = time.monotonic()
    assert client.post("/api/v1/signals", json=body, headers=school).status_code == 201
    second = client.post("/api/v1/signals", json={**body, "category": "veel_geld_op_zak"}, headers=police)
    took = time.monotonic() - began
    assert second.status_code == 201 and second.json["match"] is True
    assert took < 4.0, f"two registrations waited {took:.1f}s for the broker"
    with outage_app.app_context():
        waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.published_at.is_(None))).all()
        assert waiting  # the match e-mails wait in the database
        db.session.rollback()

    private_redis.start()
    wait_until(lambda: _publish_relay(outage_app), timeout=30, interval=0.2, message="Redis to accept messages")
    expected = {world.coordinator.email, world.coordinator2.email, world.school.email, world.police.email}
    got = smtp_server.wait_for(start + len(expected), timeout=60)[start:]
    assert sorted(rcpt for m in got for rcpt in m.rcpt_tos) == sorted(expected)
    reference = second.json["case"]["reference"]
    assert all(reference in m.message["Subject"] for m in got)
    wait_until(lambda: _all_sent(outage_app), message="every e-mail delivery marked sent")
    assert len(smtp_server.messages) == start + len(expected)  # and nothing twice


def _all_sent(app) -> bool:
    with app.app_context():
        statuses = set(db.session.scalars(select(Delivery.status).where(Delivery.channel == "email")))
        db.session.rollback()
        return statuses == {"sent"}


def test_closing_a_meeting_while_redis_is_down(
        outage_app, outage_worker, private_redis, committed, world, smtp_server):
    """Issue 5: approving the minutes (closing the meeting) succeeds while Redis is down; the
    participants' e-mails go out once Redis is back, each once."""
    from datetime import datetime, timedelta, timezone

    from tests.helpers.people import actor, bsn, register, token_for
    from zorgtafel.meetings.operations import plan_meeting
    from zorgtafel.notify.models import Notification

    with outage_app.app_context():
        subject = {"bsn": bsn()}
        register(world.school, subject=subject)
        case = register(world.police, subject=subject).case
        starts = datetime.now(timezone.utc) + timedelta(days=1)
        meeting = plan_meeting(actor(world.coordinator), title="Overleg", starts_at=starts,
                               ends_at=starts + timedelta(hours=1), location="Zaal 1",
                               participants=[actor(world.school), actor(world.police)], cases=[case],
                               send_invitations=False)
        reference, meeting_id = case.reference, meeting.id
        db.session.commit()
    wait_until(lambda: _all_sent(outage_app), message="the match e-mails out first")
    client = outage_app.test_client()
    headers = token_for(outage_app, world.coordinator)
    url = f"/api/v1/meetings/{meeting_id}/minutes"
    assert client.post(url, json={"case": reference, "decision": "plan_van_aanpak", "text": "regie bij de school"},
                       headers=headers).status_code == 200
    wait_until(lambda: _all_sent(outage_app), message="the draft notices out")
    start = len(smtp_server.messages)

    private_redis.stop()
    began = time.monotonic()
    closed = client.post(url, json={"items": [], "status": "goedgekeurd"}, headers=headers)
    took = time.monotonic() - began
    assert closed.status_code == 200 and closed.json["minutes_status"] == "goedgekeurd"
    assert took < 2.0, f"closing the meeting waited {took:.1f}s for the broker"
    assert len(smtp_server.messages) == start

    private_redis.start()
    wait_until(lambda: _publish_relay(outage_app), timeout=30, interval=0.2, message="Redis to accept messages")
    wait_until(lambda: _all_sent(outage_app), timeout=60, message="every e-mail delivery marked sent")
    with outage_app.app_context():
        told = db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.kind == "verslag_vastgesteld"))
    got = smtp_server.messages[start:]
    assert told == 2 and len(got) == 2
    assert sorted(r for m in got for r in m.rcpt_tos) == sorted([world.school.email, world.police.email])
