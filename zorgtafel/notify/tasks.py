"""Celery tasks of notify: thin and idempotent (DESIGN rule 6). Each takes ids, calls one
operation and commits. No Celery retries and no countdowns: a failed send records its
next attempt in PostgreSQL and the beat sweep publishes it when it is due."""

from __future__ import annotations

from celery import shared_task

from zorgtafel.extensions import db
from zorgtafel.notify import digests, operations, outbox


@shared_task(name="zorgtafel.notify.send_delivery")
def send_delivery(delivery_id: int) -> str:
    outcome = operations.send_delivery(delivery_id)
    db.session.commit()  # immediately after the 250: see channels.send
    return outcome


@shared_task(name="zorgtafel.notify.send_digest")
def send_digest(digest_id: int) -> str:
    outcome = digests.send_digest(digest_id)
    db.session.commit()
    return outcome


@shared_task(name="zorgtafel.notify.relay_outbox")
def relay_outbox() -> int:
    """Beat, every minute: publish what the after-commit nudges could not (broker down,
    process died between commit and publish)."""
    published = outbox.relay(db.session)
    outbox.prune(db.session)
    db.session.commit()
    return published


@shared_task(name="zorgtafel.notify.sweep_deliveries")
def sweep_deliveries() -> int:
    count = operations.sweep_deliveries()
    db.session.commit()  # the outbox nudge publishes after this commit
    return count


@shared_task(name="zorgtafel.notify.sweep_digests")
def sweep_digests() -> int:
    count = digests.sweep_digests()
    db.session.commit()
    return count
