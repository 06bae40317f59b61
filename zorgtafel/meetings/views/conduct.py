"""Conducting the overleg: attendance, per agenda item the decision, a note and the
minutes text, the actions agreed; then the draft for review and the approval."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from zorgtafel.auth.models import User
from zorgtafel.extensions import db
from zorgtafel.meetings import actions, minutes, queries
from zorgtafel.cases.errors import CaseError
from zorgtafel.meetings.forms import ATTENDANCE_CHOICES, DECISION_CHOICES, ActionForm, ApproveForm
from zorgtafel.meetings.models import AgendaItem
from zorgtafel.cases.views.common import status_label
from zorgtafel.meetings.views import bp
from zorgtafel.meetings.views.agenda import Button
from zorgtafel.meetings.views.common import MeetingView, fail, settle
from zorgtafel.meetings.views.meetings import user_choices


def action_form(meeting, item_id: int, form=None) -> ActionForm:
    form = form or ActionForm(prefix=f"action{item_id}")
    form.assignee.choices = user_choices(meeting.convenant_key)
    return form


class ConductView(MeetingView):
    action = "write_minutes"
    methods = ["GET", "POST"]

    def get(self, target, meeting_id: int, errors=None, values=None, error=None, forms=None, status=200):
        meeting = self.meeting(target)
        rows = queries.agenda(current_user, meeting)
        forms = forms or {}
        action_forms = {r.item.id: action_form(meeting, r.item.id, forms.get(r.item.id)) for r in rows
                        if not r.restricted}
        errors = errors or {}
        return render_template(
            "meetings/conduct.html", meeting=meeting, rows=rows, participants=queries.participants(meeting),
            errors=errors, values=values or {}, error=error, form=Button(), approve_form=ApproveForm(),
            action_forms=action_forms, decision_choices=DECISION_CHOICES, attendance_choices=ATTENDANCE_CHOICES,
            status_label=status_label, locked=meeting.minutes_status == "goedgekeurd",
            error_list=[(k, v) for k, v in errors.items()],
        ), status

    def post(self, target, meeting_id: int):
        meeting = self.meeting(target)
        if not Button().validate_on_submit():
            abort(400)
        values = request.form.to_dict()
        items = {i.id: i for i in db.session.scalars(db.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))}
        entries = [minutes.ItemMinutes(item, values.get(f"decision-{item.id}") or None,
                                       values.get(f"note-{item.id}", ""), values.get(f"text-{item.id}", ""))
                   for item in items.values() if f"decision-{item.id}" in values]
        attendance = {int(k.split("-", 1)[1]): v for k, v in values.items()
                      if k.startswith("attendance-") and k.split("-", 1)[1].isdigit()}
        try:
            minutes.set_attendance(current_user, meeting, attendance)
            minutes.record_minutes(current_user, meeting, entries)
            notified = minutes.submit_draft(current_user, meeting) if values.get("draft") else None
        except CaseError as exc:
            settle(exc)
            return self.get(target, meeting_id, errors=exc.fields or {}, values=values,
                            error=None if exc.fields else str(exc), status=exc.status)
        if notified:
            flash(_("Het concept is opgeslagen; de deelnemers krijgen bericht om het te lezen."), "success")
        else:
            flash(_("Het verslag is opgeslagen."), "success")
        return redirect(url_for("meetings.conduct", meeting_id=meeting_id))


class ItemActionView(MeetingView):
    """An action agreed on one agenda item, assigned from the minutes page."""

    action = "assign_action"
    methods = ["POST"]

    def post(self, target, meeting_id: int, item_id: int):
        meeting = self.meeting(target)
        item = db.session.get(AgendaItem, item_id)
        if item is None or item.meeting_id != meeting.id:
            abort(404)
        form = action_form(meeting, item_id)
        if form.validate_on_submit():
            try:
                actions.create_action(current_user, item.case, title=form.title.data,
                                      assignee=db.session.get(User, form.assignee.data), due_on=form.due_on.data,
                                      note=form.note.data or "", meeting=meeting, agenda_item=item)
            except CaseError as exc:
                settle(exc)
                fail(form, exc)
                return ConductView().get(target, meeting_id, forms={item_id: form},
                                         error=None if exc.fields else str(exc), status=exc.status)
            flash(_("Het actiepunt is toegewezen."), "success")
            return redirect(url_for("meetings.conduct", meeting_id=meeting_id) + f"#punt-{item_id}")
        return ConductView().get(target, meeting_id, forms={item_id: form}, status=422)


class ApproveView(MeetingView):
    action = "write_minutes"
    methods = ["POST"]

    def post(self, target, meeting_id: int):
        meeting = self.meeting(target)
        form = ApproveForm()
        if not form.validate_on_submit():
            abort(400)
        try:
            results = minutes.approve(current_user, meeting, form.note.data or "")
        except CaseError as exc:
            settle(exc)
            return ConductView().get(target, meeting_id, error=str(exc), status=exc.status)
        flash(_("Het verslag is vastgesteld en verspreid."), "success")
        for result in results:
            flash(f"{result.reference}: {result.message}", "success" if result.applied else "error")
        return redirect(url_for("meetings.meeting", meeting_id=meeting_id))


_base = "/overleg/<int:meeting_id>/verslag"
bp.add_url_rule(_base, view_func=ConductView.as_view("conduct"))
bp.add_url_rule(f"{_base}/<int:item_id>/actiepunt", view_func=ItemActionView.as_view("item_action"))
bp.add_url_rule(f"{_base}/vaststellen", view_func=ApproveView.as_view("approve"))
