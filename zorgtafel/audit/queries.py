"""Select builders of the audit room. Every list goes through ``visible_entries_clause``
and pages by ``seq`` (keyset, newest first), so a page costs the same on a log of years."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select

from zorgtafel.audit.models import AuditEntry
from zorgtafel.auth.models import Organisation, User
from zorgtafel.extensions import db

LOCAL = ZoneInfo("Europe/Amsterdam")
PAGE_SIZE = 50


def visible_entries_clause(actor) -> ColumnElement[bool]:
    """The entries of the log ``actor`` may read, as a SQL condition: the scopes of the
    convenant's ``read_audit`` rules (reference convenant, art. 9.1: a privacy officer
    sees the entries of the users of their own organisation). The policy is reached
    through the registry, as audit sits below the convenant floor."""
    from zorgtafel.core.guard import policy

    return policy().row_clause(actor, "read_audit", organisation_id=AuditEntry.organisation_id)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL)


@dataclass(frozen=True)
class AuditFilter:
    """The privacy officer's search; days are Amsterdam days, both ends inclusive."""

    user_id: int | None = None
    organisation_id: int | None = None
    case_reference: str | None = None
    start: date | None = None
    end: date | None = None
    action: str | None = None
    denied_only: bool = False

    @property
    def active(self) -> bool:
        return any((self.user_id, self.organisation_id, self.case_reference, self.start, self.end, self.action,
                    self.denied_only))

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses = []
        if self.user_id is not None:
            clauses.append(AuditEntry.user_id == self.user_id)
        if self.organisation_id is not None:
            clauses.append(AuditEntry.organisation_id == self.organisation_id)
        if self.case_reference:
            clauses.append(AuditEntry.case_reference == self.case_reference)
        if self.start:
            clauses.append(AuditEntry.time >= _local_midnight(self.start))
        if self.end:
            clauses.append(AuditEntry.time < _local_midnight(self.end + timedelta(days=1)))
        if self.action:
            clauses.append(AuditEntry.action == self.action)
        if self.denied_only:
            clauses.append(AuditEntry.outcome == "denied")
        return clauses


@dataclass
class Page:
    rows: list = field(default_factory=list)
    next_before: int | None = None  # the cursor of the next (older) page


def search_statement(actor, flt: AuditFilter):
    # One statement per page: user and organisation names come along (no N+1).
    return (
        select(AuditEntry, User.name.label("user_name"), Organisation.name.label("organisation_name"))
        .outerjoin(User, User.id == AuditEntry.user_id)
        .outerjoin(Organisation, Organisation.id == AuditEntry.organisation_id)
        .where(visible_entries_clause(actor), *flt.clauses())
        .order_by(AuditEntry.seq.desc())
    )


def _page(stmt, before: int | None, limit: int) -> Page:
    if before is not None:
        stmt = stmt.where(AuditEntry.seq < before)
    rows = db.session.execute(stmt.limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1][0].seq if more else None)


def search_page(actor, flt: AuditFilter, *, before: int | None = None, limit: int = PAGE_SIZE) -> Page:
    """Rows of (entry, user_name, organisation_name), newest first, older than ``before``."""
    return _page(search_statement(actor, flt), before, limit)


def iter_search(statement, *, batch_size: int = 1000) -> Iterator:
    """The whole result of a ``search_statement`` in keyset batches, for the CSV export
    (constant memory). Takes the statement, not the actor: a streamed response runs after
    the request's commit, when the actor's attributes are expired."""
    before = None
    while True:
        page = _page(statement, before, batch_size)
        yield from page.rows
        if page.next_before is None:
            return
        before = page.next_before  # the identity map holds entries weakly: memory stays flat


def own_page(actor, *, before: int | None = None, limit: int = PAGE_SIZE) -> Page:
    """What ``actor`` did and saw, newest first: every entry with their user id."""
    stmt = select(AuditEntry).where(AuditEntry.user_id == actor.id).order_by(AuditEntry.seq.desc())
    if before is not None:
        stmt = stmt.where(AuditEntry.seq < before)
    entries = list(db.session.scalars(stmt.limit(limit + 1)))
    more = len(entries) > limit
    entries = entries[:limit]
    return Page(entries, entries[-1].seq if more else None)


def filter_users(actor) -> list[tuple[int, str]]:
    """Users to choose from in the search: those of the actor's own organisation, the
    same scope ``visible_entries_clause`` applies."""
    return list(db.session.execute(
        select(User.id, User.name).where(User.organisation_id == actor.organisation_id).order_by(User.name)
    ).tuples())


def filter_organisations() -> list[tuple[int, str]]:
    return list(db.session.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name)).tuples())
