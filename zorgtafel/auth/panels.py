"""The beheerder's dashboard panel: organisations and their accounts — no case content."""

from __future__ import annotations

from sqlalchemy import func, select

from zorgtafel.auth.models import Organisation, User
from zorgtafel.extensions import db


def organisations_overview(actor) -> dict:
    rows = db.session.execute(
        select(Organisation.name, Organisation.kind,
               func.count(User.id).filter(User.active.is_(True)), func.count(User.id).filter(User.active.is_(False)))
        .outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id).order_by(Organisation.name)
    ).all()
    return {"organisations": rows}


def register() -> None:
    from zorgtafel.core.panels import register_panel

    register_panel({"beheerder"}, "auth/panel_beheerder.html", organisations_overview, order=90)
