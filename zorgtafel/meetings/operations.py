"""Business rules of the overleg itself: planning (one meeting or a weekly series),
participants, rescheduling and cancelling. Agenda, minutes and actions have their own
modules (``agenda``, ``minutes``, ``actions``).

Every function takes an explicit actor, asks the policy (``plan_meeting``), writes its
audit entry and flushes; the caller commits. Invitations are notifications with the
``.ics`` attachment, written in the same transaction (the outbox sends them after commit).
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta, timezone
from urllib.parse import urlsplit

from dateutil.rrule import WEEKLY, rrule
from flask import current_app
from sqlalchemy import select

from zorgtafel.audit.operations import record
from zorgtafel.auth.models import User
from zorgtafel.cases.models import Case
from zorgtafel.cases.operations import convenant_for
from zorgtafel.convenant import policy
from zorgtafel.core.models import utcnow
from zorgtafel.core.timeutil import AMSTERDAM, to_local
from zorgtafel.core.workdays import add_working_days, at_local
from zorgtafel.extensions import db
from zorgtafel.meetings import notifications as kinds
from zorgtafel.meetings.agenda import add_case
from zorgtafel.meetings.common import (
    active_participants, check_participant, clean_text, deadlines, involve_organisations, release_agenda_involvement,
    require,
)
from zorgtafel.meetings.errors import MeetingError
from zorgtafel.meetings.events import meeting_cancelled, meeting_planned
from zorgtafel.meetings.models import AgendaItem, Meeting, MeetingSeries, Participant
from zorgtafel.notify.operations import notify

MAX_DURATION = timedelta(hours=10)
MINUTES_REMINDER_TIME = time(17, 0)
MAX_SERIES = 52
MAX_PARTICIPANTS = 60


def link(meeting: Meeting, suffix: str = "") -> str:
    return f"/overleg/{meeting.id}{suffix}"


def _new_uid() -> str:
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "zorgtafel.local"
    return f"{uuid.uuid4()}@{host}"


def _check_times(starts_at: datetime, ends_at: datetime, *, prefix: str = "") -> None:
    fields = {}
    if not isinstance(starts_at, datetime) or starts_at.tzinfo is None:
        fields[prefix + "starts_at"] = "Geef een begintijd met tijdzone."
    if not isinstance(ends_at, datetime) or ends_at.tzinfo is None:
        fields[prefix + "ends_at"] = "Geef een eindtijd met tijdzone."
    if not fields:
        if starts_at < utcnow() - timedelta(minutes=5):
            fields[prefix + "starts_at"] = "Het overleg begint in het verleden."
        elif starts_at > utcnow() + timedelta(days=3 * 366):
            fields[prefix + "starts_at"] = "Een overleg wordt hoogstens drie jaar vooruit gepland."
        if ends_at <= starts_at:
            fields[prefix + "ends_at"] = "Het overleg eindigt niet na het begin."
        elif ends_at - starts_at > MAX_DURATION:
            fields[prefix + "ends_at"] = "Een overleg duurt hoogstens tien uur."
    if fields:
        first = next(iter(fields))
        raise MeetingError(fields[first], field=first, fields=fields)


def _check_place(location: str, video_link: str | None) -> tuple[str, str | None]:
    location = clean_text(location, field="location", label="de plaats", max_length=300)
    video_link = (video_link or "").strip() or None
    if video_link is not None:
        if len(video_link) > 500 or urlsplit(video_link).scheme != "https" or not urlsplit(video_link).hostname:
            raise MeetingError("Een videoverbinding is een https-adres.", field="video_link")
    if not location and not video_link:
        raise MeetingError("Vul een plaats of een videoverbinding in.", field="location")
    return location, video_link


def minutes_due(meeting: Meeting) -> datetime:
    """17:00 Amsterdam time on the N-th working day after the meeting (deadlines.minutes_approval)."""
    days = deadlines(meeting.convenant_key).minutes_approval
    return at_local(add_working_days(to_local(meeting.ends_at).date(), days), MINUTES_REMINDER_TIME)


def _participant_users(convenant_key: str, users: list[User], day, organiser) -> list[User]:
    chosen: dict[int, User] = {}
    for i, user in enumerate(users):
        check_participant(convenant_key, user, day, f"participants[{i}]")
        chosen.setdefault(user.id, user)
    chosen.setdefault(organiser.id, organiser)
    if len(chosen) > MAX_PARTICIPANTS:
        raise MeetingError(f"Hoogstens {MAX_PARTICIPANTS} deelnemers.", field="participants")
    return list(chosen.values())


def _invite(actor, meeting: Meeting, participant: Participant, kind: str = kinds.INVITATION) -> None:
    notify(actor, [participant.user_id], kind, link=link(meeting), attachment=("ics", participant.id))


def plan_meeting(actor, *, title: str, starts_at: datetime, ends_at: datetime, location: str = "",
                 video_link: str | None = None, participants: list[User] = (), cases: list[Case] = (),
                 convenant_key: str | None = None, series: MeetingSeries | None = None,
                 send_invitations: bool = True) -> Meeting:
    """A new overleg with its participants (the organiser is one) and, optionally, cases
    on the agenda. Invitations go out after the commit."""
    key = convenant_key or convenant_for(actor)
    decision = require(actor, "plan_meeting", policy.Target(key, object_type="meeting"),
                       audit_action="create", object_type="meeting")
    title = clean_text(title, field="title", label="een titel", max_length=200, required=True)
    _check_times(starts_at, ends_at)
    location, video_link = _check_place(location, video_link)
    users = _participant_users(key, list(participants), to_local(starts_at).date(), actor)
    starts_at, ends_at = starts_at.astimezone(timezone.utc), ends_at.astimezone(timezone.utc)
    meeting = Meeting(convenant_key=key, series_id=series.id if series else None, title=title,
                      starts_at=starts_at, ends_at=ends_at, location=location, video_link=video_link,
                      organiser_id=actor.id, status="gepland", sequence=0,
                      # an occurrence is the series' UID at its original start (RECURRENCE-ID)
                      uid=series.uid if series else _new_uid(), recurrence_id=starts_at if series else None)
    db.session.add(meeting)
    db.session.flush()
    meeting.minutes_remind_at = minutes_due(meeting)
    rows = [Participant(meeting_id=meeting.id, user_id=u.id, organisation_id=u.organisation_id,
                        attendance="aanwezig" if u.id == actor.id else "onbekend") for u in users]
    db.session.add_all(rows)
    db.session.flush()
    record(actor, "create", outcome="success", object_type="meeting", object_id=meeting.id, basis=decision.basis)
    for case in cases:
        add_case(actor, meeting, case)
    if send_invitations:
        for p in rows:
            if p.user_id != actor.id:
                _invite(actor, meeting, p)
    meeting_planned.send(current_app._get_current_object(), meeting=meeting, actor=actor)
    return meeting


def plan_series(actor, *, title: str, first_day, start: time, duration_minutes: int, interval_weeks: int = 1,
                count: int, location: str = "", video_link: str | None = None,
                participants: list[User] = ()) -> tuple[MeetingSeries, list[Meeting]]:
    """A weekly series on local wall-clock time (10:00 stays 10:00 across daylight saving):
    the occurrences are computed with ``dateutil.rrule`` on naive Amsterdam times and each
    is converted to UTC on its own. Every participant gets one invitation: one recurring
    event (the same RRULE on Amsterdam time), whose occurrences are these meetings."""
    key = convenant_for(actor)
    require(actor, "plan_meeting", policy.Target(key, object_type="meeting_series"),
            audit_action="create", object_type="meeting_series")
    fields = {}
    if not 2 <= (count or 0) <= MAX_SERIES:
        fields["count"] = f"Een reeks heeft 2 tot en met {MAX_SERIES} overleggen."
    if not 1 <= (interval_weeks or 0) <= 8:
        fields["interval_weeks"] = "Kies om de 1 tot en met 8 weken."
    if not 15 <= (duration_minutes or 0) <= 600:
        fields["duration_minutes"] = "Een overleg duurt 15 minuten tot tien uur."
    if fields:
        first = next(iter(fields))
        raise MeetingError(fields[first], field=first, fields=fields)
    rule = f"FREQ=WEEKLY;INTERVAL={interval_weeks};COUNT={count}"
    series = MeetingSeries(convenant_key=key, title=clean_text(title, field="title", label="een titel",
                                                               max_length=200, required=True),
                           rrule=rule, uid=_new_uid(), sequence=0, duration_minutes=duration_minutes,
                           organiser_id=actor.id)
    db.session.add(series)
    db.session.flush()
    local_starts = rrule(WEEKLY, interval=interval_weeks, count=count, dtstart=datetime.combine(first_day, start))
    meetings = []
    for naive in local_starts:
        begins = naive.replace(tzinfo=AMSTERDAM).astimezone(timezone.utc)
        meetings.append(plan_meeting(actor, title=series.title, starts_at=begins,
                                     ends_at=begins + timedelta(minutes=duration_minutes), location=location,
                                     video_link=video_link, participants=participants, convenant_key=key,
                                     series=series, send_invitations=False))
    for p in active_participants(meetings[0]):
        if p.user_id != actor.id:
            notify(actor, [p.user_id], kinds.INVITATION, link="/overleg", attachment=("ics_reeks", p.id))
    return series, meetings


def _require_planned(meeting: Meeting) -> None:
    if meeting.status != "gepland":
        raise MeetingError("Dit overleg is al gehouden of geannuleerd; het kan niet meer worden gewijzigd.",
                           status=409)


def _changed(actor, meeting: Meeting, kind: str = kinds.CHANGED) -> None:
    """Everyone still invited (but the one who made the change) gets the updated invitation."""
    for p in active_participants(meeting):
        if p.user_id != actor.id:
            _invite(actor, meeting, p, kind)


def reschedule(actor, meeting: Meeting, *, starts_at: datetime, ends_at: datetime, location: str,
               video_link: str | None = None) -> Meeting:
    decision = require(actor, "plan_meeting", meeting.policy_target(), audit_action="change", object_type="meeting",
                       object_id=meeting.id)
    _require_planned(meeting)
    _check_times(starts_at, ends_at)
    location, video_link = _check_place(location, video_link)
    new = (starts_at.astimezone(timezone.utc), ends_at.astimezone(timezone.utc), location, video_link)
    if new == (meeting.starts_at, meeting.ends_at, meeting.location, meeting.video_link):
        raise MeetingError("Er is niets gewijzigd.", field="starts_at")
    day = to_local(starts_at).date()
    for p in active_participants(meeting):
        check_participant(meeting.convenant_key, p.user, day, "starts_at")
    meeting.starts_at, meeting.ends_at, meeting.location, meeting.video_link = new
    meeting.sequence += 1
    if meeting.minutes_status != "goedgekeurd":
        meeting.minutes_remind_at = minutes_due(meeting)
        meeting.minutes_reminded_at = None
    db.session.flush()
    record(actor, "change", outcome="success", object_type="meeting", object_id=meeting.id, basis=decision.basis)
    _changed(actor, meeting)
    return meeting


def cancel(actor, meeting: Meeting, reason: str = "") -> Meeting:
    """METHOD:CANCEL to every participant; the agenda's involvement is taken back where
    nothing else justifies it."""
    decision = require(actor, "plan_meeting", meeting.policy_target(), audit_action="change", object_type="meeting",
                       object_id=meeting.id)
    _require_planned(meeting)
    reason = clean_text(reason, field="reason", label="de reden", max_length=1000)
    meeting.status = "geannuleerd"
    meeting.cancelled_at = utcnow()
    meeting.sequence += 1
    meeting.minutes_remind_at = None
    db.session.flush()
    participants = active_participants(meeting)
    case_ids = list(db.session.scalars(select(AgendaItem.case_id).where(AgendaItem.meeting_id == meeting.id)))
    release_agenda_involvement(case_ids, [p.organisation_id for p in participants])
    record(actor, "delete", outcome="success", object_type="meeting", object_id=meeting.id, basis=decision.basis,
           reason=reason or None)
    _changed(actor, meeting, kinds.CANCELLED)
    meeting_cancelled.send(current_app._get_current_object(), meeting=meeting, actor=actor)
    return meeting


def add_participant(actor, meeting: Meeting, user: User | None) -> Participant:
    """Invite one more person. Their organisation becomes involved in every case already
    on the agenda, from now on."""
    decision = require(actor, "plan_meeting", meeting.policy_target(), audit_action="change", object_type="meeting",
                       object_id=meeting.id)
    _require_planned(meeting)
    check_participant(meeting.convenant_key, user, to_local(meeting.starts_at).date(), "user")
    row = db.session.scalar(select(Participant).where(Participant.meeting_id == meeting.id,
                                                      Participant.user_id == user.id))
    if row is not None and row.removed_at is None:
        raise MeetingError("Deze persoon staat al op de deelnemerslijst.", field="user", status=409)
    if row is None:
        row = Participant(meeting_id=meeting.id, user_id=user.id, organisation_id=user.organisation_id)
        db.session.add(row)
    else:
        row.removed_at, row.attendance, row.organisation_id = None, "onbekend", user.organisation_id
    meeting.sequence += 1
    db.session.flush()
    case_ids = db.session.scalars(select(AgendaItem.case_id).where(AgendaItem.meeting_id == meeting.id))
    for case_id in case_ids:
        involve_organisations(case_id, [user.organisation_id])
    record(actor, "change", outcome="success", object_type="meeting_participant", object_id=row.id,
           basis=decision.basis)
    _invite(actor, meeting, row)
    return row


def remove_participant(actor, meeting: Meeting, participant: Participant) -> None:
    decision = require(actor, "plan_meeting", meeting.policy_target(), audit_action="change", object_type="meeting",
                       object_id=meeting.id)
    _require_planned(meeting)
    if participant.meeting_id != meeting.id or participant.removed_at is not None:
        raise MeetingError("Deze persoon staat niet op de deelnemerslijst.", field="participant", status=404)
    if participant.user_id == meeting.organiser_id:
        raise MeetingError("De organisator kan niet van de lijst; annuleer het overleg of draag het over.",
                           field="participant", status=409)
    participant.removed_at = utcnow()
    meeting.sequence += 1
    db.session.flush()
    case_ids = list(db.session.scalars(select(AgendaItem.case_id).where(AgendaItem.meeting_id == meeting.id)))
    release_agenda_involvement(case_ids, [participant.organisation_id])
    record(actor, "change", outcome="success", object_type="meeting_participant", object_id=participant.id,
           basis=decision.basis, reason="van de deelnemerslijst gehaald")
    _invite(actor, meeting, participant, kinds.REMOVED)  # its .ics is a CANCEL for them
