"""Subjects (pseudonymous), the identity vault, cases, signals, matches and the workflow.

Nothing here holds a name, BSN or birth date except ``IdentityVault``, and that only
AES-GCM encrypted. A case is one subject under one convenant.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import case as sql_case
from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zorgtafel.core.models import Base

SUBJECT_ROLES = ("jongere", "vermoedelijke_uitbuiter", "ronselaar")
URGENCIES = ("laag", "midden", "hoog")
SIGNAL_DATA_CATEGORIES = ("signaal", "gezondheid", "strafrechtelijk")
PSEUDONYM_KINDS = ("bsn", "naam")


class Subject(Base):
    __tablename__ = "subject"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class SubjectPseudonym(Base):
    """One keyed hash per key kind (BSN; name + birth date); a registration that gives
    both links them to one subject."""

    __tablename__ = "subject_pseudonym"
    __table_args__ = (UniqueConstraint("kind", "pseudonym"), UniqueConstraint("subject_id", "kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    pseudonym: Mapped[str] = mapped_column(String(64))


class IdentityVault(Base):
    """The only place identity lives: encrypted under a per-record data key, which is
    wrapped by a key-encryption key named by ``kek_id`` (rotated by a command)."""

    __tablename__ = "identity_vault"

    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"), primary_key=True)
    kek_id: Mapped[str] = mapped_column(String(40), index=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class Case(Base):
    __tablename__ = "case_file"
    __table_args__ = (UniqueConstraint("subject_id", "convenant_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"))
    convenant_key: Mapped[str] = mapped_column(String(100), index=True)
    subject_role: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="aangemeld", index=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    status_changed_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # Kept by the signal operations so the case list sorts and pages without aggregating.
    last_signal_on: Mapped[date | None] = mapped_column(Date)
    max_urgency: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def policy_target(self, category: str = "signaal"):
        from zorgtafel.convenant.policy import Target

        return Target(convenant_key=self.convenant_key, category=category, case_id=self.id,
                      case_reference=self.reference, object_type="case", object_id=self.id)


Index("ix_case_file_sort", Case.last_signal_on.desc(), Case.id.desc())
# The follow-up sweep looks up cases by status and when they entered it (migration 0008).
Index("ix_case_file_status_changed", Case.status, Case.status_changed_at)


class StatusChange(Base):
    """History is never edited: every status change adds a row."""

    __tablename__ = "case_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(server_default=func.now())
    note: Mapped[str | None] = mapped_column(Text)


class Signal(Base):
    __tablename__ = "signal"
    __table_args__ = (
        CheckConstraint("urgency IN ('laag', 'midden', 'hoog')", name="urgency"),
        CheckConstraint("data_category IN ('signaal', 'gezondheid', 'strafrechtelijk')", name="data_category"),
        Index("ix_signal_case_observed", "case_id", "observed_on"),
        Index("ix_signal_author_recent", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    category: Mapped[str] = mapped_column(String(60))
    data_category: Mapped[str] = mapped_column(String(20))
    subject_role: Mapped[str] = mapped_column(String(30))
    observed_on: Mapped[date] = mapped_column(Date)
    urgency: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    organisation = relationship("Organisation", lazy="joined")

    @classmethod
    def urgency_rank(cls):
        """laag 1, midden 2, hoog 3 — as SQL, for MAX() and sorting."""
        return sql_case((cls.urgency == "laag", 1), (cls.urgency == "midden", 2), (cls.urgency == "hoog", 3), else_=0)

    @property
    def content_category(self) -> str:
        """The data category of the category and free text: 'toelichting' for an ordinary
        signal, the special category itself for health or criminal data."""
        return "toelichting" if self.data_category == "signaal" else self.data_category

    @property
    def facts_category(self) -> str:
        """The category of which signal it is (catalogue key): ordinary, or the special one."""
        return "signaal" if self.data_category == "signaal" else self.data_category


class Withdrawal(Base):
    """That a signal was withdrawn as unjustified — without its content (VIR practice)."""

    __tablename__ = "signal_withdrawal"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    withdrawn_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[datetime] = mapped_column(server_default=func.now())
    reason: Mapped[str] = mapped_column(Text)


class Match(Base):
    __tablename__ = "case_match"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    organisation_count: Mapped[int] = mapped_column(Integer)
    window_days: Mapped[int] = mapped_column(Integer)
    urgency: Mapped[str] = mapped_column(String(10))


class SubjectLink(Base):
    """Victim ↔ suspected exploiter, recruiter, peer group: between two cases."""

    __tablename__ = "subject_link"
    __table_args__ = (UniqueConstraint("from_case_id", "to_case_id", "kind"),
                      CheckConstraint("from_case_id <> to_case_id", name="not_self"))

    id: Mapped[int] = mapped_column(primary_key=True)
    from_case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    to_case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class CaseAlias(Base):
    """The reference of a case that was merged into this one (``cases.merge``): links in
    earlier e-mails and notes keep working, and the art. 15 export finds who saw the data
    under the old reference. A pseudonym, like the reference itself."""

    __tablename__ = "case_alias"

    reference: Mapped[str] = mapped_column(String(12), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PossibleDuplicate(Base):
    """Two subjects that may be one person (a name + birth date already linked to another
    BSN). Never merged silently: the zorgcoördinator decides."""

    __tablename__ = "possible_duplicate"
    __table_args__ = (UniqueConstraint("subject_id", "other_subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"))
    other_subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"))
    convenant_key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(30))


class Referral(Base):
    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    instance: Mapped[str] = mapped_column(String(40))
    referred_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class RiskAssessment(Base):
    __tablename__ = "risk_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    instrument_key: Mapped[str] = mapped_column(String(60))
    instrument_version: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict] = mapped_column(JSON)
    score: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(40))
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class RevealRequest(Base):
    """A request to see the identity behind a case reference: reason, second approval
    where the convenant asks for it, and a short window in which the requester sees it."""

    __tablename__ = "reveal_request"
    __table_args__ = (CheckConstraint("status IN ('pending', 'approved', 'refused')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    visible_until: Mapped[datetime | None]
    #: the identity is shown once (issue: "shown once, not cached in the page")
    shown_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
