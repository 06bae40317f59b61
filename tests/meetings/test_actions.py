"""Actiepunten: assignment (with involvement), changes with a note in the history by the
assignee or a coordinator, and the reminders and escalation at the right moments in
working days — each exactly once, however often the sweep runs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select

from tests.helpers.people import actor
from tests.meetings.conftest import count, involved, listening, notifications, plain_case
from zorgtafel.core.timeutil import today_local
from zorgtafel.core.workdays import at_local
from zorgtafel.extensions import db
from zorgtafel.meetings import events, queries, reminders, tasks
from zorgtafel.meetings.actions import create_action, update_action
from zorgtafel.meetings.errors import MeetingError
from zorgtafel.meetings.models import ActionItem, ActionUpdate

EIGHT = time(8, 0)


def new_action(world, case=None, due_on=None, assignee=None):
    case = case or plain_case(world.school)
    return create_action(actor(world.coordinator), case, title="Gesprek met de mentor plannen",
                         assignee=actor(assignee or world.police), due_on=due_on or today_local() + timedelta(days=10))


def test_assignment_involves_the_assignee_and_notifies(ctx, world):
    case = plain_case(world.school)
    assert involved(case, world.police) == set()
    action = new_action(world, case)
    assert involved(case, world.police) == {"action"}
    (first,) = queries.history(action)
    assert (first.from_status, first.to_status, first.actor_id) == (None, "open", world.coordinator.id)
    (note,) = notifications("actiepunt_toegewezen", actor(world.police))
    assert note.case_reference == case.reference and note.link == f"/actiepunten/{action.id}"
    # The police may now read the case's actions; an outsider finds nothing.
    assert queries.action_for(actor(world.police), action.id) is not None
    assert queries.action_for(actor(world.ggz), action.id) is None
    assert [r.action.id for r in queries.my_actions(actor(world.police))] == [action.id]


def test_only_a_coordinator_assigns_and_only_to_a_party(ctx, world, factory):
    case = plain_case(world.school)
    with pytest.raises(MeetingError) as refused:
        create_action(actor(world.school), case, title="Zelf iets doen", assignee=actor(world.school),
                      due_on=today_local() + timedelta(days=3))
    assert refused.value.status == 403
    ggd = factory.user("professional", organisation_key="ggd-voorbeeld")
    with pytest.raises(MeetingError) as invalid:
        create_action(actor(world.coordinator), case, title="x", assignee=actor(ggd),
                      due_on=today_local() - timedelta(days=1))
    assert set(invalid.value.fields) == {"title", "assignee", "due_on"}


def test_changes_by_the_assignee_and_the_coordinator_each_with_a_note(ctx, world):
    action = new_action(world)
    police, coordinator = actor(world.police), actor(world.coordinator)
    with pytest.raises(MeetingError) as no_note:
        update_action(police, action, status="in_behandeling", note=" ")
    assert no_note.value.field == "note"
    update_action(police, action, status="in_behandeling", note="afspraak gemaakt")
    update_action(police, action, note="mentor is ziek, volgende week")  # a progress note, same status
    with pytest.raises(MeetingError) as stranger:
        update_action(actor(world.ggz), action, status="afgerond", note="gedaan")
    assert stranger.value.status == 403
    with pytest.raises(MeetingError) as not_yours:
        update_action(police, action, note="later", due_on=today_local() + timedelta(days=20))
    assert not_yours.value.status == 403
    with listening(events.action_closed) as closed:
        update_action(police, action, status="afgerond", note="gesprek gevoerd")
    assert [c["action"].id for c in closed] == [action.id]
    assert action.closed_at is not None and action.next_reminder_at is None
    with pytest.raises(MeetingError) as impossible:
        update_action(police, action, status="in_behandeling", note="toch niet")
    assert impossible.value.status == 409
    update_action(coordinator, action, status="open", note="opnieuw nodig",
                  due_on=today_local() + timedelta(days=30))
    history = [(u.from_status, u.to_status, u.note) for u in queries.history(action)]
    assert history[1:] == [("open", "in_behandeling", "afspraak gemaakt"),
                           ("in_behandeling", "in_behandeling", "mentor is ziek, volgende week"),
                           ("in_behandeling", "afgerond", "gesprek gevoerd"),
                           ("afgerond", "open", "opnieuw nodig")]
    assert action.closed_at is None and action.next_reminder_at is not None
    rows = queries.open_actions(police, [action.case_id])[action.case_id]
    assert rows[0].last_note == "opnieuw nodig"  # why it is (again) open, for the next agenda


def test_reminders_and_escalation_in_working_days_each_once(ctx, world):
    """Due Monday 28 December 2026. Two working days before is Wednesday the 23rd (Christmas
    and the weekend do not count); escalation one working day after is Tuesday the 29th."""
    with time_machine.travel(datetime(2026, 12, 14, 9, tzinfo=timezone.utc), tick=False):
        action = new_action(world, due_on=date(2026, 12, 28))
    assert action.remind_at == at_local(date(2026, 12, 23), EIGHT)
    assert action.due_remind_at == at_local(date(2026, 12, 28), EIGHT)
    assert action.escalate_at == at_local(date(2026, 12, 29), EIGHT)
    police, coordinators = world.police, [world.coordinator, world.coordinator2]
    sweep = reminders.sweep_action_reminders
    with listening(events.action_overdue) as overdue:
        assert sweep(now=at_local(date(2026, 12, 22), time(23, 59))) == 0
        assert sweep(now=at_local(date(2026, 12, 23), EIGHT)) == 1
        assert sweep(now=at_local(date(2026, 12, 23), time(9))) == 0  # the second run sends nothing
        assert count("actiepunt_herinnering", police) == 1
        assert sweep(now=at_local(date(2026, 12, 28), time(7, 59))) == 0
        assert sweep(now=at_local(date(2026, 12, 28), EIGHT)) == 1
        assert sweep(now=at_local(date(2026, 12, 28), EIGHT)) == 0
        assert count("actiepunt_vandaag", police) == 1
        assert sweep(now=at_local(date(2026, 12, 29), time(7, 59))) == 0
        assert sweep(now=at_local(date(2026, 12, 29), EIGHT)) == 1
        assert sweep(now=at_local(date(2027, 1, 5), EIGHT)) == 0
    assert [o["action"].id for o in overdue] == [action.id]
    assert [count("actiepunt_verlopen", c) for c in coordinators] == [1, 1]
    assert count("actiepunt_verlopen", police) == 0 and action.next_reminder_at is None


def test_a_new_due_date_re_arms_every_reminder(ctx, world):
    with time_machine.travel(datetime(2026, 12, 14, 9, tzinfo=timezone.utc), tick=False):
        action = new_action(world, due_on=date(2026, 12, 28))
        reminders.sweep_action_reminders(now=at_local(date(2026, 12, 23), EIGHT))
        assert action.remind_sent_at is not None
    with time_machine.travel(at_local(date(2026, 12, 23), time(10)), tick=False):
        update_action(actor(world.coordinator), action, note="meer tijd nodig", due_on=date(2027, 1, 15))
        assert action.remind_sent_at is None and action.remind_at == at_local(date(2027, 1, 13), EIGHT)
        assert db.session.scalar(select(ActionUpdate.due_on).where(ActionUpdate.action_id == action.id)
                                 .order_by(ActionUpdate.id.desc()).limit(1)) == date(2027, 1, 15)
    assert reminders.sweep_action_reminders(now=at_local(date(2026, 12, 28), EIGHT)) == 0  # old due date: nothing
    assert reminders.sweep_action_reminders(now=at_local(date(2027, 1, 13), EIGHT)) == 1
    assert count("actiepunt_herinnering", world.police) == 2


def test_a_late_sweep_sends_only_the_latest_stage(ctx, world):
    """Beat was down over the holidays: the first sweep after the escalation moment sends
    the escalation only; the assignee is not sent two stale reminders at once."""
    with time_machine.travel(datetime(2026, 12, 14, 9, tzinfo=timezone.utc), tick=False):
        action = new_action(world, due_on=date(2026, 12, 28))
    assert reminders.sweep_action_reminders(now=at_local(date(2026, 12, 30), EIGHT)) == 1
    assert count("actiepunt_verlopen", world.coordinator) == 1
    assert count("actiepunt_herinnering", world.police) == count("actiepunt_vandaag", world.police) == 0
    assert action.next_reminder_at is None


def test_closed_actions_are_not_reminded(ctx, world):
    with time_machine.travel(datetime(2026, 12, 14, 9, tzinfo=timezone.utc), tick=False):
        action = new_action(world, due_on=date(2026, 12, 28))
        update_action(actor(world.police), action, status="vervallen", note="niet meer nodig")
    assert reminders.sweep_action_reminders(now=at_local(date(2027, 1, 5), EIGHT)) == 0


def test_the_celery_task_twice_sends_once(app, ctx, world):
    """The task as beat runs it (its own app context and session, then commit): a second
    run, or the same message redelivered, finds the row marked and sends nothing."""
    with time_machine.travel(datetime(2026, 12, 14, 9, tzinfo=timezone.utc), tick=False):
        action = new_action(world, due_on=date(2026, 12, 28))
        db.session.commit()
    with time_machine.travel(at_local(date(2026, 12, 23), time(8, 1)), tick=False):
        assert tasks.sweep_action_reminders() == 1
        assert tasks.sweep_action_reminders() == 0
    db.session.expire_all()
    assert count("actiepunt_herinnering", world.police) == 1
    assert db.session.get(ActionItem, action.id).remind_sent_at is not None


def test_the_sweeps_are_on_the_beat_schedule_and_registered(app):
    from worker.schedule import BEAT_SCHEDULE

    names = {"zorgtafel.meetings.sweep_action_reminders", "zorgtafel.meetings.sweep_minutes_reminders"}
    scheduled = {entry["task"]: entry for entry in BEAT_SCHEDULE.values()}
    assert names <= set(scheduled) and names <= set(app.extensions["celery"].tasks)
    assert all(scheduled[n]["options"]["expires"] < 300 for n in names)  # a missed tick is dropped, not stacked
