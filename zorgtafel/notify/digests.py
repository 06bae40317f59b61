"""The daily digest: users who chose 'digest' get one e-mail per local day listing their
notifications by kind, reference and link — no case content, like every e-mail.

Idempotent per user and day: the digest row has a unique (user, day) key, created with
INSERT … ON CONFLICT DO NOTHING, so a second sweep (or a second beat) on the same day
finds nothing to do; sending follows the same lock-and-status rule as single deliveries.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import select, text, update

from zorgtafel.auth.models import User
from zorgtafel.core.models import utcnow
from zorgtafel.core.timeutil import AMSTERDAM
from zorgtafel.extensions import db
from zorgtafel.notify import channels
from zorgtafel.notify.models import Delivery, Digest, Notification
from zorgtafel.notify.operations import LEASE, SEND_DIGEST, SWEEP_LIMIT, line, lock, record_failure
from zorgtafel.notify.outbox import enqueue

DIGEST_HOUR = 7  # local time from which the day's digest goes out (NOTIFY_DIGEST_HOUR)

# One statement for all users: a digest row per user with waiting deliveries and no digest
# for this day yet. ON CONFLICT makes concurrent or repeated sweeps harmless.
_CREATE = text("""
    INSERT INTO notification_digest (user_id, day, status, attempts, next_attempt_at, created_at)
    SELECT DISTINCT n.recipient_id, :day, 'pending', 0, :lease_until, :now
    FROM notification_delivery d JOIN notification n ON n.id = d.notification_id
    WHERE d.status = 'digest' AND d.digest_id IS NULL
    ON CONFLICT (user_id, day) DO NOTHING
    RETURNING id
""")
_ATTACH = text("""
    UPDATE notification_delivery d SET digest_id = g.id
    FROM notification n, notification_digest g
    WHERE d.notification_id = n.id AND g.user_id = n.recipient_id AND g.id = ANY(:ids)
      AND d.status = 'digest' AND d.digest_id IS NULL
""")


def sweep_digests(now: datetime | None = None) -> int:
    """From DIGEST_HOUR on: bundle each digest user's waiting deliveries into today's
    digest and publish it; any time: publish digests whose retry is due. Returns the
    number of digests published."""
    now = now or utcnow()
    local = now.astimezone(AMSTERDAM)
    published = 0
    if local.hour >= current_app.config.get("NOTIFY_DIGEST_HOUR", DIGEST_HOUR):
        ids = list(db.session.scalars(_CREATE, {"day": local.date(), "now": now, "lease_until": now + LEASE}))
        if ids:
            db.session.execute(_ATTACH, {"ids": ids})
        for digest_id in ids:
            enqueue(SEND_DIGEST, digest_id=digest_id)
        published += len(ids)
    due = db.session.scalars(
        select(Digest).where(Digest.status == "pending", Digest.next_attempt_at <= now)
        .order_by(Digest.next_attempt_at).limit(SWEEP_LIMIT).with_for_update(skip_locked=True)
    ).all()
    for digest in due:
        digest.next_attempt_at = now + LEASE
        enqueue(SEND_DIGEST, digest_id=digest.id)
    db.session.flush()
    return published + len(due)


def _subject(day, count: int) -> str:
    stamp = day.strftime("%d-%m-%Y")
    return ngettext("Zorgtafel: dagoverzicht van %(day)s (%(num)d melding)",
                    "Zorgtafel: dagoverzicht van %(day)s (%(num)d meldingen)", count, day=stamp)


def send_digest(digest_id: int, now: datetime | None = None) -> str:
    """Send one digest if it is still pending; the caller commits at once (see
    ``operations.send_delivery`` and ``channels.send`` for the window this keeps small)."""
    digest = lock(Digest, digest_id)
    if digest is None:
        return "busy"
    if digest.status != "pending":
        return digest.status
    rows = db.session.execute(
        select(Delivery, Notification).join(Notification, Notification.id == Delivery.notification_id)
        .where(Delivery.digest_id == digest.id, Delivery.status == "digest").order_by(Notification.id)
        .with_for_update(of=Delivery)
    ).all()
    user = db.session.get(User, digest.user_id)
    if not rows or not user.active:
        for delivery, _ in rows:
            delivery.status = "skipped"
        digest.status, digest.next_attempt_at = "skipped", None
        db.session.flush()
        return "skipped"
    try:
        with channels.in_language(user.language):
            msg = channels.build_email(to=user.email, subject=_subject(digest.day, len(rows)),
                                       template="notify/email/digest.txt", day=digest.day,
                                       lines=[line(n) for _, n in rows],
                                       msg_id=channels.message_id("digest", digest.id, digest.created_at))
        channels.send(msg)
    except channels.SendError as exc:
        return record_failure(digest, exc, now, [(d, n) for d, n in rows])
    sent_at = utcnow()
    digest.status, digest.sent_at, digest.next_attempt_at = "sent", sent_at, None
    db.session.execute(update(Delivery).where(Delivery.digest_id == digest.id, Delivery.status == "digest")
                       .values(status="sent", sent_at=sent_at))
    db.session.flush()
    return "sent"
