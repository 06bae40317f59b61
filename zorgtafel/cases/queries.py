"""Select builders of the cases room. Every list is filtered in SQL by the policy; a page
of cases costs the same handful of statements however many cases there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Callable

from sqlalchemy import Date, and_, cast, exists, func, literal, or_, select, tuple_

from zorgtafel.auth.models import Organisation
from zorgtafel.cases.models import Case, CaseAlias, Match, Signal
from zorgtafel.convenant import policy
from zorgtafel.core.timeutil import to_local
from zorgtafel.extensions import db

SORTS = ("last_signal", "urgency")
EPOCH = date(1900, 1, 1)


def case_visible(actor):
    return policy.visible_clause(actor, "read", "signaal", case_id=Case.id, convenant_key=Case.convenant_key)


def signal_visible(actor, category: str = "signaal"):
    return policy.visible_clause(actor, "read", category, case_id=Signal.case_id, convenant_key=Case.convenant_key,
                                 organisation_id=Signal.organisation_id)


def _by_reference(reference: str):
    """The case under this reference, or the one it was merged into (``CaseAlias``)."""
    reference = (reference or "").strip().upper()
    aliased = select(CaseAlias.case_id).where(CaseAlias.reference == reference).scalar_subquery()
    return select(Case).where(or_(Case.reference == reference, Case.id == aliased))


def find_case(reference: str) -> Case | None:
    """Whether the caller may see it is the caller's policy check."""
    return db.session.scalar(_by_reference(reference))


def case_by_reference(actor, reference: str) -> Case | None:
    """The case if it exists and the actor may read it; None for unknown and invisible alike."""
    return db.session.scalar(_by_reference(reference).where(case_visible(actor)))


@dataclass
class CaseRow:
    case: Case
    has_match: bool
    signal_count: int = 0
    organisations: list[str] = field(default_factory=list)
    basis: policy.Basis | None = None  # why this row is visible: shown with it


def visible_urgency(actor):
    """The highest urgency among the signals whose urgency this actor may know: a health or
    police signal's urgency falls under its own category, so sorting by urgency must not
    betray one the actor cannot open (the stored ``max_urgency`` counts them all)."""
    knowable = or_(*(and_(Signal.data_category == category, signal_visible(actor, category))
                     for category in ("signaal", "gezondheid", "strafrechtelijk")))
    return (select(func.coalesce(func.max(Signal.urgency_rank()), 0))
            .where(Signal.case_id == Case.id, knowable).correlate(Case).scalar_subquery())


def _sort_columns(sort: str, actor):
    last = func.coalesce(Case.last_signal_on, cast(literal(EPOCH), Date))
    if sort == "urgency":
        return [visible_urgency(actor), last, Case.id]
    return [last, Case.id]


def case_page(actor, *, status: str | None = None, has_match: bool | None = None, since: date | None = None,
              sort: str = "last_signal", after: tuple | None = None, limit: int = 50,
              ) -> tuple[list[CaseRow], tuple | None]:
    """One page of visible cases (newest or most urgent first) and the keyset of the next."""
    match_exists = exists().where(Match.case_id == Case.id)
    columns = _sort_columns(sort, actor)
    query = select(Case, match_exists.label("has_match"), columns[0].label("sort_key")).where(case_visible(actor))
    if status:
        query = query.where(Case.status == status)
    if has_match is not None:
        query = query.where(match_exists if has_match else ~match_exists)
    if since:
        query = query.where(Case.last_signal_on >= since)
    if after:
        if len(after) != len(columns):
            after = None  # a key of another sort order: start at the top
        else:
            query = query.where(tuple_(*columns) < tuple_(*after))
    rows = db.session.execute(query.order_by(*[c.desc() for c in columns]).limit(limit + 1)).all()
    page = [CaseRow(case, bool(flag)) for case, flag, _ in rows[:limit]]
    _add_signal_summary(actor, page)
    policy.prime_involvement(actor.organisation_id, [row.case.id for row in page])  # one query, not one per row
    for row in page:
        row.basis = policy.decide(actor, "read", row.case.policy_target()).basis
    following = None
    if len(rows) > limit:
        case, _, urgency = rows[limit - 1]
        last = case.last_signal_on or EPOCH
        following = (urgency, last, case.id) if sort == "urgency" else (last, case.id)
    return page, following


def _add_signal_summary(actor, page: list[CaseRow]) -> None:
    """Counts and organisations of the signals the actor may know of: one statement."""
    if not page:
        return
    ids = [row.case.id for row in page]
    summary = db.session.execute(
        select(Signal.case_id, func.count(Signal.id), func.array_agg(func.distinct(Organisation.name)))
        .join(Case, Case.id == Signal.case_id).join(Organisation, Organisation.id == Signal.organisation_id)
        .where(Signal.case_id.in_(ids), signal_visible(actor))
        .group_by(Signal.case_id)
    ).all()
    by_case = {case_id: (count, sorted(names)) for case_id, count, names in summary}
    for row in page:
        row.signal_count, row.organisations = by_case.get(row.case.id, (0, []))


# -- the timeline -----------------------------------------------------------------------


@dataclass
class Entry:
    kind: str
    at: datetime | date
    organisation: str | None
    category: str | None = None
    data_category: str | None = None
    restricted: bool = False
    basis: policy.Basis | None = None
    reason: str | None = None
    detail: dict = field(default_factory=dict)

    @property
    def sort_key(self):
        """Chronological: by local day, then time (a signal's day is its observation date)."""
        if isinstance(self.at, datetime):
            local = to_local(self.at)
            return (local.date(), local.time())
        return (self.at, time.min)


#: other rooms (meetings: agenda items, decisions, actions) add entries: (actor, case) -> [Entry]
TIMELINE_SOURCES: list[Callable] = []


def timeline(actor, case: Case) -> list[Entry]:
    from zorgtafel.cases import timeline_entries

    entries = timeline_entries.signals(actor, case) + timeline_entries.others(actor, case)
    for source in TIMELINE_SOURCES:
        entries.extend(source(actor, case))
    return sorted(entries, key=lambda e: e.sort_key)
