"""The access log (NEN 7513): one append-only, hash-chained table and its purge checkpoints.

No foreign keys on purpose: the log must outlive the users, organisations and cases it
names (retention erases cases; the log keeps its entries for ``audit_log_days``), and a
deleted row elsewhere must never cascade into the log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ARRAY, BigInteger, CheckConstraint, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from zorgtafel.core.models import Base

OUTCOMES = ("allowed", "denied", "success", "failure")


class AuditEntry(Base):
    """One logged event. ``seq`` is the gapless chain index; ``hash`` is
    HMAC-SHA256(AUDIT_KEY, canonical content including ``prev_hash``)."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        CheckConstraint("outcome IN ('allowed', 'denied', 'success', 'failure')", name="outcome"),
    )

    # Assigned under the chain lock at commit (see chain.py), never by a sequence: a
    # sequence leaves gaps on rollback and the chain must have none.
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    time: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(Integer)
    organisation_id: Mapped[int | None] = mapped_column(Integer)
    roles: Mapped[list[str] | None] = mapped_column(ARRAY(String(40)))
    on_behalf_of: Mapped[int | None] = mapped_column(Integer)  # the partner organisation acted for
    action: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(10))
    case_reference: Mapped[str | None] = mapped_column(String(40))
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(128))
    basis_key: Mapped[str | None] = mapped_column(String(80))
    basis_version: Mapped[int | None] = mapped_column(Integer)
    basis_article: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_ip: Mapped[str | None] = mapped_column(String(45))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    @property
    def denied(self) -> bool:
        return self.outcome == "denied"

    def basis_label(self) -> str:
        if not self.basis_article:
            return ""
        if self.basis_key is None:
            return self.basis_article
        return f"art. {self.basis_article}, convenant {self.basis_key} v{self.basis_version}"

    def __repr__(self) -> str:
        return f"<AuditEntry {self.seq} {self.action} {self.outcome}>"


# The pages filter by scope, user and case and page by seq (keyset), newest first.
Index("ix_audit_entry_organisation_seq", AuditEntry.organisation_id, AuditEntry.seq)
Index("ix_audit_entry_user_seq", AuditEntry.user_id, AuditEntry.seq)
Index("ix_audit_entry_case_seq", AuditEntry.case_reference, AuditEntry.seq,
      postgresql_where=AuditEntry.case_reference.isnot(None))
# Time is nearly monotonic in an append-only table: BRIN is tiny and serves period filters
# and the purge's cutoff.
Index("ix_audit_entry_time", AuditEntry.time, postgresql_using="brin")


class AuditCheckpoint(Base):
    """Written only by the database function ``audit_purge``: the chain continues after
    ``seq`` from ``hash``, so verification still works once older entries are gone."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    hash: Mapped[str] = mapped_column(String(64))
    deleted: Mapped[int] = mapped_column(BigInteger)
    days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
