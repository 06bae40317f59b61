"""Business rules of notifications. Functions take an explicit actor where a person acts,
flush and never commit (DESIGN rule 2); the view or the Celery task commits.

Sending is at-least-once made exactly-once by the database: a task locks its delivery row
(FOR UPDATE SKIP LOCKED), sends only while it reads 'pending', and the task commits 'sent'
right after the SMTP server's 250. A redelivered or duplicated message finds the row
locked (someone is sending) or no longer pending (it went out) and sends nothing.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext
from sqlalchemy import any_, literal, select, update

from zorgtafel.auth.models import User
from zorgtafel.core.models import utcnow
from zorgtafel.extensions import db
from zorgtafel.notify import channels, delivery_failed
from zorgtafel.notify.kinds import DELIVERY_FAILED, Kind, get_kind
from zorgtafel.notify.models import Delivery, Digest, Notification
from zorgtafel.notify.outbox import enqueue

log = logging.getLogger(__name__)

SEND_DELIVERY = "zorgtafel.notify.send_delivery"
SEND_DIGEST = "zorgtafel.notify.send_digest"
CASE_REFERENCE = re.compile(r"^ZT-[A-Z0-9]{4}-[A-Z0-9]{4}$")
# A relative path of ids and references; no query string, so no search terms or names.
LINK = re.compile(r"^/[A-Za-z0-9/_.\-]{0,250}(#[A-Za-z0-9_\-]{1,40})?$")
#: how long a published send may sit in the queue before the sweep publishes it again
#: (a lost message, e.g. a worker killed with SIGKILL or Redis restarted empty)
LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=2)
BACKOFF_MAX = timedelta(hours=4)
SWEEP_LIMIT = 1000


class NotifyError(ValueError):
    pass


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 … minutes after the 1st, 2nd, 3rd … failure, at most 4 hours; eight
    attempts span about four hours, enough to ride out a mail server's maintenance."""
    return min(BACKOFF_BASE * 2 ** (attempts - 1), BACKOFF_MAX)


def _check(case_reference: str | None, link: str, attachment) -> None:
    if case_reference is not None and not CASE_REFERENCE.match(case_reference):
        raise NotifyError("case_reference must be a reference like ZT-ABCD-EFGH, never a name")
    if not LINK.match(link or "") or link.startswith("//"):
        raise NotifyError("link must be a relative path without query string")
    if attachment is not None:
        name, target_id = attachment
        if name not in channels.ATTACHMENTS or not isinstance(target_id, int):
            raise NotifyError(f"unknown attachment {name!r}")


def notify(actor, recipients: list[int], kind: str, *, case_reference: str | None = None, link: str,
           attachment: tuple[str, int] | None = None) -> list[Notification]:
    """Notify users in the caller's transaction: a notification per active recipient and a
    delivery per channel of the kind. E-mail goes out after the commit (outbox), or in the
    recipient's daily digest. A notification with an attachment (an invitation) is always
    sent directly: a calendar invitation in tomorrow's summary would be too late."""
    spec = get_kind(kind)
    _check(case_reference, link, attachment)
    wanted = list(dict.fromkeys(recipients))
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted), User.active.is_(True)))}
    now = utcnow()
    created: list[tuple[Notification, User]] = []
    for user_id in wanted:
        if user_id in users:
            n = Notification(recipient_id=user_id, kind=spec.key, case_reference=case_reference, link=link,
                             attachment_name=attachment[0] if attachment else None,
                             attachment_id=attachment[1] if attachment else None, created_at=now)
            db.session.add(n)
            created.append((n, users[user_id]))
    db.session.flush()
    to_send = []
    for n, user in created:
        if "in_app" in spec.channels:  # the row itself is the in-app message
            db.session.add(Delivery(notification_id=n.id, channel="in_app", status="sent", sent_at=now))
        if "email" in spec.channels:
            digest = user.notification_mode == "digest" and attachment is None
            d = Delivery(notification_id=n.id, channel="email", status="digest" if digest else "pending",
                         next_attempt_at=None if digest else now + LEASE)
            db.session.add(d)
            if not digest:
                to_send.append(d)
    db.session.flush()
    for d in to_send:
        enqueue(SEND_DELIVERY, delivery_id=d.id)
    db.session.flush()
    return [n for n, _ in created]


