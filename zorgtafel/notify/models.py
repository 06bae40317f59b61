"""Notifications, their delivery per channel, daily digests, and the transactional outbox.

Everything here is a pointer, never content: a notification carries a kind (whose Dutch
texts live in code, ``kinds.py``), a pseudonymous case reference and a relative link.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zorgtafel.core.models import Base, CreatedMixin

CHANNELS = ("in_app", "email")
#: pending: to be sent (first try or waiting out a backoff); digest: waits for the
#: recipient's daily digest; sent; failed: gave up (visible); skipped: nobody to send to.
DELIVERY_STATUSES = ("pending", "digest", "sent", "failed", "skipped")
DIGEST_STATUSES = ("pending", "sent", "failed", "skipped")


class OutboxMessage(CreatedMixin, Base):
    """A Celery message to publish once the transaction that wrote it has committed
    (DESIGN rule 5). Arguments are ids only, so nothing personal reaches the broker."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    task_name: Mapped[str] = mapped_column(String(200))
    kwargs: Mapped[dict] = mapped_column(JSONB)
    published_at: Mapped[datetime | None]

    __table_args__ = (
        # The relay only ever looks for unpublished rows; keep that lookup tiny.
        Index("ix_outbox_message_pending", "id", postgresql_where="published_at IS NULL"),
        Index("ix_outbox_message_published_at", "published_at"),
    )


class Notification(CreatedMixin, Base):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    case_reference: Mapped[str | None] = mapped_column(String(20))
    link: Mapped[str] = mapped_column(String(300))
    # A registered attachment builder and the id it is built from, at send time.
    attachment_name: Mapped[str | None] = mapped_column(String(40))
    attachment_id: Mapped[int | None] = mapped_column(BigInteger)
    read_at: Mapped[datetime | None]

    deliveries: Mapped[list["Delivery"]] = relationship(back_populates="notification", lazy="raise")

    __table_args__ = (
        Index("ix_notification_recipient", "recipient_id", "id"),
        # The bell's unread count: one index-only look per page view.
        Index("ix_notification_unread", "recipient_id", postgresql_where="read_at IS NULL"),
    )


class SendState:
    """Status, attempts and due-ness of something sent by e-mail. Due-ness lives here in
    PostgreSQL (``next_attempt_at``), swept by beat; no long ETA messages."""

    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]


class Digest(SendState, CreatedMixin, Base):
    """One daily summary e-mail per user and local day; the unique key makes a second
    sweep on the same day a no-op."""

    __tablename__ = "notification_digest"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("user_id", "day"),
        CheckConstraint(f"status IN {DIGEST_STATUSES}", name="status"),
        Index("ix_notification_digest_due", "next_attempt_at", postgresql_where="status = 'pending'"),
    )


class Delivery(SendState, CreatedMixin, Base):
    """A notification on one channel. Unique per (notification, channel), so however
    often a task is delivered, there is one row to send and one status to check."""

    __tablename__ = "notification_delivery"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("notification_digest.id", ondelete="SET NULL"))

    notification: Mapped[Notification] = relationship(back_populates="deliveries", lazy="raise")

    __table_args__ = (
        UniqueConstraint("notification_id", "channel"),
        CheckConstraint(f"status IN {DELIVERY_STATUSES}", name="status"),
        CheckConstraint(f"channel IN {CHANNELS}", name="channel"),
        Index("ix_notification_delivery_due", "next_attempt_at", postgresql_where="status = 'pending'"),
        Index("ix_notification_delivery_digest_wait", "notification_id", postgresql_where="status = 'digest'"),
        Index("ix_notification_delivery_digest_id", "digest_id"),
    )
