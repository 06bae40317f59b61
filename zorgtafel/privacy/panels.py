"""The privacy officer's dashboard panel: recent access and denials in the log (as the
convenant lets them read it) and a few safe figures. Showing log entries is reading the
log, so the panel logs that itself, with its article — or shows why it may not."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from zorgtafel.audit import queries as audit_queries
from zorgtafel.audit.forms import OUTCOME_LABELS, action_label
from zorgtafel.audit.models import AuditEntry
from zorgtafel.audit.operations import record
from zorgtafel.cases.models import Case, Signal
from zorgtafel.convenant import policy
from zorgtafel.core.timeutil import today_local
from zorgtafel.extensions import db
from zorgtafel.privacy import statistics

RECENT = 8
DENIAL_DAYS = 7


def overview(actor) -> dict:
    decision = policy.decide(actor, "read_audit")
    panel = {"log_allowed": decision.allowed, "action_label": action_label, "outcome_labels": OUTCOME_LABELS,
             "denial_days": DENIAL_DAYS, "threshold": statistics.THRESHOLD, **_figures(actor)}
    if not decision.allowed:
        return panel
    since = today_local() - timedelta(days=DENIAL_DAYS - 1)
    denied = audit_queries.AuditFilter(denied_only=True, start=since)
    panel["recent"] = audit_queries.search_page(actor, audit_queries.AuditFilter(), limit=RECENT).rows
    panel["denials"] = audit_queries.search_page(actor, denied, limit=5).rows
    panel["denial_count"] = db.session.scalar(
        select(func.count()).select_from(AuditEntry)
        .where(audit_queries.visible_entries_clause(actor), *denied.clauses())) or 0
    panel["basis"] = decision.basis.label() if decision.basis else None
    record(actor, "read", outcome="success", object_type="audit_log", basis=decision.basis,
           reason="overzicht: recente toegang en weigeringen")
    return panel


def _figures(actor) -> dict:
    """Signals this month and open cases, per convenant the actor may see statistics of;
    small counts are suppressed exactly as on the statistics page."""
    keys = statistics.convenants_for(actor)
    if not keys:
        return {"figures": None}
    first = today_local().replace(day=1)
    signals = db.session.scalar(select(func.count(Signal.id)).join(Case, Case.id == Signal.case_id)
                                .where(Case.convenant_key.in_(keys), Signal.observed_on >= first)) or 0
    open_cases = db.session.scalar(select(func.count(Case.id)).where(
        Case.convenant_key.in_(keys), Case.status != "afgesloten")) or 0
    return {"figures": {"signals": statistics.shown(signals), "open_cases": statistics.shown(open_cases)}}


def register() -> None:
    from zorgtafel.core.panels import register_panel

    register_panel({"privacy"}, "privacy/panel.html", overview, order=10)
