"""Reliability with a real Celery worker subprocess, the real Redis and a real SMTP server:
delivery after commit, the same task twice sends once, a worker SIGKILLed mid-batch loses
and doubles nothing, the daily digest, and no case content in any e-mail."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, insert, select

from tests.helpers.worker import in_flight, queue_depth, wait_drained, wait_until
from tests.notify.conftest import REFERENCE, SEEDED
from zorgtafel.auth.models import Organisation, User
from zorgtafel.core.models import utcnow
from zorgtafel.extensions import db
from zorgtafel.notify.models import Delivery
from zorgtafel.notify.operations import LEASE, SEND_DELIVERY, notify, sweep_deliveries

pytestmark = [pytest.mark.worker, pytest.mark.committed]
BATCH = 200
KILL_AT = 100  # the worker dies while the 100th e-mail of the batch is mid-transfer


def _notify_committed(app, recipients, kind="actiepunt_toegewezen", **kwargs) -> list[int]:
    """As a request would: notify, commit; the after-commit nudge publishes."""
    with app.app_context():
        made = notify(None, recipients, kind, link=kwargs.pop("link", "/actiepunten/1"), **kwargs)
        db.session.commit()
        return list(db.session.scalars(select(Delivery.id).where(
            Delivery.notification_id.in_([n.id for n in made]), Delivery.channel == "email").order_by(Delivery.id)))


def _statuses(app, ids) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(select(Delivery.status, func.count()).where(Delivery.id.in_(ids))
                                  .group_by(Delivery.status)).all()
        db.session.rollback()
        return dict(rows)


def test_notification_is_mailed_by_the_worker_after_commit(app, committed, people, celery_worker, smtp_server):
    start = len(smtp_server.messages)
    began = time.monotonic()
    (delivery_id,) = _notify_committed(app, [people["direct"].id], case_reference=REFERENCE)
    (got,) = smtp_server.wait_for(start + 1)[start:]
    latency = time.monotonic() - began
    assert got.rcpt_tos == [people["direct"].email]
    assert got.message["Subject"] == f"Zorgtafel: Nieuw actiepunt ({REFERENCE})"
    wait_until(lambda: _statuses(app, [delivery_id]) == {"sent": 1}, message="the delivery marked sent")
    print(f"\ncommit → e-mail at the SMTP server: {latency * 1000:.0f} ms")


def test_the_same_delivery_task_twice_sends_one_email(app, committed, people, celery_worker, smtp_server):
    celery = app.extensions["celery"]
    start = len(smtp_server.messages)
    (first,) = _notify_committed(app, [people["direct"].id])
    # Two more copies at once, racing the one the nudge published on concurrent children.
    for _ in range(2):
        celery.send_task(SEND_DELIVERY, kwargs={"delivery_id": first})
    smtp_server.wait_for(start + 1)
    wait_drained(app)
    # And once more, long after it was sent: a redelivery finds it sent.
    celery.send_task(SEND_DELIVERY, kwargs={"delivery_id": first})
    wait_drained(app)
    assert len(smtp_server.messages) == start + 1
    assert _statuses(app, [first]) == {"sent": 1}


def _many_recipients(app, n: int) -> list[int]:
    with app.app_context():
        org = Organisation(key="batch-org", name="Organisatie van de batch", kind="onderwijs")
        db.session.add(org)
        db.session.flush()
        # Named like young people on purpose: the content scan at the end looks for them.
        db.session.execute(insert(User), [
            {"organisation_id": org.id, "name": f"Pietje Puk {i}", "email": f"batch-{i}@test.zorgtafel.nl",
             "roles": ["professional"]} for i in range(n)])
        db.session.commit()
        return list(db.session.scalars(select(User.id).where(User.organisation_id == org.id).order_by(User.id)))


def test_worker_killed_mid_batch_every_email_exactly_once(app, committed, celery_worker, smtp_server):
    recipients = _many_recipients(app, BATCH)
    start = len(smtp_server.messages)
    recorder = smtp_server.recorder
    recorder.freeze(from_rcpt=recorder.rcpt_seen + KILL_AT)
    began = time.monotonic()
    ids = _notify_committed(app, recipients, kind="overleg_gewijzigd", link="/overleg/5")

    # Every pool child is now inside an SMTP conversation (after RCPT, before DATA) for a
    # delivery it holds locked; none is in the window between the 250 and its commit.
    wait_until(lambda: recorder.frozen >= celery_worker.concurrency, message="the children to be mid-transfer")
    before_kill = len(smtp_server.messages) - start
    rate = before_kill / (time.monotonic() - began)
    celery_worker.kill()
    recorder.thaw()
    stranded = in_flight(app)  # taken by the dead worker, never acknowledged
    assert before_kill == KILL_AT - 1 and stranded == celery_worker.concurrency
    assert _statuses(app, ids).get("sent") == before_kill

    celery_worker.start()  # a new worker drains the rest of the queue …
    wait_until(lambda: queue_depth(app) == 0 and in_flight(app) == stranded
               and len(smtp_server.messages) - start == BATCH - stranded, timeout=60,
               message="the new worker to send what was still queued")
    pending = _statuses(app, ids).get("pending")
    assert pending == stranded  # … and the messages that died with the old one are lost in Redis

    # The database knows better: after the lease the sweep (beat) publishes them again.
    with app.app_context(), time_machine.travel(utcnow() + LEASE + timedelta(minutes=1), tick=True):
        assert sweep_deliveries() == stranded
        db.session.commit()
    smtp_server.wait_for(start + BATCH, timeout=60)
    wait_until(lambda: _statuses(app, ids) == {"sent": BATCH}, message="every delivery marked sent")

    got = smtp_server.messages[start:]
    assert len(got) == BATCH  # counted raw …
    per_id = smtp_server.message_ids()
    assert len({m.message_id for m in got}) == BATCH and all(per_id[m.message_id] == 1 for m in got)  # … and by id
    assert sorted(m.rcpt_tos[0] for m in got) == sorted(f"batch-{i}@test.zorgtafel.nl" for i in range(BATCH))
    print(f"\nbatch of {BATCH}: {rate:.0f} e-mails/s through {celery_worker.concurrency} worker children "
          f"before the kill; {stranded} in flight at SIGKILL, each sent once after the sweep")


def test_digest_through_the_worker_once_per_day(app, committed, people, celery_worker, smtp_server):
    from zorgtafel.notify.digests import sweep_digests

    user = people["digest"]
    start = len(smtp_server.messages)
    _notify_committed(app, [user.id], case_reference=REFERENCE)
    _notify_committed(app, [user.id], kind="nieuwe_match", link="/casussen")
    seven = datetime.now(timezone.utc).replace(hour=6, minute=5)  # 07:05 or 08:05 in Amsterdam
    for _ in range(2):  # a second sweep the same day (another beat, a retry) finds nothing to do
        with app.app_context(), time_machine.travel(seven, tick=True):
            sweep_digests()
            db.session.commit()
    (got,) = smtp_server.wait_for(start + 1)[start:]
    wait_drained(app)
    assert len(smtp_server.messages) == start + 1
    assert got.rcpt_tos == [user.email] and "(2 meldingen)" in got.message["Subject"]


def test_no_case_content_in_any_email(smtp_server):
    """Every e-mail this module's worker sent, headers and decoded parts: none of the
    seeded names, organisation names or descriptions."""
    messages = smtp_server.messages
    assert len(messages) >= BATCH + 3
    seeded = [s.lower() for s in SEEDED + ["Pietje Puk", "Organisatie van de batch"]]
    leaks = []
    for m in messages:
        text = m.text().lower()
        leaks += [(m.message_id, s) for s in seeded if s in text]
    assert leaks == []


def test_database_connections_cut_as_by_a_restart_lose_nothing(app, committed, people, celery_worker, smtp_server):
    """A PostgreSQL restart cuts every open connection: the worker's pooled ones and the
    app's. Cut them (the shared server itself stays up for the other sessions), and the
    next notification still reaches the SMTP server exactly once: pools test a
    connection before use, and the outbox row waits in the database meanwhile."""
    from sqlalchemy import text

    start = len(smtp_server.messages)
    (before,) = _notify_committed(app, [people["direct"].id])
    smtp_server.wait_for(start + 1)
    wait_until(lambda: _statuses(app, [before]) == {"sent": 1}, message="the first delivery marked sent")
    with app.app_context():
        cut = db.session.scalar(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        db.session.rollback()
    assert cut >= 1  # the worker held connections: they are gone now
    (after,) = _notify_committed(app, [people["direct"].id])
    smtp_server.wait_for(start + 2)
    wait_until(lambda: _statuses(app, [after]) == {"sent": 1}, message="the delivery after the cut marked sent")
    wait_drained(app)
    assert len(smtp_server.messages) == start + 2
