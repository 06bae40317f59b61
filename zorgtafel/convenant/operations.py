"""Writes of the convenant room other than loading: involvement."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert

from zorgtafel.convenant.models import INVOLVEMENT_SOURCES, Involvement
from zorgtafel.extensions import db


def involve(case_id: int, organisation_id: int, source: str) -> None:
    """Record that an organisation is involved in a case; idempotent per source."""
    if source not in INVOLVEMENT_SOURCES:
        raise ValueError(f"unknown involvement source {source!r}")
    db.session.execute(
        insert(Involvement).values(case_id=case_id, organisation_id=organisation_id, source=source)
        .on_conflict_do_nothing(index_elements=["case_id", "organisation_id", "source"])
    )
    from zorgtafel.convenant.policy import forget_involvement

    forget_involvement(case_id, organisation_id)
