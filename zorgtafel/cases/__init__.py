"""Pseudonymised subjects, the identity vault, cases, signals, matches and the workflow."""

from flask import Flask


def init_app(app: Flask) -> None:
    from zorgtafel.cases import models  # noqa: F401 - registers the tables
    from zorgtafel.cases.cli import vault_cli
    from zorgtafel.cases.notifications import register
    from zorgtafel.cases.views import bp, register_routes
    from zorgtafel.convenant.views import CASE_RESOLVER

    register()
    register_routes()
    from zorgtafel.cases.panels import register as register_panels

    register_panels()
    if not app.blueprints.get("cases"):
        app.register_blueprint(bp)
    app.cli.add_command(vault_cli)
    if not CASE_RESOLVER:
        CASE_RESOLVER.append(_resolve_reference)


def _resolve_reference(reference: str):
    from sqlalchemy import select

    from zorgtafel.cases.models import Case
    from zorgtafel.extensions import db

    row = db.session.execute(select(Case.id, Case.convenant_key).where(Case.reference == reference)).first()
    return tuple(row) if row else None
