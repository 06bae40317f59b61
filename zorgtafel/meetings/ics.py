"""Calendar invitations (RFC 5545 / 5546) with the ``icalendar`` library.

One stable ``UID`` per meeting; ``METHOD:REQUEST`` with ``ORGANIZER`` and ``ATTENDEE``s;
``SEQUENCE`` rises with every change sent out; ``METHOD:CANCEL`` for a cancelled meeting,
or for one participant taken off the list. Times carry ``TZID=Europe/Amsterdam`` with a
``VTIMEZONE`` (the EU rules as yearly RRULEs, as calendar services publish them), or
Outlook would show them an hour off.

Nothing here is free text about a case (DESIGN rule 7): the summary is a fixed sentence,
the description lists only case references (those the recipient may open) and a link.
The meeting's title stays inside Zorgtafel: a coordinator could have typed a name in it.

The notify channel builds attachments at send time from an id (``register()``):
``ics`` from a participant id (that person's view; CANCEL once removed), ``ics_reeks``
from a participant id of a series: one recurring event (series UID, RRULE on Amsterdam
wall-clock time). A change or cancellation of one occurrence is sent as that occurrence
alone — the series' UID with its RECURRENCE-ID — as RFC 5545/5546 prescribe, so a
calendar updates the one date instead of adding a second event.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vRecur
from sqlalchemy import select

from zorgtafel.convenant import policy
from zorgtafel.core.models import utcnow
from zorgtafel.core.timeutil import AMSTERDAM
from zorgtafel.extensions import db
from zorgtafel.meetings.models import AgendaItem, Meeting, MeetingSeries, Participant

PRODID = "-//Zorgtafel//Overleg zorgtafel//NL"
SUMMARY = "Overleg zorgtafel"
PARTSTAT = {"onbekend": "NEEDS-ACTION", "aanwezig": "ACCEPTED", "afgemeld": "DECLINED"}
MIMETYPE = "text/calendar; method={method}; charset=utf-8"
CET, CEST = timedelta(hours=1), timedelta(hours=2)


def _vtimezone() -> Timezone:
    tz = Timezone()
    tz.add("tzid", "Europe/Amsterdam")
    tz.add("x-lic-location", "Europe/Amsterdam")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("tzoffsetfrom", CET)
    summer.add("tzoffsetto", CEST)
    summer.add("dtstart", datetime(1970, 3, 29, 2, 0))
    summer.add("rrule", vRecur(freq="YEARLY", bymonth=3, byday="-1SU"))
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("tzoffsetfrom", CEST)
    winter.add("tzoffsetto", CET)
    winter.add("dtstart", datetime(1970, 10, 25, 3, 0))
    winter.add("rrule", vRecur(freq="YEARLY", bymonth=10, byday="-1SU"))
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def _address(email: str, **params) -> vCalAddress:
    # The address only, no CN: like the e-mail itself, the calendar carries no names.
    address = vCalAddress(f"mailto:{email}")
    for key, value in params.items():
        address.params[key.upper().replace("_", "-")] = value
    return address


def _references(meeting: Meeting, viewer) -> tuple[list[str], int]:
    """Case references on the agenda the viewer may open, and how many others there are."""
    items = list(db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                                    .order_by(AgendaItem.position, AgendaItem.id)))
    if viewer is None:
        return [], len(items)
    policy.prime_involvement(viewer.organisation_id, [i.case_id for i in items])
    visible = [i.case.reference for i in items if policy.decide(viewer, "read", i.case.policy_target()).allowed]
    return visible, len(items) - len(visible)


def _description(meeting: Meeting, viewer, cancelled: bool) -> str:
    url = current_app.config["BASE_URL"].rstrip("/") + f"/overleg/{meeting.id}"
    if cancelled:
        return f"Dit overleg van de zorgtafel gaat niet door.\n\nZorgtafel: {url}"
    references, hidden = _references(meeting, viewer)
    lines = ["Overleg van de zorgtafel."]
    if references:
        lines.append("Casussen op de agenda: " + ", ".join(references) + ".")
    if hidden:
        lines.append(f"Agendapunten zonder inzage voor u: {hidden}.")
    if not references and not hidden:
        lines.append("De agenda volgt in Zorgtafel.")
    if meeting.video_link:
        lines.append(f"Videoverbinding: {meeting.video_link}")
    lines.append(f"Agenda en stukken (na inloggen): {url}")
    return "\n".join(lines)


def _event(meeting: Meeting, attendees: list[Participant], viewer, cancelled: bool, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", meeting.uid)
    if meeting.recurrence_id is not None:  # one occurrence of a series
        event.add("recurrence-id", meeting.recurrence_id.astimezone(AMSTERDAM))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at.astimezone(AMSTERDAM))
    event.add("dtend", meeting.ends_at.astimezone(AMSTERDAM))
    event.add("summary", SUMMARY)
    event.add("location", meeting.location or meeting.video_link or "")
    event.add("description", _description(meeting, viewer, cancelled))
    event.add("url", current_app.config["BASE_URL"].rstrip("/") + f"/overleg/{meeting.id}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(meeting.organiser.email))
    for p in attendees:
        partstat = "ACCEPTED" if p.user_id == meeting.organiser_id else PARTSTAT.get(p.attendance, "NEEDS-ACTION")
        event.add("attendee", _address(p.user.email, cutype="INDIVIDUAL", role="REQ-PARTICIPANT",
                                       partstat=partstat, rsvp="FALSE"))
    return event


def _calendar(method: str, events: list[Event]) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(_vtimezone())
    for event in events:
        cal.add_component(event)
    return cal.to_ical()


def _active(meeting: Meeting) -> list[Participant]:
    return list(db.session.scalars(select(Participant).where(Participant.meeting_id == meeting.id,
                                                             Participant.removed_at.is_(None))
                                   .order_by(Participant.id)))


def meeting_calendar(meeting: Meeting, viewer) -> tuple[str, bytes]:
    """(method, bytes) of the meeting as ``viewer`` may see it: REQUEST, or CANCEL once cancelled."""
    cancelled = meeting.status == "geannuleerd"
    method = "CANCEL" if cancelled else "REQUEST"
    return method, _calendar(method, [_event(meeting, _active(meeting), viewer, cancelled, utcnow())])


def participant_calendar(participant_id: int) -> tuple[str, str, bytes]:
    """The ``ics`` attachment builder: the invitation for one participant at send time —
    CANCEL when the meeting was cancelled or the participant taken off the list."""
    participant = db.session.get(Participant, participant_id)
    if participant is None:
        raise LookupError(f"participant {participant_id} does not exist")
    meeting = db.session.get(Meeting, participant.meeting_id)
    if participant.removed_at is not None and meeting.status != "geannuleerd":
        method = "CANCEL"
        body = _calendar(method, [_event(meeting, [participant], None, True, utcnow())])
    else:
        method, body = meeting_calendar(meeting, participant.user)
    return "uitnodiging.ics", MIMETYPE.format(method=method), body


def _series_master(series: MeetingSeries, occurrences: list[Meeting], attendees: list[Participant],
                   stamp: datetime) -> Event:
    """The recurring event itself: the RRULE on Amsterdam wall-clock time from the first
    occurrence's original start, cancelled occurrences as EXDATE."""
    first = occurrences[0]
    start = first.recurrence_id.astimezone(AMSTERDAM)
    url = current_app.config["BASE_URL"].rstrip("/") + "/overleg"
    event = Event()
    event.add("uid", series.uid)
    event.add("sequence", series.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=series.duration_minutes))
    event.add("rrule", vRecur.from_ical(series.rrule))
    for m in occurrences:
        if m.status == "geannuleerd":
            event.add("exdate", m.recurrence_id.astimezone(AMSTERDAM))
    event.add("summary", SUMMARY)
    event.add("location", first.location or first.video_link or "")
    lines = ["Terugkerend overleg van de zorgtafel.",
             f"De agenda van elk overleg staat in Zorgtafel (na inloggen): {url}"]
    if first.video_link:
        lines.insert(1, f"Videoverbinding: {first.video_link}")
    event.add("description", "\n".join(lines))
    event.add("url", url)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(first.organiser.email))
    for p in attendees:
        partstat = "ACCEPTED" if p.user_id == first.organiser_id else "NEEDS-ACTION"
        event.add("attendee", _address(p.user.email, cutype="INDIVIDUAL", role="REQ-PARTICIPANT",
                                       partstat=partstat, rsvp="FALSE"))
    return event


