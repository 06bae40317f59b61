"""The agenda: the proposal on a seeded situation, involvement through the agenda and the
participants, the move to 'geagendeerd', order and time, and what each participant may see
of it under the reference convenant."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.helpers.people import actor
from tests.meetings.conftest import involved, plain_case, plan
from zorgtafel.audit.models import AuditEntry
from zorgtafel.cases.models import Case, Match, Signal, StatusChange
from zorgtafel.core.models import utcnow
from zorgtafel.core.timeutil import today_local
from zorgtafel.extensions import db
from zorgtafel.meetings import agenda, operations, queries
from zorgtafel.meetings.actions import create_action
from zorgtafel.meetings.errors import MeetingError
from zorgtafel.meetings.models import AgendaItem, Meeting


def age(case: Case, days: int = 60, status: str | None = None) -> Case:
    """Move a case's history into the past: its signals, matches and last status change."""
    past = utcnow() - timedelta(days=days)
    db.session.execute(update(Signal).where(Signal.case_id == case.id).values(created_at=past))
    db.session.execute(update(Match).where(Match.case_id == case.id).values(created_at=past))
    if status:
        case.status = status
    case.status_changed_at = past
    db.session.flush()
    return case


def held_meeting(world, days_ago: int, cases=(), decision: str | None = None) -> Meeting:
    """An overleg in the past, as the seed of 'since the previous meeting'."""
    starts = utcnow() - timedelta(days=days_ago)
    meeting = Meeting(convenant_key=world.key, title="Vorig overleg", starts_at=starts,
                      ends_at=starts + timedelta(hours=1), location="Stadhuis", organiser_id=world.coordinator.id,
                      status="gehouden", uid=f"{uuid.uuid4()}@test", sequence=0, minutes_status="goedgekeurd")
    db.session.add(meeting)
    db.session.flush()
    for position, case in enumerate(cases, start=1):
        db.session.add(AgendaItem(meeting_id=meeting.id, case_id=case.id, position=position,
                                  added_by_id=world.coordinator.id, decision=decision))
    db.session.flush()
    return meeting


def test_proposal_on_a_seeded_situation(ctx, world):
    coordinator = actor(world.coordinator)
    new_match = plain_case(world.school, world.police)                    # match and signals, now
    new_signal = plain_case(world.ggz)                                    # one new signal
    weighing = age(plain_case(world.school), status="in_weging")
    reopened = age(plain_case(world.school), status="heropend")
    overdue = age(plain_case(world.school), status="plan_van_aanpak")
    open_only = age(plain_case(world.police), status="plan_van_aanpak")
    review = age(plain_case(world.police), days=70, status="monitoring")
    recent_review = age(plain_case(world.police), days=70, status="monitoring")
    again = age(plain_case(world.ggz), status="geagendeerd")
    closed = age(plain_case(world.school), status="afgesloten")
    quiet = age(plain_case(world.school))                                 # aangemeld, nothing new
    on_agenda = age(plain_case(world.school), status="in_weging")
    held_meeting(world, 14, cases=[recent_review])
    held_meeting(world, 10, cases=[again], decision="opnieuw_agenderen")
    for case, due in ((overdue, -1), (open_only, 5)):
        action = create_action(coordinator, case, title="Huisbezoek afleggen", assignee=actor(world.school),
                               due_on=today_local() + timedelta(days=5))
        action.due_on = today_local() + timedelta(days=due)
    meeting = plan(world, participants=[world.school], cases=[on_agenda])

    found = {p.case.reference: p.reasons for p in queries.proposals(coordinator, meeting)}
    assert found == {
        new_match.reference: ["match", "signals"],
        new_signal.reference: ["signals"],
        weighing.reference: ["in_weging"],
        reopened.reference: ["heropend"],
        overdue.reference: ["overdue"],
        open_only.reference: ["open_actions"],
        again.reference: ["again"],
        review.reference: ["review"],
    }
    assert {closed.reference, quiet.reference, on_agenda.reference, recent_review.reference}.isdisjoint(found)
    # Taking the proposal over writes the reasons on the items.
    added = agenda.add_proposals(coordinator, meeting, [weighing.id, overdue.id])
    assert {a.item.reason for a in added} == {"casus in weging", "actiepunt over de datum"}
    assert weighing.status == "geagendeerd"


