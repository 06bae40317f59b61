"""Shared by the case pages: loading a case so that unknown and invisible look the same."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from zorgtafel.cases import catalogue, workflow
from zorgtafel.cases.models import Case
from zorgtafel.core.guard import ProtectedView
from zorgtafel.extensions import db


def require_readable(case: Case) -> None:
    """Acting on a case (a referral, a checklist, a status) presupposes seeing it: whoever
    may not read the case gets the same 404 as for an unknown reference — and the attempt
    is logged as a denied read."""
    from flask_login import current_user

    from zorgtafel.convenant import policy
    from zorgtafel.core.guard import authorize

    if not policy.decide(current_user, "read", case.policy_target()).allowed:
        authorize(current_user, "read", case.policy_target())
        db.session.commit()
        abort(404)


def load_case(reference: str) -> Case:
    from zorgtafel.cases.queries import find_case

    case = find_case(reference)
    if case is None:
        abort(404)
    return case


class CaseView(ProtectedView):
    """A page about one case. A denial answers 404, like an unknown reference: the page
    must not confirm that a case exists to someone who may not see it (the audit log
    still records the denial)."""

    category = "signaal"

    def load(self, reference: str, **_):
        case = load_case(reference)
        if self.action != "read":
            require_readable(case)
        return case.policy_target(self.category)

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


def page_language() -> str:
    """The language of the page being rendered ('nl' or 'en'), for the labels that live
    in code as (Dutch, English) pairs: statuses, signal categories."""
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else "nl"


def status_label(status: str) -> str:
    return workflow.label(status, page_language())


def category_label(key: str) -> str:
    return catalogue.label(key, page_language())