def _deviates(meeting: Meeting, series: MeetingSeries) -> bool:
    """An occurrence that no longer follows the rule: moved, changed or updated since."""
    return meeting.status == "gepland" and (
        meeting.sequence > 0 or meeting.starts_at != meeting.recurrence_id
        or meeting.ends_at - meeting.starts_at != timedelta(minutes=series.duration_minutes))


def series_calendar(participant_id: int) -> tuple[str, str, bytes]:
    """The ``ics_reeks`` attachment builder: the series as one recurring event (one UID,
    an RRULE) for a participant, with an override (same UID, RECURRENCE-ID) for every
    occurrence that was changed since, and EXDATEs for cancelled ones."""
    participant = db.session.get(Participant, participant_id)
    if participant is None:
        raise LookupError(f"participant {participant_id} does not exist")
    series = db.session.get(MeetingSeries, db.session.get(Meeting, participant.meeting_id).series_id)
    occurrences = list(db.session.scalars(select(Meeting).where(Meeting.series_id == series.id)
                                          .order_by(Meeting.recurrence_id)))
    stamp = utcnow()
    events = [_series_master(series, occurrences, _active(occurrences[0]), stamp)]
    mine = set(db.session.scalars(select(Participant.meeting_id).where(
        Participant.user_id == participant.user_id, Participant.removed_at.is_(None),
        Participant.meeting_id.in_([m.id for m in occurrences]))))
    events += [_event(m, _active(m), participant.user, False, stamp) for m in occurrences
               if m.id in mine and _deviates(m, series)]
    return "reeks.ics", MIMETYPE.format(method="REQUEST"), _calendar("REQUEST", events)


def register() -> None:
    from zorgtafel.notify.channels import register_attachment

    register_attachment("ics", participant_calendar)
    register_attachment("ics_reeks", series_calendar)
