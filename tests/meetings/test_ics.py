"""The calendar invitation, parsed back with icalendar: stable UID, rising SEQUENCE,
CANCEL, VTIMEZONE, Amsterdam wall-clock times across daylight saving, and nothing of the
case in it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
import time_machine
from dateutil.rrule import rrulestr
from icalendar import Calendar
from sqlalchemy import select

from tests.helpers.people import actor
from tests.meetings.conftest import SEEDED_NAMES, SEEDED_TEXT, local, plan, seeded_case
from zorgtafel.extensions import db
from zorgtafel.meetings import operations
from zorgtafel.meetings.ics import meeting_calendar, participant_calendar, series_calendar
from zorgtafel.meetings.models import Participant

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False):
        yield


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def event(cal: Calendar):
    (ev,) = cal.walk("VEVENT")
    return ev


def attendees(ev) -> set[str]:
    value = ev.get("ATTENDEE") or []
    return {str(a) for a in (value if isinstance(value, list) else [value])}


def participant(meeting, account) -> Participant:
    return db.session.scalar(select(Participant).where(Participant.meeting_id == meeting.id,
                                                       Participant.user_id == account.id))


def assert_no_case_content(body: bytes) -> None:
    text = body.decode("utf-8").replace("\r\n ", "").lower()  # unfold long lines
    for family, given in SEEDED_NAMES:
        assert family.lower() not in text and given.lower() not in text
    for seeded in SEEDED_TEXT:
        assert seeded.lower() not in text
    assert "zorgtafel voorbeeldregio" not in text  # the meeting's free-text title stays inside


def test_invitation_update_and_cancel(ctx, world, travel):
    case = seeded_case(world.school, world.police, index=0)
    meeting = plan(world, participants=[world.school, world.police], cases=[case])
    name, mimetype, body = participant_calendar(participant(meeting, world.school).id)
    assert name.endswith(".ics") and mimetype.startswith("text/calendar; method=REQUEST")
    cal = parse(body)
    assert cal["METHOD"] == "REQUEST" and "Zorgtafel" in str(cal["PRODID"])
    (tz,) = cal.walk("VTIMEZONE")
    assert tz["TZID"] == "Europe/Amsterdam" and {c.name for c in tz.subcomponents} == {"DAYLIGHT", "STANDARD"}
    ev = event(cal)
    uid = str(ev["UID"])
    assert ev["SEQUENCE"] == 0 and ev.get("DTSTAMP") is not None
    assert ev["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert ev.decoded("DTSTART") == datetime(2026, 12, 8, 10, 0, tzinfo=ev.decoded("DTSTART").tzinfo)
    assert ev.decoded("DTSTART").utcoffset() == timedelta(hours=1)
    assert str(ev["ORGANIZER"]) == f"mailto:{world.coordinator.email}"
    assert attendees(ev) == {f"mailto:{a.email}" for a in (world.coordinator, world.school, world.police)}
    assert str(ev["LOCATION"]) == "Stadhuis, zaal 3"
    description = str(ev["DESCRIPTION"])
    assert case.reference in description and f"/overleg/{meeting.id}" in description
    assert_no_case_content(body)

    operations.reschedule(actor(world.coordinator), meeting, starts_at=local(date(2026, 12, 9), 14),
                          ends_at=local(date(2026, 12, 9), 15), location="Online")
    updated = event(parse(participant_calendar(participant(meeting, world.school).id)[2]))
    assert str(updated["UID"]) == uid and updated["SEQUENCE"] == 1
    assert updated.decoded("DTSTART").hour == 14 and str(updated["LOCATION"]) == "Online"

    operations.cancel(actor(world.coordinator), meeting, "geen quorum")
    _, mimetype, body = participant_calendar(participant(meeting, world.police).id)
    cal = parse(body)
    cancelled = event(cal)
    assert cal["METHOD"] == "CANCEL" and "method=CANCEL" in mimetype
    assert str(cancelled["UID"]) == uid and cancelled["SEQUENCE"] == 2 and cancelled["STATUS"] == "CANCELLED"
    assert "geen quorum" not in body.decode()


def test_removed_participant_gets_a_cancel_others_a_higher_sequence(ctx, world, travel):
    meeting = plan(world, participants=[world.school, world.police])
    school = participant(meeting, world.school)
    operations.remove_participant(actor(world.coordinator), meeting, school)
    cal = parse(participant_calendar(school.id)[2])
    ev = event(cal)
    assert cal["METHOD"] == "CANCEL" and ev["SEQUENCE"] == 1
    assert attendees(ev) == {f"mailto:{world.school.email}"}
    police = event(parse(participant_calendar(participant(meeting, world.police).id)[2]))
    assert police["SEQUENCE"] == 1 and f"mailto:{world.school.email}" not in attendees(police)


def test_references_only_those_the_recipient_may_open(ctx, world, factory, travel):
    """A privacy officer of the police is a participant but may read no case: the
    description names no reference, only how many items are closed to them."""
    case = seeded_case(world.school, index=1)
    meeting = plan(world, participants=[world.school, world.privacy], cases=[case])
    description = str(event(parse(participant_calendar(participant(meeting, world.privacy).id)[2]))["DESCRIPTION"])
    assert case.reference not in description and "zonder inzage voor u: 1" in description
    _, body = meeting_calendar(meeting, actor(world.school))
    assert case.reference in str(event(parse(body))["DESCRIPTION"])


def test_weekly_series_stays_at_ten_local_across_both_dst_changes(ctx, world, travel):
    """Tuesdays at 10:00 from 16 March 2027 to 9 November 2027: the last Sunday of March
    (28th) and of October (31st) both fall inside. Wall-clock 10:00 every week; UTC moves."""
    series, meetings = operations.plan_series(
        actor(world.coordinator), title="Wekelijkse zorgtafel", first_day=date(2027, 3, 16), start=time(10, 0),
        duration_minutes=90, interval_weeks=1, count=35, location="Stadhuis", participants=[actor(world.school)])
    assert len(meetings) == 35 and series.rrule == "FREQ=WEEKLY;INTERVAL=1;COUNT=35"
    utc_hours = {m.starts_at.date(): m.starts_at.astimezone(timezone.utc).hour for m in meetings}
    assert utc_hours[date(2027, 3, 23)] == 9 and utc_hours[date(2027, 3, 30)] == 8  # CET → CEST
    assert utc_hours[date(2027, 10, 26)] == 8 and utc_hours[date(2027, 11, 2)] == 9  # CEST → CET

    # The invitation: one recurring event (one UID, an RRULE on Amsterdam time) …
    name, mimetype, body = series_calendar(participant(meetings[0], world.school).id)
    cal = parse(body)
    (master,) = cal.walk("VEVENT")
    assert name == "reeks.ics" and "method=REQUEST" in mimetype and len(cal.walk("VTIMEZONE")) == 1
    assert str(master["UID"]) == series.uid and master["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert master.decoded("DTEND") - master.decoded("DTSTART") == timedelta(minutes=90)
    # … which a calendar expands on wall-clock time: every Tuesday 10:00, the same moments as stored.
    starts = list(rrulestr(master["RRULE"].to_ical().decode(), dtstart=master.decoded("DTSTART")))
    assert len(starts) == 35 and all((s.hour, s.minute, s.weekday()) == (10, 0, 1) for s in starts)
    assert {s.utcoffset() for s in starts} == {timedelta(hours=1), timedelta(hours=2)}
    assert [s.astimezone(timezone.utc) for s in starts] == [m.starts_at for m in meetings]
    # Each occurrence is that event at its RECURRENCE-ID.
    occurrence = event(parse(participant_calendar(participant(meetings[2], world.school).id)[2]))
    assert str(occurrence["UID"]) == series.uid
    assert occurrence.decoded("RECURRENCE-ID") == starts[2] and occurrence.decoded("DTSTART") == starts[2]


def test_one_occurrence_moved_or_cancelled(ctx, world, travel):
    """Changing one date of a series sends only that occurrence (series UID + its
    RECURRENCE-ID); the series invitation then carries the override and an EXDATE."""
    coordinator = actor(world.coordinator)
    series, meetings = operations.plan_series(
        coordinator, title="Reeks", first_day=date(2027, 1, 5), start=time(10, 0), duration_minutes=60, count=4,
        location="Stadhuis", participants=[actor(world.police)])
    operations.reschedule(coordinator, meetings[1], starts_at=local(date(2027, 1, 13), 14),
                          ends_at=local(date(2027, 1, 13), 15), location="Stadhuis")
    operations.cancel(coordinator, meetings[2])
    police = {m.id: participant(m, world.police).id for m in meetings}
    moved = parse(participant_calendar(police[meetings[1].id])[2])
    (ev,) = moved.walk("VEVENT")
    assert moved["METHOD"] == "REQUEST" and str(ev["UID"]) == series.uid and ev["SEQUENCE"] == 1
    assert ev.decoded("RECURRENCE-ID").date() == date(2027, 1, 12) and ev.decoded("DTSTART").hour == 14
    cancelled = parse(participant_calendar(police[meetings[2].id])[2])
    (ev,) = cancelled.walk("VEVENT")
    assert cancelled["METHOD"] == "CANCEL" and str(ev["UID"]) == series.uid
    assert ev.decoded("RECURRENCE-ID").date() == date(2027, 1, 19)

    cal = parse(series_calendar(police[meetings[0].id])[2])
    master, override = cal.walk("VEVENT")
    assert "RECURRENCE-ID" not in master and [d.dt.date() for d in master["EXDATE"].dts] == [date(2027, 1, 19)]
    assert str(override["UID"]) == series.uid and override.decoded("DTSTART").day == 13


def test_series_refuses_a_party_that_left(ctx, world, factory, travel):
    from zorgtafel.meetings.errors import MeetingError

    ggd = factory.user("professional", organisation_key="ggd-voorbeeld")  # left on 2026-10-01
    with pytest.raises(MeetingError) as refused:
        operations.plan_series(actor(world.coordinator), title="Reeks", first_day=date(2027, 1, 5), start=time(10),
                               duration_minutes=60, count=3, location="Stadhuis", participants=[actor(ggd)])
    assert "participants[0]" in refused.value.fields
