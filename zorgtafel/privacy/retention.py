"""Retention by the convenant: erase cases closed longer than ``closed_case_days`` (keeping
anonymous counts and a content-free record), purge the access log past ``audit_log_days``,
and put cases without new signals for ``inactive_case_days`` to the zorgcoördinator."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from blinker import Namespace
from flask import current_app
from sqlalchemy import delete, exists, func, select
from sqlalchemy.dialects.postgresql import insert

from zorgtafel.audit.operations import purge_older_than, record
from zorgtafel.auth.models import Organisation
from zorgtafel.cases.models import Case, Match, Signal, Subject
from zorgtafel.convenant import policy
from zorgtafel.convenant.models import Convenant
from zorgtafel.core.models import utcnow
from zorgtafel.core.timeutil import today_local
from zorgtafel.extensions import db
from zorgtafel.privacy.models import ErasureRecord, StatisticsArchive

_events = Namespace()
#: (sender, case, days) — a case without new signals for inactive_case_days
inactive_case = _events.signal("inactive-case")


@dataclass
class Plan:
    erase: list[tuple[str, str]] = field(default_factory=list)  # (reference, rule)
    inactive: list[str] = field(default_factory=list)
    audit_days: int | None = None
    audit_purged: int = 0


def _rules() -> dict[str, Convenant]:
    """Per convenant key that still has cases (or is in force): the version that governs
    retention — the one in force, else the latest. Cases of a convenant that ended must
    still be erased on time."""
    rules = {key: db.session.get(Convenant, view.id) for key, view in policy.in_force().items()}
    for key in db.session.scalars(select(Case.convenant_key).distinct()):
        if key not in rules:
            latest = db.session.scalar(select(Convenant).where(Convenant.key == key)
                                       .order_by(Convenant.version.desc()).limit(1))
            if latest is not None:
                rules[key] = latest
    return rules


def plan() -> Plan:
    """What a run would do now; changes nothing (the dry-run)."""
    result = Plan()
    now = utcnow()
    in_force = policy.in_force()
    for key, conv in _rules().items():
        days = conv.retention["closed_case_days"]
        rule = f"retention.closed_case_days={days} (convenant {key} v{conv.version})"
        for reference in db.session.scalars(select(Case.reference).where(
                Case.convenant_key == key, Case.status == "afgesloten",
                Case.status_changed_at < now - timedelta(days=days)).order_by(Case.reference)):
            result.erase.append((reference, rule))
        if key not in in_force:
            continue  # inactive cases are put to a convenant's coordinators: only while it is in force
        inactive_days = conv.retention["inactive_case_days"]
        cutoff = today_local() - timedelta(days=inactive_days)
        result.inactive += list(db.session.scalars(select(Case.reference).where(
            Case.convenant_key == key, Case.status.notin_(("afgesloten",)),
            func.coalesce(Case.last_signal_on, func.date(func.timezone("Europe/Amsterdam", Case.created_at))) < cutoff)
            .order_by(Case.reference)))
    days = [c.retention["audit_log_days"] for c in _rules().values()]
    result.audit_days = max(days) if days else None  # the longest term wins: the log is shared
    return result


def run(actor=None) -> Plan:
    """Apply the plan; the caller commits (the CLI, or the daily task)."""
    result = plan()
    rules = _rules()
    for reference, rule in result.erase:
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        erase_case(actor, case, rules[case.convenant_key], rule)
    for reference in result.inactive:
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        if case.convenant_key not in policy.in_force():
            continue  # nobody works that convenant's queue any more; retention still applies
        days = rules[case.convenant_key].retention["inactive_case_days"]
        inactive_case.send(current_app._get_current_object(), case=case, days=days)
    if result.audit_days:
        result.audit_purged = purge_older_than(result.audit_days)
    return result


def erase_case(actor, case: Case, convenant: Convenant, rule: str) -> None:
    _archive_counts(case)
    db.session.add(ErasureRecord(case_reference=case.reference, convenant_key=case.convenant_key,
                                 convenant_version=convenant.version, rule=rule))
    record(actor, "erase", outcome="success", case_reference=case.reference, object_type="case",
           reason=rule)
    subject_id = case.subject_id
    # The database cascades to signals, history, matches, links, referrals, checklists,
    # reveal requests, involvement, agenda items and actions.
    db.session.execute(delete(Case).where(Case.id == case.id))
    if not db.session.scalar(select(exists().where(Case.subject_id == subject_id))):
        db.session.execute(delete(Subject).where(Subject.id == subject_id))  # pseudonyms and vault entry go too
    db.session.expire_all()


def _archive_counts(case: Case) -> None:
    month = func.to_char(Signal.observed_on, "YYYY-MM")
    rows = db.session.execute(
        select(month, Signal.category, Organisation.kind, func.count())
        .join(Organisation, Organisation.id == Signal.organisation_id)
        .where(Signal.case_id == case.id).group_by(month, Signal.category, Organisation.kind)
    ).all()
    counts: dict[tuple, int] = {}
    for m, category, kind, n in rows:
        counts[("signals", m, "category", category)] = counts.get(("signals", m, "category", category), 0) + n
        counts[("signals", m, "organisation_kind", kind)] = counts.get(("signals", m, "organisation_kind", kind), 0) + n
    for (m,) in db.session.execute(select(func.to_char(Match.created_at, "YYYY-MM")).where(Match.case_id == case.id)):
        counts[("matches", m, "-", "-")] = counts.get(("matches", m, "-", "-"), 0) + 1
    for (metric, m, dimension, key), n in counts.items():
        statement = insert(StatisticsArchive).values(convenant_key=case.convenant_key, metric=metric, month=m,
                                                     dimension=dimension, key=key, count=n)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["convenant_key", "metric", "month", "dimension", "key"],
            set_={"count": StatisticsArchive.count + statement.excluded.count}))
