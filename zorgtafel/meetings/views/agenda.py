"""The coordinator's changes to a planned overleg: agenda items (add, take over proposals,
up/down, time, remove), participants, rescheduling and cancelling. Each POST calls one
operation; on an error the meeting page comes back with the message next to the field."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from zorgtafel.auth.models import User
from zorgtafel.cases.models import Case
from zorgtafel.core.timeutil import to_local
from zorgtafel.extensions import db
from zorgtafel.meetings import agenda, operations
from zorgtafel.cases.errors import CaseError
from zorgtafel.meetings.forms import (
    AddCaseForm, CancelForm, DurationForm, ParticipantForm, ProposalForm, RescheduleForm, local_moment,
)
from zorgtafel.meetings.models import AgendaItem, Participant
from zorgtafel.meetings.views import bp
from zorgtafel.meetings.views.common import MeetingView, fail, settle
from zorgtafel.meetings.views.meetings import _when_fields, meeting_page


class Button(FlaskForm):
    """A button that changes something: only the CSRF token."""


class MeetingActionView(MeetingView):
    """POST on the meeting page: validate the form, call the operation, redirect back."""

    action = "plan_meeting"
    methods = ["POST"]
    form_name = ""
    anchor = "agenda"

    def make_form(self, meeting, **kwargs):
        return Button()

    def post(self, target, meeting_id: int, **kwargs):
        meeting = self.meeting(target)
        form = self.make_form(meeting, **kwargs)
        if not form.validate_on_submit():
            return meeting_page(meeting, {self.form_name: form}, status=422)
        try:
            message = self.act(meeting, form, **kwargs)
        except CaseError as exc:
            settle(exc)
            fail(form, exc)
            meeting = self.meeting(target)
            return meeting_page(meeting, {self.form_name: form}, None if exc.fields else str(exc), exc.status)
        if message:
            flash(message, "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id) + f"#{self.anchor}")


def _item(meeting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


class AddCaseView(MeetingActionView):
    form_name = "case"

    def make_form(self, meeting, **_):
        return AddCaseForm()

    def act(self, meeting, form):
        reference = (form.case.data or "").strip().upper()
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        added = agenda.add_case(current_user, meeting, case, reason=form.reason.data or "",
                                duration_minutes=form.duration_minutes.data)
        return _("Casus %(ref)s staat op de agenda (%(status)s).", ref=added.item.case.reference,
                 status=added.status_note)


class ProposalView(MeetingActionView):
    form_name = "proposal"

    def make_form(self, meeting, **_):
        return ProposalForm()

    def act(self, meeting, form):
        added = agenda.add_proposals(current_user, meeting, form.cases.data or [])
        return _("%(n)s voorgestelde casussen op de agenda gezet.", n=len(added))


class MoveView(MeetingActionView):
    step = 0

    def act(self, meeting, form, item_id: int):
        agenda.move_item(current_user, meeting, _item(meeting, item_id), self.step)
        return None


class UpView(MoveView):
    step = -1


class DownView(MoveView):
    step = 1


class RemoveItemView(MeetingActionView):
    def act(self, meeting, form, item_id: int):
        item = _item(meeting, item_id)
        reference = item.case.reference
        agenda.remove_item(current_user, meeting, item)
        return _("Casus %(ref)s is van de agenda gehaald.", ref=reference)


class DurationView(MeetingActionView):
    def make_form(self, meeting, item_id: int):
        self.form_name = f"duration-{item_id}"
        return DurationForm(prefix=f"item{item_id}")

    def act(self, meeting, form, item_id: int):
        agenda.set_duration(current_user, meeting, _item(meeting, item_id), form.duration_minutes.data)
        return _("De tijd is aangepast.")


class AddParticipantView(MeetingActionView):
    form_name = "participant"
    anchor = "deelnemers"

    def make_form(self, meeting, **_):
        return ParticipantForm()

    def act(self, meeting, form):
        operations.add_participant(current_user, meeting, db.session.get(User, form.user.data))
        return _("De deelnemer is toegevoegd en krijgt een uitnodiging.")


class RemoveParticipantView(MeetingActionView):
    anchor = "deelnemers"

    def act(self, meeting, form, participant_id: int):
        participant = db.session.get(Participant, participant_id)
        if participant is None or participant.meeting_id != meeting.id:
            abort(404)
        operations.remove_participant(current_user, meeting, participant)
        return _("De deelnemer is van de lijst gehaald en krijgt een afmelding voor de agenda.")


class RescheduleView(MeetingView):
    action = "plan_meeting"
    methods = ["GET", "POST"]

    def get(self, target, meeting_id: int, form=None, error=None):
        meeting = self.meeting(target)
        if form is None:
            start, end = to_local(meeting.starts_at), to_local(meeting.ends_at)
            form = RescheduleForm(day=start.date(), start=start.time(), end=end.time(), location=meeting.location,
                                  video_link=meeting.video_link)
        return render_template("meetings/reschedule.html", meeting=meeting, form=form, error=error)

    def post(self, target, meeting_id: int):
        meeting = self.meeting(target)
        form = RescheduleForm()
        if not form.validate_on_submit():
            return self.get(target, meeting_id, form), 422
        try:
            operations.reschedule(current_user, meeting, starts_at=local_moment(form.day.data, form.start.data),
                                  ends_at=local_moment(form.day.data, form.end.data),
                                  location=form.location.data or "", video_link=form.video_link.data)
        except CaseError as exc:
            settle(exc)
            fail(form, _when_fields(exc))
            return self.get(target, meeting_id, form, None if exc.fields else str(exc)), exc.status
        flash(_("Het overleg is gewijzigd; de deelnemers krijgen een bijgewerkte uitnodiging."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting_id))


class CancelView(MeetingView):
    action = "plan_meeting"
    methods = ["GET", "POST"]

    def get(self, target, meeting_id: int, form=None, error=None):
        return render_template("meetings/cancel.html", meeting=self.meeting(target), form=form or CancelForm(),
                               error=error)

    def post(self, target, meeting_id: int):
        form = CancelForm()
        if not form.validate_on_submit():
            return self.get(target, meeting_id, form), 422
        try:
            operations.cancel(current_user, self.meeting(target), form.reason.data or "")
        except CaseError as exc:
            settle(exc)
            fail(form, exc)
            return self.get(target, meeting_id, form, None if exc.fields else str(exc)), exc.status
        flash(_("Het overleg is geannuleerd; de deelnemers krijgen een afzegging voor hun agenda."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting_id))


_base = "/overleg/<int:meeting_id>"
bp.add_url_rule(f"{_base}/agenda", view_func=AddCaseView.as_view("add_case"))
bp.add_url_rule(f"{_base}/voorstel", view_func=ProposalView.as_view("add_proposals"))
bp.add_url_rule(f"{_base}/agenda/<int:item_id>/omhoog", view_func=UpView.as_view("item_up"))
bp.add_url_rule(f"{_base}/agenda/<int:item_id>/omlaag", view_func=DownView.as_view("item_down"))
bp.add_url_rule(f"{_base}/agenda/<int:item_id>/tijd", view_func=DurationView.as_view("item_duration"))
bp.add_url_rule(f"{_base}/agenda/<int:item_id>/verwijderen", view_func=RemoveItemView.as_view("item_remove"))
bp.add_url_rule(f"{_base}/deelnemers", view_func=AddParticipantView.as_view("add_participant"))
bp.add_url_rule(f"{_base}/deelnemers/<int:participant_id>/verwijderen",
                view_func=RemoveParticipantView.as_view("remove_participant"))
bp.add_url_rule(f"{_base}/verplaatsen", view_func=RescheduleView.as_view("reschedule"))
bp.add_url_rule(f"{_base}/annuleren", view_func=CancelView.as_view("cancel"))
