"""The overleg list, planning one meeting or a series, and the meeting page."""

from __future__ import annotations

import re

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from zorgtafel.audit.operations import record
from zorgtafel.auth.models import User
from zorgtafel.cases.errors import CaseError
from zorgtafel.cases.models import Case
from zorgtafel.cases.operations import convenant_for
from zorgtafel.convenant import policy
from zorgtafel.core.guard import ProtectedView
from zorgtafel.core.web import register_nav
from zorgtafel.extensions import db
from zorgtafel.meetings import operations, queries
from zorgtafel.meetings.common import party_users
from zorgtafel.meetings.errors import MeetingError
from zorgtafel.meetings.ics import meeting_calendar
from zorgtafel.meetings.forms import (
    ACTION_STATUS_CHOICES, AddCaseForm, DurationForm, MeetingForm, ParticipantForm, ProposalForm, SeriesForm,
    local_moment,
)
from zorgtafel.meetings.models import DECISIONS
from zorgtafel.cases.views.common import status_label
from zorgtafel.meetings.views import bp
from zorgtafel.meetings.views.common import MeetingView, fail, settle

REFERENCE = re.compile(r"ZT-[A-Z0-9]{4}-[A-Z0-9]{4}")


def user_choices(convenant_key: str, exclude=()) -> list[tuple[int, str]]:
    return [(u.id, f"{u.name} — {u.organisation.name}") for u in party_users(convenant_key) if u.id not in exclude]


def _own_convenant() -> str | None:
    try:
        return convenant_for(current_user)
    except CaseError:
        return None


def plan_target():
    """The convenant the actor would plan under (or an impossible one, which decide refuses)."""
    return policy.Target(_own_convenant() or "-", object_type="meeting")


class MeetingListView(ProtectedView):
    action = "personal"  # filtered in SQL: participant, or may plan under the convenant

    def get(self, target):
        key = _own_convenant()
        can_plan = bool(key) and policy.decide(current_user, "plan_meeting",
                                               policy.Target(key, object_type="meeting")).allowed
        record(current_user, "search", outcome="success", object_type="meeting_list")
        return render_template("meetings/list.html", upcoming=queries.meetings_for(current_user),
                               past=queries.meetings_for(current_user, upcoming=False, limit=20), can_plan=can_plan)


class PlanView(ProtectedView):
    action = "plan_meeting"
    methods = ["GET", "POST"]

    def load(self):
        return plan_target()

    def form(self):
        form = MeetingForm()
        form.participants.choices = user_choices(_own_convenant(), exclude={current_user.id})
        return form

    def get(self, target, form=None, error=None):
        return render_template("meetings/plan.html", form=form or self.form(), error=error)

    def post(self, target):
        form = self.form()
        if not form.validate_on_submit():
            return self.get(target, form), 422
        users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(form.participants.data or [])))}
        references = REFERENCE.findall((form.cases.data or "").upper())
        cases = list(db.session.scalars(select(Case).where(Case.reference.in_(references)))) if references else []
        try:
            if len(cases) != len(set(references)):
                raise MeetingError(_("Een of meer casusnummers zijn onbekend of u heeft er geen inzage in."),
                                   field="cases")
            meeting = operations.plan_meeting(
                current_user, title=form.title.data, starts_at=local_moment(form.day.data, form.start.data),
                ends_at=local_moment(form.day.data, form.end.data), location=form.location.data or "",
                video_link=form.video_link.data, participants=[users[i] for i in form.participants.data or []],
                cases=cases)
        except CaseError as exc:
            settle(exc)
            fail(form, _when_fields(exc))
            return self.get(target, form, None if exc.fields else str(exc)), exc.status
        flash(_("Het overleg is gepland; de deelnemers krijgen een uitnodiging."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))


def _when_fields(exc):
    """starts_at / ends_at of the operation are the day, start and end fields of the form."""
    mapped = {}
    for name, message in (exc.fields or {}).items():
        mapped[{"starts_at": "start", "ends_at": "end"}.get(name, name)] = message
    exc.fields = mapped
    return exc


