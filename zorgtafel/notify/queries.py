"""Select builders of notify. A notification is personal: every query is scoped to its
recipient in SQL, so one user's list can never show another's."""

from __future__ import annotations

from sqlalchemy import func, select

from zorgtafel.auth.models import User
from zorgtafel.extensions import db
from zorgtafel.notify.models import Delivery, Digest, Notification

PAGE_SIZE = 30


def unread_count(actor) -> int:
    """The bell's number: one count over a partial index."""
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.recipient_id == actor.id, Notification.read_at.is_(None))) or 0


def notifications_page(actor, before: int | None = None,
                       limit: int = PAGE_SIZE) -> tuple[list[Notification], int | None]:
    """Newest first, keyset-paged by id; returns the page and the id to continue before."""
    stmt = select(Notification).where(Notification.recipient_id == actor.id)
    if before is not None:
        stmt = stmt.where(Notification.id < before)
    rows = list(db.session.scalars(stmt.order_by(Notification.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more else None)


def own_notification(actor, notification_id: int) -> Notification | None:
    return db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.recipient_id == actor.id))


def failure_details(delivery_id: int) -> dict | None:
    """What a coordinator needs to follow a failed e-mail up by phone: who, which
    reference, how often tried and the last error. No case content exists here."""
    row = db.session.execute(
        select(Delivery, Notification, User).join(Notification, Notification.id == Delivery.notification_id)
        .join(User, User.id == Notification.recipient_id).where(Delivery.id == delivery_id)
    ).first()
    if row is None:
        return None
    delivery, notification, user = row
    digest = db.session.get(Digest, delivery.digest_id) if delivery.digest_id else None
    attempts = digest.attempts if digest else delivery.attempts
    error = digest.last_error if digest else delivery.last_error
    return {"delivery": delivery, "notification": notification, "recipient": user, "digest": digest,
            "attempts": attempts, "last_error": error}
