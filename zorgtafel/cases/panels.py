"""Dashboard panels of the cases room (the dashboard sits above; it only shows them)."""

from __future__ import annotations

from sqlalchemy import select

from zorgtafel.cases.catalogue import label
from zorgtafel.cases.forms import URGENCY_CHOICES
from zorgtafel.cases.models import Case, Match, Signal
from zorgtafel.cases.queries import case_page, case_visible, signal_visible
from zorgtafel.extensions import db


def my_signals(actor) -> dict:
    rows = db.session.execute(
        select(Signal.id, Signal.category, Signal.observed_on, Case.reference)
        .join(Case, Case.id == Signal.case_id).where(Signal.author_id == actor.id, signal_visible(actor))
        .order_by(Signal.created_at.desc()).limit(8)
    ).all()
    return {"signals": [(label(category), observed, reference) for _, category, observed, reference in rows]}


def involved_cases(actor) -> dict:
    rows, _ = case_page(actor, limit=8)
    return {"rows": rows}


def coordinator_overview(actor) -> dict:
    matches = db.session.execute(
        select(Case.reference, Match.created_at, Match.urgency).join(Case, Case.id == Match.case_id)
        .where(case_visible(actor), Case.status.in_(("aangemeld", "in_weging", "heropend")))
        .order_by(Match.created_at.desc()).limit(10)
    ).all()
    weighing, _ = case_page(actor, status="in_weging", limit=10)
    new, _ = case_page(actor, status="aangemeld", limit=10)
    urgency = dict(URGENCY_CHOICES)
    matches = [(reference, created, str(urgency.get(level, level)).lower()) for reference, created, level in matches]
    return {"matches": matches, "weighing": weighing, "new": new}


def register() -> None:
    from zorgtafel.core.panels import register_panel

    register_panel({"professional"}, "cases/panel_professional.html",
                   lambda actor: {**my_signals(actor), **involved_cases(actor)}, order=10)
    register_panel({"zorgcoordinator"}, "cases/panel_coordinator.html", coordinator_overview, order=10)
