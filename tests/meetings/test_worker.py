"""End to end with a real Celery worker subprocess, the real Redis and a real SMTP server
(aiosmtpd): the invitation, the update and the cancellation arrive as e-mails whose .ics
attachment parses back with icalendar — and no e-mail carries case content."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from tests.helpers.people import actor
from tests.helpers.worker import celery_worker, committed, smtp_server, wait_drained  # noqa: F401
from tests.meetings.conftest import SEEDED_NAMES, SEEDED_TEXT, future, seeded_case
from zorgtafel.extensions import db
from zorgtafel.meetings import operations
from zorgtafel.meetings.operations import plan_meeting

pytestmark = [pytest.mark.worker, pytest.mark.committed]


def calendar_of(received):
    """The text/calendar part of an e-mail: its method parameter and the parsed calendar."""
    parts = [p for p in received.message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in received.message.walk()]
    part = parts[0]
    assert part.get_filename() == "uitnodiging.ics"
    return part.get_param("method"), Calendar.from_ical(part.get_payload(decode=True))


def by_recipient(messages) -> dict:
    return {m.rcpt_tos[0]: m for m in messages}


def test_invitation_update_and_cancel_by_email(app, committed, world, celery_worker, smtp_server):
    with app.app_context():
        cases = [seeded_case(world.school, world.police, index=i) for i in range(2)]
        db.session.commit()  # two matches: their e-mails go out first
    wait_drained(app)
    start = len(smtp_server.messages)
    with app.app_context():
        cases = [db.session.merge(c) for c in cases]
        starts = future(10)
        meeting = plan_meeting(actor(world.coordinator), title="Zorgtafel Voorbeeldregio", starts_at=starts,
                               ends_at=starts + timedelta(hours=1), location="Stadhuis, zaal 3",
                               participants=[actor(world.police), actor(world.ggz)], cases=cases)
        meeting_id, references = meeting.id, [c.reference for c in cases]
        db.session.commit()  # the outbox nudge publishes the two sends to the worker

    invitations = by_recipient(smtp_server.wait_for(start + 2)[start:])
    assert set(invitations) == {world.police.email, world.ggz.email}
    police = invitations[world.police.email]
    assert police.message["Subject"] == "Zorgtafel: Uitnodiging voor overleg"
    method, cal = calendar_of(police)
    assert method == "REQUEST"
    (event,) = cal.walk("VEVENT")
    uid = str(event["UID"])
    assert cal["METHOD"] == "REQUEST" and event["SEQUENCE"] == 0 and cal.walk("VTIMEZONE")
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam" and event.decoded("DTSTART").hour == 10
    assert all(ref in str(event["DESCRIPTION"]) for ref in references)  # involved: may open both

    with app.app_context():
        from zorgtafel.meetings.models import Meeting

        meeting = db.session.get(Meeting, meeting_id)
        operations.reschedule(actor(world.coordinator), meeting, starts_at=future(11, 14),
                              ends_at=future(11, 15), location="Online")
        db.session.commit()
    updates = by_recipient(smtp_server.wait_for(start + 4)[start + 2:])
    _, cal = calendar_of(updates[world.ggz.email])
    (event,) = cal.walk("VEVENT")
    assert updates[world.ggz.email].message["Subject"] == "Zorgtafel: Overleg gewijzigd"
    assert str(event["UID"]) == uid and event["SEQUENCE"] == 1 and event.decoded("DTSTART").hour == 14

    with app.app_context():
        operations.cancel(actor(world.coordinator), db.session.get(Meeting, meeting_id), "ziekte")
        db.session.commit()
    cancels = by_recipient(smtp_server.wait_for(start + 6)[start + 4:])
    method, cal = calendar_of(cancels[world.police.email])
    (event,) = cal.walk("VEVENT")
    assert method == "CANCEL" and cal["METHOD"] == "CANCEL"
    assert str(event["UID"]) == uid and event["SEQUENCE"] == 2 and event["STATUS"] == "CANCELLED"
    wait_drained(app)
    assert len(smtp_server.messages) == start + 6  # each exactly once

    # No case content in any of them: headers, body and the decoded .ics.
    seeded = [n.lower() for pair in SEEDED_NAMES for n in pair] + [t.lower() for t in SEEDED_TEXT]
    seeded += ["zorgtafel voorbeeldregio", "ziekte"]  # the free-text title and the cancel reason
    assert len(smtp_server.messages) >= 6 + 8  # the match e-mails of the seeding are scanned too
    leaks = [(m.rcpt_tos, s) for m in smtp_server.messages for s in seeded
             if s in m.text().lower().replace("\r\n ", "")]
    assert leaks == []