def mark_read(actor, notification: Notification) -> None:
    if notification.recipient_id != actor.id:
        raise NotifyError("only the recipient marks a notification read")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(actor) -> int:
    result = db.session.execute(update(Notification).where(Notification.recipient_id == actor.id,
                                                           Notification.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount or 0


# -- sending ---------------------------------------------------------------------------


def lock(model, row_id: int):
    """The row, locked for this transaction; None when another transaction holds it
    (it is being sent right now) or it does not exist."""
    return db.session.scalar(select(model).where(model.id == row_id).with_for_update(skip_locked=True)
                             .execution_options(populate_existing=True))


def subject(spec: Kind, case_reference: str | None) -> str:
    if case_reference:
        return gettext("Zorgtafel: %(label)s (%(reference)s)", label=spec.title(), reference=case_reference)
    return gettext("Zorgtafel: %(label)s", label=spec.title())


def line(n: Notification) -> channels.Line:
    """In the language ``channels.in_language`` set."""
    spec = get_kind(n.kind)
    return channels.Line(spec.title(), spec.body(), n.case_reference, channels.absolute_url(n.link))


def send_delivery(delivery_id: int, now: datetime | None = None) -> str:
    """Send one e-mail delivery if it is still pending; returns what happened. The caller
    commits at once: the commit right after the 250 closes all but the unavoidable window
    described in ``channels.send``."""
    # One statement: the delivery locked (only it: FOR UPDATE OF), with what the e-mail needs.
    row = db.session.execute(
        select(Delivery, Notification, User.email, User.active, User.language)
        .join(Notification, Notification.id == Delivery.notification_id)
        .join(User, User.id == Notification.recipient_id)
        .where(Delivery.id == delivery_id).with_for_update(of=Delivery, skip_locked=True)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        return "busy"  # another worker is sending it right now (or it does not exist)
    delivery, n, email, active, language = row
    if delivery.status != "pending" or delivery.channel != "email":
        return delivery.status  # already sent (a redelivered message) or given up
    if not active:
        delivery.status, delivery.next_attempt_at = "skipped", None
        db.session.flush()
        return "skipped"
    try:
        attachment = (n.attachment_name, n.attachment_id) if n.attachment_name else None
        with channels.in_language(language):
            msg = channels.build_email(to=email, subject=subject(get_kind(n.kind), n.case_reference),
                                       template="notify/email/notification.txt", line=line(n), attachment=attachment,
                                       msg_id=channels.message_id("delivery", delivery.id, delivery.created_at))
        channels.send(msg)
    except channels.SendError as exc:
        return record_failure(delivery, exc, now, [(delivery, n)])
    except Exception as exc:  # an attachment builder failing: count it like a send failure
        log.exception("notify: building e-mail failed", extra={"delivery_id": delivery.id})
        return record_failure(delivery, channels.SendError(f"opbouw mislukt: {type(exc).__name__}"), now,
                              [(delivery, n)])
    delivery.status, delivery.sent_at, delivery.next_attempt_at = "sent", utcnow(), None
    db.session.flush()
    return "sent"


def record_failure(item: Delivery | Digest, exc: channels.SendError, now: datetime | None,
                   affected: list[tuple[Delivery, Notification]]) -> str:
    """Count a failed attempt: back off exponentially, or give up visibly after
    MAX_ATTEMPTS (or at once on a permanent refusal)."""
    now = now or utcnow()
    item.attempts += 1
    item.last_error = str(exc)[:500]
    if exc.permanent or item.attempts >= MAX_ATTEMPTS:
        item.status, item.next_attempt_at = "failed", None
        for delivery, _ in affected:
            delivery.status, delivery.next_attempt_at = "failed", None
        db.session.flush()
        give_up(affected)
        return "failed"
    item.next_attempt_at = now + backoff(item.attempts)
    db.session.flush()
    log.warning("notify: send failed, will retry", extra={"item": f"{type(item).__name__}:{item.id}",
                                                          "attempts": item.attempts, "error": item.last_error})
    return "retry"


#: who hears of a failed delivery: a higher floor (which knows convenants) registers a
#: resolver (notification) -> user ids; without one, every active zorgcoördinator.
FAILURE_RECIPIENTS: list = []


def coordinator_ids() -> list[int]:
    """Every active zorgcoördinator: the fallback when no resolver narrows it down."""
    return list(db.session.scalars(select(User.id).where(literal("zorgcoordinator") == any_(User.roles),
                                                         User.active.is_(True)).order_by(User.id)))


def give_up(affected: list[tuple[Delivery, Notification]]) -> None:
    """Make a failure visible: the ``delivery_failed`` signal per delivery, and one in-app
    notice to the coordinators pointing at the failure page."""
    app = current_app._get_current_object()
    for delivery, n in affected:
        delivery_failed.send(app, delivery=delivery, notification=n)
    if not affected:
        return
    first, n = affected[0]
    reference = n.case_reference if len(affected) == 1 else None
    recipients = FAILURE_RECIPIENTS[0](n) if FAILURE_RECIPIENTS else coordinator_ids()
    notify(None, recipients, DELIVERY_FAILED.key, case_reference=reference,
           link=f"/meldingen/mislukt/{first.id}")
    log.warning("notify: gave up sending", extra={"delivery_ids": ",".join(str(d.id) for d, _ in affected)})


def sweep_deliveries(now: datetime | None = None, limit: int = SWEEP_LIMIT) -> int:
    """Publish (again) every e-mail delivery that is due: a retry whose backoff is over,
    or a send whose message was lost. Rows being sent are locked and skipped."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Delivery).where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at).limit(limit).with_for_update(skip_locked=True)
    ).all()
    for delivery in due:
        delivery.next_attempt_at = now + LEASE
        enqueue(SEND_DELIVERY, delivery_id=delivery.id)
    db.session.flush()
    return len(due)
