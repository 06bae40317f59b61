"""What retention leaves behind: a record that a case was erased (no content), and the
anonymous counts that keep statistics right after the case itself is gone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from zorgtafel.core.models import Base


class ErasureRecord(Base):
    __tablename__ = "erasure_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_reference: Mapped[str] = mapped_column(String(12), index=True)
    convenant_key: Mapped[str] = mapped_column(String(100))
    convenant_version: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(Text)  # e.g. "retention.closed_case_days=730 (convenant … v1)"
    erased_at: Mapped[datetime] = mapped_column(server_default=func.now())


class StatisticsArchive(Base):
    """Anonymous counts of erased cases: (metric, month, dimension, key) → count."""

    __tablename__ = "statistics_archive"
    __table_args__ = (UniqueConstraint("convenant_key", "metric", "month", "dimension", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convenant_key: Mapped[str] = mapped_column(String(100))
    metric: Mapped[str] = mapped_column(String(30))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    dimension: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(60))
    count: Mapped[int] = mapped_column(Integer)
