"""The actiepunten pages: "Mijn actiepunten" (every user), one action with its history and
the status form, and assigning an action from the case page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from zorgtafel.auth.models import ROLES, User
from zorgtafel.cases.models import Case
from zorgtafel.audit.operations import record
from zorgtafel.core.guard import ProtectedView
from zorgtafel.core.web import register_nav
from zorgtafel.extensions import db
from zorgtafel.meetings import actions, queries
from zorgtafel.cases.errors import CaseError
from zorgtafel.meetings.forms import ACTION_STATUS_CHOICES, ActionForm, ActionUpdateForm
from zorgtafel.meetings.models import ActionItem
from zorgtafel.meetings.views import bp
from zorgtafel.meetings.views.common import fail, settle
from zorgtafel.meetings.views.meetings import user_choices


def update_form(action: ActionItem, form=None) -> ActionUpdateForm:
    form = form or ActionUpdateForm(prefix=f"a{action.id}", status=action.status)
    return form


class MyActionsView(ProtectedView):
    action = "personal"  # one's own actions, filtered in SQL (and by the policy: a party that left sees none)

    def get(self, target, forms=None, error=None, status=200):
        closed = request.args.get("afgerond") == "ja"
        rows = queries.my_actions(current_user, include_closed=closed)
        record(current_user, "search", outcome="success", object_type="action_list")
        forms = forms or {}
        update_forms = {r.action.id: update_form(r.action, forms.get(r.action.id)) for r in rows}
        return render_template("meetings/my_actions.html", rows=rows, forms=update_forms, closed=closed,
                               labels=dict(ACTION_STATUS_CHOICES), error=error), status


class ActionView(ProtectedView):
    """One action: whoever may read 'actiepunt' on its case sees it; the operation decides
    who may change it (the assignee or a coordinator)."""

    action = "read"
    methods = ["GET", "POST"]

    def load(self, action_id: int):
        action = db.session.get(ActionItem, action_id)
        if action is None:
            abort(404)
        return action.policy_target()

    def denied(self, decision):
        abort(404)

    def get(self, target, action_id: int, form=None, error=None, status=200):
        action = db.session.get(ActionItem, action_id)
        editable = action.assignee_id == current_user.id or actions.may_coordinate(current_user, action)
        return render_template("meetings/action.html", action=action, history=queries.history(action),
                               form=update_form(action, form), editable=editable,
                               coordinator=actions.may_coordinate(current_user, action),
                               labels=dict(ACTION_STATUS_CHOICES),
                               basis=self.decision.basis, error=error), status

    def post(self, target, action_id: int):
        action = db.session.get(ActionItem, action_id)
        form = update_form(action, ActionUpdateForm(prefix=f"a{action.id}"))
        back = request.form.get("terug") == "lijst"
        if form.validate_on_submit():
            try:
                actions.update_action(current_user, action, status=form.status.data, note=form.note.data,
                                      due_on=form.due_on.data)
            except CaseError as exc:
                settle(exc)
                fail(form, exc)
                return self.failed(target, action_id, form, exc, back)
            flash(_("Het actiepunt is bijgewerkt."), "success")
            return redirect(url_for("meetings.my_actions") if back else url_for("meetings.action", action_id=action_id))
        return self.failed(target, action_id, form, None, back)

    def failed(self, target, action_id, form, exc, back):
        status = exc.status if exc else 422
        error = str(exc) if exc and not exc.fields else None
        if back:
            return MyActionsView().get(None, forms={action_id: form}, error=error, status=status)
        return self.get(target, action_id, form, error, status)


class CaseActionView(ProtectedView):
    """Assign an action from the case page (the coordinator)."""

    action = "assign_action"
    methods = ["GET", "POST"]

    def load(self, reference: str):
        case = db.session.scalar(select(Case).where(Case.reference == (reference or "").upper()))
        if case is None:
            abort(404)
        return case.policy_target("actiepunt")

    def form(self, case, form=None):
        form = form or ActionForm()
        form.assignee.choices = user_choices(case.convenant_key)
        return form

    def get(self, target, reference: str, form=None, error=None, status=200):
        case = db.session.get(Case, target.case_id)
        return render_template("meetings/case_action.html", case=case, form=self.form(case, form),
                               actions=queries.case_actions(current_user, case), labels=dict(ACTION_STATUS_CHOICES),
                               error=error), status

    def post(self, target, reference: str):
        case = db.session.get(Case, target.case_id)
        form = self.form(case)
        if not form.validate_on_submit():
            return self.get(target, reference, form, status=422)
        try:
            actions.create_action(current_user, case, title=form.title.data,
                                  assignee=db.session.get(User, form.assignee.data), due_on=form.due_on.data,
                                  note=form.note.data or "")
        except CaseError as exc:
            settle(exc)
            fail(form, exc)
            return self.get(target, reference, form, None if exc.fields else str(exc), exc.status)
        flash(_("Het actiepunt is toegewezen."), "success")
        return redirect(url_for("cases.case", reference=case.reference))


bp.add_url_rule("/actiepunten", view_func=MyActionsView.as_view("my_actions"))
bp.add_url_rule("/actiepunten/<int:action_id>", view_func=ActionView.as_view("action"))
bp.add_url_rule("/casussen/<reference>/actiepunt", view_func=CaseActionView.as_view("case_action"))

register_nav(lambda: _("Mijn actiepunten"), "meetings.my_actions", set(ROLES),
             order=40, count=queries.open_count,
             count_label=lambda n: _("%(n)s open actiepunten", n=n))
