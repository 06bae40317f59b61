"""Shared by the case pages: loading a case so that unknown and invisible look the same."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from zorgtafel.cases.models import Case
from zorgtafel.core.guard import ProtectedView
from zorgtafel.extensions import db


def load_case(reference: str) -> Case:
    case = db.session.scalar(select(Case).where(Case.reference == (reference or "").upper()))
    if case is None:
        abort(404)
    return case


class CaseView(ProtectedView):
    """A page about one case. A denial answers 404, like an unknown reference: the page
    must not confirm that a case exists to someone who may not see it (the audit log
    still records the denial)."""

    category = "signaal"

    def load(self, reference: str, **_):
        return load_case(reference).policy_target(self.category)

    def denied(self, decision):
        abort(404)

    def case(self, target) -> Case:
        return db.session.get(Case, target.case_id)


def fail(form, exc) -> None:
    """Put a CaseError's field messages next to the form's fields."""
    for name, message in (exc.fields or {}).items():
        field = getattr(form, name.split(".")[-1], None)
        if field is not None:
            field.errors = list(field.errors) + [message]