class SeriesView(ProtectedView):
    action = "plan_meeting"
    methods = ["GET", "POST"]

    def load(self):
        return plan_target()

    def form(self):
        form = SeriesForm()
        form.participants.choices = user_choices(_own_convenant(), exclude={current_user.id})
        return form

    def get(self, target, form=None, error=None):
        return render_template("meetings/series.html", form=form or self.form(), error=error)

    def post(self, target):
        form = self.form()
        if not form.validate_on_submit():
            return self.get(target, form), 422
        users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(form.participants.data or [])))}
        try:
            _series, meetings = operations.plan_series(
                current_user, title=form.title.data, first_day=form.first_day.data, start=form.start.data,
                duration_minutes=form.duration_minutes.data, interval_weeks=form.interval_weeks.data,
                count=form.count.data, location=form.location.data or "", video_link=form.video_link.data,
                participants=[users[i] for i in form.participants.data or []])
        except CaseError as exc:
            settle(exc)
            fail(form, _when_fields(exc))
            return self.get(target, form, None if exc.fields else str(exc)), exc.status
        flash(_("%(n)s overleggen gepland; de deelnemers krijgen één uitnodiging met alle data.", n=len(meetings)),
              "success")
        return redirect(url_for("meetings.meeting", meeting_id=meetings[0].id))


def meeting_page(meeting, forms=None, error=None, status: int = 200):
    """The meeting page; the action views re-render it with their form's errors."""
    forms = forms or {}
    can_plan = queries.may_plan(current_user, meeting)
    rows = queries.agenda(current_user, meeting)
    people = queries.participants(meeting)
    planned = meeting.status == "gepland"
    proposals, proposal_form, participant_form, case_form, durations = [], None, None, None, {}
    if can_plan and planned:
        proposals = queries.proposals(current_user, meeting)
        proposal_form = forms.get("proposal") or ProposalForm()
        proposal_form.cases.choices = [(p.case.id, f"{p.case.reference} — {p.reason_text}") for p in proposals]
        participant_form = forms.get("participant") or ParticipantForm()
        participant_form.user.choices = user_choices(meeting.convenant_key, exclude={p.user_id for p in people})
        case_form = forms.get("case") or AddCaseForm()
        for row in rows:
            form = forms.get(f"duration-{row.item.id}") or DurationForm(prefix=f"item{row.item.id}",
                                                                         duration_minutes=row.item.duration_minutes)
            durations[row.item.id] = form
    all_forms = [f for f in (case_form, proposal_form, participant_form, *durations.values()) if f is not None]
    return render_template(
        "meetings/meeting.html", meeting=meeting, rows=rows, participants=people, can_plan=can_plan,
        can_write=queries.may_write_minutes(current_user, meeting), planned=planned, proposals=proposals,
        proposal_form=proposal_form, participant_form=participant_form, case_form=case_form, durations=durations,
        all_forms=all_forms, error=error, decisions=DECISIONS, action_labels=dict(ACTION_STATUS_CHOICES),
        status_label=status_label, total=sum(r.item.duration_minutes or 0 for r in rows),
    ), status


class MeetingPageView(MeetingView):
    action = "personal"  # visible to participants and planners (load filters in SQL); items by the policy

    def get(self, target, meeting_id: int):
        meeting = self.meeting(target)
        record(current_user, "read", outcome="success", object_type="meeting", object_id=meeting.id)
        return meeting_page(meeting)


class MeetingIcsView(MeetingView):
    """The invitation for one's own calendar, as the actor may see the agenda."""

    action = "personal"

    def get(self, target, meeting_id: int):
        meeting = self.meeting(target)
        method, body = meeting_calendar(meeting, current_user)
        record(current_user, "export", outcome="success", object_type="meeting_ics", object_id=meeting.id)
        return Response(body, content_type=f"text/calendar; method={method}; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="overleg.ics"'})


bp.add_url_rule("/overleg", view_func=MeetingListView.as_view("meetings"))
bp.add_url_rule("/overleg/nieuw", view_func=PlanView.as_view("plan"))
bp.add_url_rule("/overleg/reeks", view_func=SeriesView.as_view("series"))
bp.add_url_rule("/overleg/<int:meeting_id>", view_func=MeetingPageView.as_view("meeting"))
bp.add_url_rule("/overleg/<int:meeting_id>/uitnodiging.ics", view_func=MeetingIcsView.as_view("meeting_ics"))

register_nav(lambda: _("Overleg"), "meetings.meetings", {"professional", "zorgcoordinator"}, order=30)
