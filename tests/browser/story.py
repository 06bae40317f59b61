"""The young person's story of issue 7, as preconditions built through the operations
(not the pages), so that each journey of test_journey_signal_to_table.py can start where
the previous one ended and still run on its own:

school signal → police signal (a match) → overleg with an action for the school.

Every function commits (the live server's threads and the Celery worker must see the rows)
and returns plain data: references and ids, never ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from tests.helpers.people import actor, bsn, register

#: what the police registered: criminal data, which the school may not read (art. 5.5)
POLICE_DESCRIPTION = "Bij een controle aangetroffen met veel contant geld en twee telefoons."
SCHOOL_DESCRIPTION = "Vaak afwezig op maandag; vertelt over een nieuwe, oudere vriend."
ACTION_TITLE = "Gesprek met de mentor over het verzuim"


@dataclass
class Story:
    bsn: str
    reference: str
    meeting_id: int | None = None
    action_id: int | None = None


def school_signal(app, world, subject_bsn: str | None = None) -> Story:
    """The school's worry, registered the way journey 1 registers it."""
    from zorgtafel.extensions import db

    subject_bsn = subject_bsn or bsn()
    with app.app_context():
        result = register(world.school, subject={"bsn": subject_bsn}, category="schoolverzuim", urgency="midden",
                          description=SCHOOL_DESCRIPTION)
        reference = result.case.reference
        db.session.commit()
    return Story(subject_bsn, reference)


def police_signal(app, world, story: Story) -> None:
    """The police's criminal-data signal on the same young person (journey 2): a match."""
    from zorgtafel.extensions import db

    with app.app_context():
        result = register(world.police, subject={"bsn": story.bsn}, category="veel_geld_op_zak",
                          data_category="strafrechtelijk", urgency="hoog", description=POLICE_DESCRIPTION)
        assert result.match is not None and result.case.reference == story.reference
        db.session.commit()


def matched_case(app, world) -> Story:
    story = school_signal(app, world)
    police_signal(app, world, story)
    return story


def overleg_with_action(app, world, story: Story, assignee=None) -> Story:
    """Journey 3's outcome: the case weighed and on the agenda of an overleg with the school
    and the police, an action for the school (or ``assignee``) agreed, the minutes approved."""
    from sqlalchemy import select

    from zorgtafel.cases.models import Case
    from zorgtafel.cases.operations import change_status
    from zorgtafel.core.timeutil import AMSTERDAM, today_local
    from zorgtafel.extensions import db
    from zorgtafel.meetings import actions, minutes
    from zorgtafel.meetings.models import AgendaItem
    from zorgtafel.meetings.operations import plan_meeting

    with app.app_context():
        coordinator = actor(world.coordinator)
        case = db.session.scalar(select(Case).where(Case.reference == story.reference))
        change_status(coordinator, case, "in_weging", "Match: wegen aan tafel.")
        start = datetime.combine(today_local() + timedelta(days=7), time(10), tzinfo=AMSTERDAM)
        meeting = plan_meeting(coordinator, title="Zorgtafel", starts_at=start, ends_at=start + timedelta(hours=1),
                               location="Stadhuis", participants=[actor(world.school), actor(world.police)],
                               cases=[case], send_invitations=False)
        item = db.session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
        action = actions.create_action(coordinator, case, title=ACTION_TITLE, assignee=actor(assignee or world.school),
                                       due_on=start.date() + timedelta(days=7), meeting=meeting, agenda_item=item)
        minutes.record_minutes(coordinator, meeting, [minutes.ItemMinutes(
            item, "plan_van_aanpak", "", "Signalen van school en politie besproken; de school spreekt de jongere.")])
        minutes.submit_draft(coordinator, meeting)
        minutes.approve(coordinator, meeting)
        story.meeting_id, story.action_id = meeting.id, action.id
        db.session.commit()
    return story
