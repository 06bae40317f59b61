"""The zorgcoördinator's work queue: follow-up tasks created by events and sweeps, each
once per (kind, subject), closed automatically when the reason is gone."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from zorgtafel.core.models import Base, utcnow

TASK_STATUSES = ("open", "in_behandeling", "afgerond", "vervallen")
OPEN = ("open", "in_behandeling")


class CoordinatorTask(Base):
    __tablename__ = "coordinator_task"
    __table_args__ = (
        # The subject names the occurrence (a match, an action's due date, the day a case
        # entered a status): a redelivered event or a second sweep finds the row and adds none.
        UniqueConstraint("kind", "subject"),
        CheckConstraint("status IN ('open', 'in_behandeling', 'afgerond', 'vervallen')", name="status"),
        Index("ix_coordinator_task_queue", "convenant_key", "status", "due_on"),
        Index("ix_coordinator_task_case_open", "case_id", postgresql_where="status IN ('open', 'in_behandeling')"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convenant_key: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(120))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    case_reference: Mapped[str | None] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    picked_up_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    picked_up_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_note: Mapped[str | None] = mapped_column(Text)


class TaskUpdate(Base):
    """Every status change, by a person or by the system (actor None), with its note."""

    __tablename__ = "coordinator_task_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("coordinator_task.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)


class DigestSent(Base):
    """One digest per coordinator per day, however often the daily task runs."""

    __tablename__ = "coordinator_digest"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