def test_agenda_involves_participants_and_moves_the_case(ctx, world, factory):
    coordinator = actor(world.coordinator)
    case = plain_case(world.school)
    from zorgtafel.cases.operations import change_status

    change_status(coordinator, case, "in_weging", "weging")
    meeting = plan(world, participants=[world.ggz, world.police])
    assert involved(case, world.ggz) == set()
    added = agenda.add_case(coordinator, meeting, case, reason="weging afgerond")
    assert added.status_changed and case.status == "geagendeerd"
    assert involved(case, world.ggz) == {"agenda"} and involved(case, world.police) == {"agenda"}
    assert involved(case, world.school) == {"signal"}  # not a participant: nothing new
    note = db.session.scalar(select(StatusChange.note).where(StatusChange.case_id == case.id,
                                                             StatusChange.to_status == "geagendeerd"))
    assert note.startswith("Geagendeerd voor het overleg van")

    lvb = factory.user("professional", organisation_key="lvbzorg-voorbeeld")
    operations.add_participant(coordinator, meeting, actor(lvb))
    assert involved(case, lvb) == {"agenda"}
    with pytest.raises(MeetingError) as twice:
        agenda.add_case(coordinator, meeting, case)
    assert twice.value.status == 409

    operations.remove_participant(coordinator, meeting, queries.participants(meeting)[-1])
    assert involved(case, lvb) == set()  # the reason for it is gone
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    agenda.remove_item(coordinator, meeting, item)
    assert involved(case, world.ggz) == set() and involved(case, world.school) == {"signal"}


def test_agenda_involvement_stays_while_another_meeting_justifies_it(ctx, world):
    coordinator = actor(world.coordinator)
    case = plain_case(world.school)
    first = plan(world, participants=[world.ggz], cases=[case])
    second = plan(world, participants=[world.ggz], cases=[case], days=14)
    operations.cancel(coordinator, first)
    assert involved(case, world.ggz) == {"agenda"}
    operations.cancel(coordinator, second)
    assert involved(case, world.ggz) == set()


def test_a_registered_case_keeps_its_status_and_says_why(ctx, world):
    case = plain_case(world.school)
    added = agenda.add_case(actor(world.coordinator), plan(world), case)
    assert not added.status_changed and case.status == "aangemeld"
    assert "geen overgang naar 'geagendeerd'" in added.status_note


def test_order_and_time(ctx, world):
    coordinator = actor(world.coordinator)
    cases = [plain_case(world.school) for _ in range(3)]
    meeting = plan(world, cases=cases)
    items = {i.case_id: i for i in db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))}
    agenda.move_item(coordinator, meeting, items[cases[2].id], -1)
    agenda.move_item(coordinator, meeting, items[cases[0].id], -1)  # already at the top: nothing
    agenda.set_duration(coordinator, meeting, items[cases[1].id], 25)
    rows = queries.agenda(coordinator, meeting)
    assert [r.item.case_id for r in rows] == [cases[0].id, cases[2].id, cases[1].id]
    assert [r.item.position for r in rows] == [1, 2, 3] and rows[2].item.duration_minutes == 25
    with pytest.raises(MeetingError) as wrong:
        agenda.set_duration(coordinator, meeting, items[cases[1].id], 0)
    assert wrong.value.field == "duration_minutes"
    agenda.remove_item(coordinator, meeting, items[cases[0].id])
    assert [r.item.position for r in queries.agenda(coordinator, meeting)] == [1, 2]


