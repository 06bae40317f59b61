"""The convenant as versioned rows. A loaded version is immutable (a trigger refuses
UPDATE and DELETE); a higher version of the same key supersedes it from its own
``effective_from``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ARRAY, JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zorgtafel.core.models import Base

SCOPES = ("own_organisation", "involved", "all")
REQUIREMENTS = ("reason", "second_approval")
INVOLVEMENT_SOURCES = ("signal", "action", "agenda", "coordinator")


class Convenant(Base):
    __tablename__ = "convenant"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_until: Mapped[date | None] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(Text)
    legal_bases: Mapped[list] = mapped_column(JSON)
    retention: Mapped[dict] = mapped_column(JSON)
    matching: Mapped[dict] = mapped_column(JSON)
    deadlines: Mapped[dict] = mapped_column(JSON)
    # The file exactly as loaded: provenance for the DPA and the source of version diffs.
    source_text: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(server_default=func.now())
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    parties: Mapped[list["Party"]] = relationship(back_populates="convenant", order_by="Party.id")
    data_categories: Mapped[list["DataCategory"]] = relationship(order_by="DataCategory.id")
    rules: Mapped[list["Rule"]] = relationship(order_by="Rule.position")

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_until is None or day < self.effective_until)


class Party(Base):
    """An organisation's membership of one convenant version, for a period."""

    __tablename__ = "convenant_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    convenant_id: Mapped[int] = mapped_column(ForeignKey("convenant.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)

    convenant: Mapped[Convenant] = relationship(back_populates="parties")
    organisation = relationship("Organisation", lazy="joined")

    def active_on(self, day: date) -> bool:
        # left_on is the first day without any right ("vanaf deze dag geen enkele inzage meer")
        return self.joined_on <= day and (self.left_on is None or day < self.left_on)


class DataCategory(Base):
    __tablename__ = "convenant_data_category"
    __table_args__ = (UniqueConstraint("convenant_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convenant_id: Mapped[int] = mapped_column(ForeignKey("convenant.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(300))
    special: Mapped[str | None] = mapped_column(String(40))


class Rule(Base):
    __tablename__ = "convenant_rule"
    __table_args__ = (UniqueConstraint("convenant_id", "article"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convenant_id: Mapped[int] = mapped_column(ForeignKey("convenant.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    article: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    # empty: every kind of organisation
    organisation_kinds: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    actions: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    categories: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    scope: Mapped[str | None] = mapped_column(String(20))
    requires: Mapped[list[str]] = mapped_column(ARRAY(String(40)))


class Involvement(Base):
    """Which organisation is involved in which case, and why (DESIGN: "involved" scope).

    Written by the operations that create involvement (a signal, an action, an agenda
    item, the coordinator adding a partner), so ``visible_clause`` is one indexed EXISTS.
    """

    __tablename__ = "involvement"
    __table_args__ = (UniqueConstraint("case_id", "organisation_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    since: Mapped[datetime] = mapped_column(server_default=func.now())
