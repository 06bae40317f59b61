"""JSON resources of the meetings room (CONTRACT: meetings, invite.ics, minutes, actions).
A meeting is found only by its participants and those who may plan meetings under its
convenant (404 for anyone else); its agenda is shown as the caller may see it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask import Response, g, request
from pydantic import AwareDatetime, Field
from sqlalchemy import func, select

from zorgtafel.audit.operations import record
from zorgtafel.auth.models import User
from zorgtafel.cases.models import Case
from zorgtafel.cases.operations import convenant_for
from zorgtafel.cases.queries import case_visible
from zorgtafel.cases.errors import CaseError
from zorgtafel.convenant import policy
from zorgtafel.core.api import ApiModel, ApiResource, keyset_after, malformed, not_found, page, validate
from zorgtafel.core.errors import ApiError
from zorgtafel.core.timeutil import to_local
from zorgtafel.extensions import db
from zorgtafel.meetings import actions, minutes, operations, queries
from zorgtafel.meetings.ics import meeting_calendar
from zorgtafel.meetings.models import ACTION_STATUSES, ATTENDANCE, DECISIONS, ActionItem, AgendaItem, Meeting

Decision = Literal[tuple(DECISIONS)]  # type: ignore[valid-type]
ActionStatus = Literal[ACTION_STATUSES]  # type: ignore[valid-type]
Attendance = Literal[ATTENDANCE]  # type: ignore[valid-type]


def _fail(exc: CaseError) -> ApiError:
    if exc.status == 403:
        db.session.commit()  # the refusal's audit entry stays
    return ApiError(exc.status, str(exc), fields=exc.fields)


def _local(moment):
    return to_local(moment).isoformat() if moment else None


def _basis(basis) -> dict | None:
    return basis.as_dict() if basis else None


def action_json(row: queries.ActionRow | ActionItem, history: bool = False) -> dict:
    row = row if isinstance(row, queries.ActionRow) else queries.ActionRow(row)
    a = row.action
    out = {"id": a.id, "case": a.case.reference, "title": a.title, "status": a.status, "due_on": a.due_on,
           "overdue": row.overdue, "assignee": a.assignee.email, "assignee_organisation": a.assignee.organisation.name,
           "meeting": a.meeting_id, "created_at": _local(a.created_at), "closed_at": _local(a.closed_at),
           "last_note": row.last_note}
    if history:
        out["history"] = [{"at": _local(u.at), "actor": u.actor.email if u.actor else None, "from": u.from_status,
                           "to": u.to_status, "note": u.note, "due_on": u.due_on}
                          for u in queries.history(a)]
    return out


def agenda_json(row: queries.AgendaRow, meeting: Meeting) -> dict:
    item = row.item
    if row.restricted:
        return {"position": item.position, "restricted": True, "reason": row.reason}
    out = {"position": item.position, "restricted": False, "case": item.case.reference,
           "case_status": item.case.status, "basis": _basis(row.basis), "duration_minutes": item.duration_minutes,
           "reason": item.reason, "open_actions": [action_json(a) for a in row.actions]}
    if row.minutes_visible and meeting.minutes_status:
        out["minutes"] = {"decision": item.decision, "decision_note": item.decision_note, "text": item.minutes_text,
                          "status_result": item.status_result}
    return out


def meeting_json(actor, meeting: Meeting, brief: bool = False) -> dict:
    out = {"id": meeting.id, "title": meeting.title, "status": meeting.status, "starts_at": _local(meeting.starts_at),
           "ends_at": _local(meeting.ends_at), "location": meeting.location, "video_link": meeting.video_link,
           "uid": meeting.uid, "sequence": meeting.sequence, "series": meeting.series_id,
           "recurrence_id": _local(meeting.recurrence_id),
           "organiser": meeting.organiser.email, "minutes_status": meeting.minutes_status,
           "minutes_approved_at": _local(meeting.minutes_approved_at)}
    if not brief:
        out["participants"] = [{"email": p.user.email, "organisation": p.user.organisation.name,
                                "attendance": p.attendance} for p in queries.participants(meeting)]
        out["agenda"] = [agenda_json(r, meeting) for r in queries.agenda(actor, meeting)]
    return out


class _MeetingBase(ApiResource):
    tags = ("meetings",)
    errors = (404,)

    def load(self, meeting_id: int):
        meeting = queries.meeting_for(g.actor, meeting_id)
        if meeting is None:
            not_found()
        return meeting.policy_target()

    def meeting(self, target) -> Meeting:
        return db.session.get(Meeting, target.object_id)


# -- meetings -----------------------------------------------------------------------------


class MeetingIn(ApiModel):
    title: str = Field(min_length=1, max_length=200)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    location: str = Field(default="", max_length=300)
    video_link: str | None = Field(default=None, max_length=500)
    participants: list[str] = Field(default_factory=list, max_length=60, description="e-mail addresses")
    cases: list[str] = Field(default_factory=list, max_length=60, description="case references")


class Meetings(ApiResource):
    action = {"POST": "plan_meeting", "GET": "personal"}
    tags = ("meetings",)
    operations = {
        "POST": {"summary": "Plan an overleg; participants get an invitation with an .ics attachment",
                 "request_model": MeetingIn, "response_status": 201,
                 "response_example": {"id": 7, "title": "Zorgtafel week 49", "status": "gepland", "sequence": 0}},
        "GET": {"summary": "Meetings the caller takes part in or may plan (newest start first)", "paged": True},
    }

    def load(self):
        if request.method != "POST":
            return None  # the list is filtered in SQL
        try:
            key = convenant_for(g.actor)
        except CaseError:
            key = "-"  # decide() then refuses with its own reason
        return policy.Target(key, object_type="meeting")

    def get(self, target):
        limit, cursor = self.paging()
        rows = db.session.scalars(
            select(Meeting).where(queries.meeting_visible(g.actor),
                                  keyset_after((Meeting.starts_at, Meeting.id), cursor, descending=True))
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(limit + 1)).all()
        record(g.actor, "search", outcome="success", object_type="meeting_list")
        return page(rows, limit, key_fn=lambda m: (m.starts_at, m.id),
                    render=lambda m: meeting_json(g.actor, m, brief=True))

    def post(self, target):
        data = self.payload()
        fields = {}
        users = []
        for i, email in enumerate(data.participants):
            user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None:
                fields[f"participants[{i}]"] = "onbekend e-mailadres"
            users.append(user)
        cases = []
        for i, reference in enumerate(data.cases):
            case = db.session.scalar(select(Case).where(Case.reference == reference.strip().upper(),
                                                        case_visible(g.actor)))
            if case is None:
                fields[f"cases[{i}]"] = "onbekende casus, of u heeft er geen inzage in"
            cases.append(case)
        if fields:
            raise ApiError(422, "Een of meer velden zijn ongeldig.", fields=fields)
        try:
            meeting = operations.plan_meeting(g.actor, title=data.title, starts_at=data.starts_at,
                                              ends_at=data.ends_at, location=data.location,
                                              video_link=data.video_link, participants=users, cases=cases,
                                              convenant_key=target.convenant_key)
        except CaseError as exc:
            raise _fail(exc) from None
        return meeting_json(g.actor, meeting), 201


class MeetingItem(_MeetingBase):
    action = "personal"  # load finds it only for participants and planners; agenda items by the policy
    summary = "A meeting with its agenda as the caller may see it (restricted items without content)"

    def get(self, target, meeting_id: int):
        record(g.actor, "read", outcome="success", object_type="meeting", object_id=meeting_id)
        return meeting_json(g.actor, self.meeting(target))


class MeetingInvite(_MeetingBase):
    action = "personal"
    summary = "The RFC 5545 invitation: METHOD:REQUEST (CANCEL once cancelled), stable UID, SEQUENCE, VTIMEZONE"
    media_type = "text/calendar"
    response_description = "text/calendar"

    def get(self, target, meeting_id: int):
        meeting = self.meeting(target)
        method, body = meeting_calendar(meeting, g.actor)
        record(g.actor, "export", outcome="success", object_type="meeting_ics", object_id=meeting.id)
        return Response(body, content_type=f"text/calendar; method={method}; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="overleg.ics"'})


class MinutesItemIn(ApiModel):
    case: str = Field(max_length=12)
    decision: Decision | None = None
    decision_note: str = Field(default="", max_length=10_000)
    text: str = Field(default="", max_length=10_000)


class AttendanceIn(ApiModel):
    participant: str = Field(max_length=254, description="e-mail address")
    attendance: Attendance


class MinutesIn(ApiModel):
    items: list[MinutesItemIn] = Field(default_factory=list, max_length=60)
    attendance: list[AttendanceIn] = Field(default_factory=list, max_length=60)
    status: Literal["concept", "goedgekeurd"] = Field(
        default="concept", description="concept: saved and sent to the participants to review; "
                                       "goedgekeurd: approved and distributed, decisions applied to the cases")


def _minutes_body() -> MinutesIn:
    raw = request.get_json(silent=True) if request.is_json else None
    if isinstance(raw, list):
        raw = {"items": raw}
    elif isinstance(raw, dict) and "case" in raw:
        raw = {"items": [raw]}  # one agenda item, as CONTRACT.md writes it
    if not isinstance(raw, dict):
        malformed("Stuur een JSON-object {case, decision, text}, een lijst daarvan, of {items, attendance, status}.")
    return validate(MinutesIn, raw)


class MeetingMinutes(_MeetingBase):
    action = "write_minutes"
    summary = "Record the minutes: per agenda item {case, decision, text}; as a draft or approved"
    description = ("The body is CONTRACT's per-item object {case, decision, text}, a list of such objects, or the "
                   "full form {items, attendance, status}. The short forms save a draft.")
    request_model = MinutesIn
    errors = (404, 409)

    def _body(self) -> MinutesIn:
        return _minutes_body()

    def post(self, target, meeting_id: int):
        data = self._body()
        meeting = self.meeting(target)
        items = {i.case.reference: i for i in db.session.scalars(select(AgendaItem)
                                                                 .where(AgendaItem.meeting_id == meeting.id))}
        people = {p.user.email: p for p in queries.participants(meeting)}
        fields, entries, attendance = {}, [], {}
        for i, entry in enumerate(data.items):
            item = items.get(entry.case.strip().upper())
            if item is None:
                fields[f"items[{i}].case"] = "deze casus staat niet op de agenda"
                continue
            entries.append(minutes.ItemMinutes(item, entry.decision, entry.decision_note, entry.text))
        for i, entry in enumerate(data.attendance):
            p = people.get(entry.participant.strip().lower())
            if p is None:
                fields[f"attendance[{i}].participant"] = "staat niet op de deelnemerslijst"
                continue
            attendance[p.id] = entry.attendance
        if fields:
            raise ApiError(422, "Een of meer velden zijn ongeldig.", fields=fields)
        try:
            minutes.set_attendance(g.actor, meeting, attendance)
            minutes.record_minutes(g.actor, meeting, entries)
            minutes.submit_draft(g.actor, meeting)
            results = minutes.approve(g.actor, meeting) if data.status == "goedgekeurd" else []
        except CaseError as exc:
            raise _fail(exc) from None
        out = meeting_json(g.actor, meeting)
        out["status_changes"] = [{"case": r.reference, "decision": r.decision, "from": r.from_status,
                                  "to": r.to_status, "applied": r.applied, "message": r.message} for r in results]
        return out


# -- actions ------------------------------------------------------------------------------


class ActionIn(ApiModel):
    case: str = Field(max_length=12)
    title: str = Field(min_length=3, max_length=300)
    assignee: str = Field(max_length=254, description="e-mail address of a user of a party")
    due_on: date
    note: str = Field(default="", max_length=2000)


class ActionsQuery(ApiModel):
    include_closed: bool = False


class Actions(ApiResource):
    action = {"POST": "assign_action", "GET": "personal"}
    tags = ("actions",)
    operations = {
        "POST": {"summary": "Assign an actiepunt; the assignee's organisation becomes involved in the case",
                 "request_model": ActionIn, "response_status": 201},
        "GET": {"summary": "The caller's own actiepunten (due date first)", "query_model": ActionsQuery},
    }

    def load(self):
        if request.method != "POST":
            return None
        data = self.payload()
        case = db.session.scalar(select(Case).where(Case.reference == data.case.strip().upper(),
                                                    case_visible(g.actor)))
        if case is None:
            raise ApiError(422, "Een of meer velden zijn ongeldig.",
                           fields={"case": "onbekende casus, of u heeft er geen inzage in"})
        return case.policy_target("actiepunt")

    def get(self, target):
        q = self.query()
        record(g.actor, "search", outcome="success", object_type="action_list")
        return {"items": [action_json(r) for r in queries.my_actions(g.actor, include_closed=q.include_closed)],
                "next": None}

    def post(self, target):
        data = self.payload()
        case = db.session.get(Case, target.case_id)
        assignee = db.session.scalar(select(User).where(func.lower(User.email) == data.assignee.strip().lower()))
        try:
            action = actions.create_action(g.actor, case, title=data.title, assignee=assignee, due_on=data.due_on,
                                           note=data.note)
        except CaseError as exc:
            raise _fail(exc) from None
        return action_json(action, history=True), 201


class ActionPatch(ApiModel):
    status: ActionStatus | None = None
    note: str = Field(min_length=3, max_length=2000)
    due_on: date | None = Field(default=None, description="a new due date (coordinator); re-arms the reminders")


class ActionResource(ApiResource):
    action = "read"  # who may read 'actiepunt' on the case; the operation decides who may change it
    tags = ("actions",)
    errors = (404, 409)
    operations = {
        "GET": {"summary": "An actiepunt with its history"},
        "PATCH": {"summary": "Change an actiepunt's status (the assignee or a coordinator), always with a note",
                  "request_model": ActionPatch},
    }

    def load(self, action_id: int):
        action = db.session.get(ActionItem, action_id)
        if action is None:
            not_found()
        return action.policy_target()

    def denied(self, decision):
        not_found()

    def get(self, target, action_id: int):
        return action_json(db.session.get(ActionItem, action_id), history=True)

    def patch(self, target, action_id: int):
        data = self.payload()
        action = db.session.get(ActionItem, action_id)
        try:
            actions.update_action(g.actor, action, status=data.status, note=data.note, due_on=data.due_on)
        except CaseError as exc:
            raise _fail(exc) from None
        return action_json(action, history=True)


RESOURCES = [
    ("/meetings", Meetings, "meetings"),
    ("/meetings/<int:meeting_id>", MeetingItem, "meeting"),
    ("/meetings/<int:meeting_id>/invite.ics", MeetingInvite, "meeting_invite"),
    ("/meetings/<int:meeting_id>/minutes", MeetingMinutes, "meeting_minutes"),
    ("/actions", Actions, "actions"),
    ("/actions/<int:action_id>", ActionResource, "action"),
]