def test_each_participant_sees_the_agenda_as_the_convenant_allows(ctx, world, factory):
    """Police and school (involved through the agenda) read the items under art. 5.2; the
    police's privacy officer, a participant too, may read no case: restricted, with the
    reason. Someone who is neither participant nor planner does not find the meeting."""
    case = plain_case(world.ggz)
    meeting = plan(world, participants=[world.police, world.privacy], cases=[case])
    police = queries.agenda(actor(world.police), meeting)
    assert not police[0].restricted and police[0].basis.article == "5.2" and police[0].minutes_visible
    privacy = queries.agenda(actor(world.privacy), meeting)
    assert privacy[0].restricted and "geen recht op 'read'" in privacy[0].reason
    assert queries.agenda(actor(world.coordinator), meeting)[0].basis.article == "5.1"

    assert queries.meeting_for(actor(world.police), meeting.id) is not None
    assert queries.meeting_for(actor(world.coordinator2), meeting.id) is not None  # may plan: sees all
    assert queries.meeting_for(actor(world.school), meeting.id) is None
    outsider = factory.user("professional", organisation_key="lvbzorg-voorbeeld")
    assert queries.meeting_for(actor(outsider), meeting.id) is None


def test_participants_come_from_parties_only(ctx, world, factory):
    ggd = factory.user("professional", organisation_key="ggd-voorbeeld")  # left the convenant
    stranger = factory.user("professional")  # an organisation outside the convenant
    for account in (ggd, stranger):
        with pytest.raises(MeetingError) as refused:
            plan(world, participants=[world.school, account])
        assert refused.value.field == "participants[1]" and refused.value.status == 422


def test_only_a_planner_plans(ctx, world):
    with pytest.raises(MeetingError) as refused:
        operations.plan_meeting(actor(world.school), title="Eigen overleg", starts_at=utcnow() + timedelta(days=2),
                                ends_at=utcnow() + timedelta(days=2, hours=1), location="School")
    assert refused.value.status == 403
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.user_id == world.school.id,
                                                       AuditEntry.object_type == "meeting"))
    assert entry.outcome == "denied"


@pytest.mark.parametrize("change,field", [
    ({"starts_at": -1}, "starts_at"),
    ({"ends_at": 0}, "ends_at"),
    ({"location": ""}, "location"),
    ({"video_link": "http://onveilig.example"}, "video_link"),
    ({"title": "  "}, "title"),
])
def test_meeting_fields_are_checked(ctx, world, change, field):
    starts = utcnow() + timedelta(days=3)
    values = {"title": "Overleg", "starts_at": starts, "ends_at": starts + timedelta(hours=1), "location": "Zaal"}
    if "starts_at" in change:
        values["starts_at"] = utcnow() + timedelta(days=change["starts_at"])
    elif "ends_at" in change:
        values["ends_at"] = starts
    else:
        values.update(change)
    with pytest.raises(MeetingError) as refused:
        operations.plan_meeting(actor(world.coordinator), **values)
    assert field in refused.value.fields


def test_the_agenda_costs_the_same_statements_however_long(app, ctx, world):
    from sqlalchemy import event

    coordinator = actor(world.coordinator)
    short = plan(world, participants=[world.police], cases=[plain_case(world.school) for _ in range(2)])
    long = plan(world, participants=[world.police], cases=[plain_case(world.school) for _ in range(8)])
    for meeting in (short, long):
        for row in db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)):
            create_action(coordinator, row.case, title="Contact leggen", assignee=actor(world.police),
                          due_on=today_local() + timedelta(days=7))
    db.session.commit()
    police = actor(world.police)
    counts = []
    for meeting in (short, long):
        db.session.expire_all()
        seen = []
        listener = lambda *args, **kwargs: seen.append(1)  # noqa: E731
        with app.test_request_context("/overleg"):  # as in a request: the rule set is read once
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                rows = queries.agenda(police, meeting)
                assert all(len(r.actions) == 1 for r in rows) and not any(r.restricted for r in rows)
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
        counts.append(len(seen))
    # user, meeting, items, the rule set in force (3), involvement, actions, their notes
    assert counts[0] == counts[1] <= 9, counts
