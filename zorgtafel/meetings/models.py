"""The overleg (meeting), its participants and agenda, minutes and decisions, and the
actiepunten (follow-up actions) with their history.

Times are UTC (``timestamptz``); a due date is a local calendar day. Due-ness of reminders
lives in columns (``next_reminder_at``, ``minutes_remind_at``) that beat sweeps with
``FOR UPDATE SKIP LOCKED`` (DESIGN rule 6). History is never edited: every change of an
action adds an ``ActionUpdate`` row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zorgtafel.core.models import Base, utcnow
from zorgtafel.core.web import N_

MEETING_STATUSES = ("gepland", "geannuleerd", "gehouden")
ATTENDANCE = ("onbekend", "aanwezig", "afgemeld")
MINUTES_STATUSES = ("concept", "goedgekeurd")
#: decision key → (Dutch label, case status it leads to, or None: the status stays); the label
#: is stored in notes as it is and translated where a page shows it (N_)
DECISIONS: dict[str, tuple[str, str | None]] = {
    "plan_van_aanpak": (N_("Plan van aanpak"), "plan_van_aanpak"),
    "monitoren": (N_("Monitoren"), "monitoring"),
    "doorverwijzen": (N_("Doorverwijzen"), None),
    "afschalen": (N_("Afschalen"), "afgeschaald"),
    "afsluiten": (N_("Afsluiten"), "afgesloten"),
    "opnieuw_agenderen": (N_("Opnieuw agenderen"), None),
}
ACTION_STATUSES = ("open", "in_behandeling", "afgerond", "vervallen")
OPEN_ACTION_STATUSES = ("open", "in_behandeling")
ACTION_STATUS_LABELS = {"open": "open", "in_behandeling": "in behandeling", "afgerond": "afgerond",
                        "vervallen": "vervallen"}


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class MeetingSeries(Base):
    """A recurring overleg (e.g. weekly on Tuesday 10:00 Amsterdam time); its occurrences
    are ordinary meetings, materialised when the series is planned."""

    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    convenant_key: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(200))
    rrule: Mapped[str] = mapped_column(String(200))  # RFC 5545 RRULE on local wall-clock time
    # The calendar sees one recurring event: this UID, the RRULE, and per occurrence a
    # RECURRENCE-ID (the occurrence's original start) for its own changes or cancellation.
    uid: Mapped[str] = mapped_column(String(200), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Meeting(Base):
    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint(f"status IN {_in(MEETING_STATUSES)}", name="status"),
        CheckConstraint(f"minutes_status IS NULL OR minutes_status IN {_in(MINUTES_STATUSES)}",
                        name="minutes_status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        # A single meeting has a UID of its own; occurrences of a series share the series'
        # UID and differ in RECURRENCE-ID.
        UniqueConstraint("uid", "recurrence_id"),
        Index("uq_meeting_uid_single", "uid", unique=True, postgresql_where="recurrence_id IS NULL"),
        Index("ix_meeting_convenant_starts", "convenant_key", "starts_at"),
        Index("ix_meeting_minutes_due", "minutes_remind_at", postgresql_where="minutes_remind_at IS NOT NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convenant_key: Mapped[str] = mapped_column(String(100))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_series.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(String(300), default="")
    video_link: Mapped[str | None] = mapped_column(String(500))
    organiser_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(20), default="gepland")
    # RFC 5545: one UID for the life of the meeting; SEQUENCE rises on every change sent out.
    uid: Mapped[str] = mapped_column(String(200))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    recurrence_id: Mapped[datetime | None]  # an occurrence of a series: its original start
    cancelled_at: Mapped[datetime | None]
    minutes_status: Mapped[str | None] = mapped_column(String(20))
    minutes_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    minutes_approved_at: Mapped[datetime | None]
    # When to remind the organiser that the minutes are not approved (N working days after).
    minutes_remind_at: Mapped[datetime | None]
    minutes_reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organiser = relationship("User", foreign_keys=[organiser_id], lazy="joined")

    def policy_target(self):
        from zorgtafel.convenant.policy import Target

        return Target(convenant_key=self.convenant_key, object_type="meeting", object_id=self.id)


class Participant(Base):
    __tablename__ = "meeting_participant"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id"),
        CheckConstraint(f"attendance IN {_in(ATTENDANCE)}", name="attendance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The organisation at the time of the invitation: involvement follows it.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    attendance: Mapped[str] = mapped_column(String(20), default="onbekend")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Removed participants keep their row: their calendar gets a CANCEL built from it.
    removed_at: Mapped[datetime | None]

    user = relationship("User", lazy="joined")


class AgendaItem(Base):
    __tablename__ = "agenda_item"
    __table_args__ = (
        UniqueConstraint("meeting_id", "case_id"),
        CheckConstraint(f"decision IS NULL OR decision IN {_in(DECISIONS)}", name="decision"),
        CheckConstraint("duration_minutes IS NULL OR duration_minutes BETWEEN 1 AND 480", name="duration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")  # why it is on the agenda
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The minutes of this item (data category 'verslag').
    decision: Mapped[str | None] = mapped_column(String(30))
    decision_note: Mapped[str | None] = mapped_column(Text)
    minutes_text: Mapped[str | None] = mapped_column(Text)
    # What approving the minutes did to the case status ("monitoring", or why it did not).
    status_result: Mapped[str | None] = mapped_column(Text)

    case = relationship("Case", lazy="joined")


class ActionItem(Base):
    __tablename__ = "action_item"
    __table_args__ = (
        CheckConstraint(f"status IN {_in(ACTION_STATUSES)}", name="status"),
        Index("ix_action_item_assignee_status", "assignee_id", "status"),
        Index("ix_action_item_case_status", "case_id", "status"),
        Index("ix_action_item_reminder_due", "next_reminder_at", postgresql_where="next_reminder_at IS NOT NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    assignee_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    # Reminders: when each is due and when it went out (each once; a new due date re-arms).
    remind_at: Mapped[datetime | None]
    remind_sent_at: Mapped[datetime | None]
    due_remind_at: Mapped[datetime | None]
    due_remind_sent_at: Mapped[datetime | None]
    escalate_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    #: the earliest pending moment above; the sweep looks only here (partial index)
    next_reminder_at: Mapped[datetime | None]

    case = relationship("Case", lazy="joined")
    assignee = relationship("User", foreign_keys=[assignee_id], lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def policy_target(self, category: str = "actiepunt"):
        from zorgtafel.convenant.policy import Target

        return Target(convenant_key=self.case.convenant_key, category=category, case_id=self.case_id,
                      organisation_id=self.assignee_organisation_id, case_reference=self.case.reference,
                      object_type="action_item", object_id=self.id)


class ActionUpdate(Base):
    """One change of an action: status from → to (equal for a progress note), the note that
    explains it, and a new due date or assignee where those changed."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action_item.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    actor = relationship("User", foreign_keys=[actor_id], lazy="joined")
