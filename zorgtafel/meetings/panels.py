"""Dashboard panel of the meetings room: one's next overleggen and open actiepunten
(the dashboard sits above and only shows it). Four bounded queries."""

from __future__ import annotations

from zorgtafel.meetings import queries


def overview(actor) -> dict:
    return {"meetings": queries.meetings_for(actor, limit=5), "actions": queries.my_actions(actor, limit=8)}


def coordinator_overview(actor) -> dict:
    rows, total = queries.overdue_actions(actor)
    return {"overdue": rows, "overdue_total": total}


def register() -> None:
    from zorgtafel.core.panels import register_panel

    register_panel({"professional", "zorgcoordinator"}, "meetings/panel.html", overview, order=20)
    register_panel({"zorgcoordinator"}, "meetings/panel_overdue.html", coordinator_overview, order=15)
