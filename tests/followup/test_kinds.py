"""Issue 8, every task kind through one table: the kind's condition appears on a day just
before a Dutch public holiday and a weekend; the sweeps run twice and the event is
delivered again (before and after the resolution): still exactly one task, due the right
number of working days later; and the task is closed when the reason is resolved — by
the system with a note, or (the kinds in ``CLOSED_BY_HAND``) by a coordinator, who must
write a note.

Two days, each with its expected due dates worked out by hand from the calendar (not
computed with the code under test):

- Thursday 24 December 2026: Friday 25 and Saturday 26 are Christmas, then a weekend, and
  Friday 1 January 2027 is New Year's Day;
- Friday 23 April 2027: a weekend, Tuesday 27 April is Koningsdag, Thursday 6 May is
  Ascension Day (5 May is no holiday in 2027: Bevrijdingsdag only in lustrum years).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Callable

import pytest
import time_machine
from flask import current_app
from sqlalchemy import select

from tests.helpers.convenant import load_reference, reference_text
from tests.helpers.people import actor, bsn, register
from zorgtafel.cases import events as case_events
from zorgtafel.cases.errors import CaseError
from zorgtafel.cases.models import PossibleDuplicate
from zorgtafel.cases.operations import change_status
from zorgtafel.cases.reveal import decide_request, request_reveal
from zorgtafel.core.workdays import at_local
from zorgtafel.extensions import db
from zorgtafel.followup import sweeps
from zorgtafel.followup.kinds import CLOSED_BY_HAND, KINDS
from zorgtafel.followup.models import CoordinatorTask
from zorgtafel.followup.operations import update_task
from zorgtafel.meetings import events as meeting_events
from zorgtafel.meetings import minutes, reminders
from zorgtafel.meetings.actions import create_action, update_action
from zorgtafel.meetings.operations import plan_meeting
from zorgtafel.notify import delivery_failed
from zorgtafel.privacy import retention

CHRISTMAS = date(2026, 12, 24)
KONINGSDAG = date(2027, 4, 23)
#: day -> {working days: the due date}
DUE = {
    CHRISTMAS: {1: date(2026, 12, 28), 2: date(2026, 12, 29), 3: date(2026, 12, 30), 5: date(2027, 1, 4),
                10: date(2027, 1, 11)},
    KONINGSDAG: {1: date(2027, 4, 26), 2: date(2027, 4, 28), 3: date(2027, 4, 29), 5: date(2027, 5, 3),
                 10: date(2027, 5, 11)},
}
PERSON = {"family_name": "Kok", "given_names": "Sam", "birth_date": "2010-03-03"}


def moment(day: date, hour: int = 17, minute: int = 30):
    """Local wall-clock time on ``day``: 17:30 is after the morning escalation of actions
    (08:00) and the minutes reminder (17:00) that day."""
    return time_machine.travel(at_local(day, time(hour, minute)), tick=False)


def of_kind(kind: str) -> list[CoordinatorTask]:
    return db.session.scalars(select(CoordinatorTask).where(CoordinatorTask.kind == kind)
                              .order_by(CoordinatorTask.id)).all()


def sweep_everything() -> None:
    """Every beat sweep that can make a follow-up task, as beat would run them."""
    sweeps.in_weging_too_long()
    sweeps.parties_left()
    reminders.sweep_action_reminders()
    reminders.sweep_minutes_reminders()
    retention.run()


def app_():
    return current_app._get_current_object()


# -- the kinds ------------------------------------------------------------------------------
# prepare(world, day) -> state: before the day (three weeks earlier), what the condition needs
# appear(world, state, day): on the day, the condition appears (an event or a sweep)
# redeliver(world, state): the event the task came from, delivered once more (None: a sweep)
# resolve(world, state, task): what makes the reason go away


@dataclass
class Spec:
    kind: str
    days: int  # working days of the default deadline
    prepare: Callable
    appear: Callable
    redeliver: Callable | None
    resolve: Callable

    def __str__(self):
        return self.kind


def _case(world, state, **kwargs):
    state["subject"] = {"bsn": bsn()}
    state["case"] = register(world.school, subject=state["subject"], **kwargs).case
    return state


def _weigh(world, case, *statuses):
    for status in statuses:
        change_status(actor(world.coordinator), case, status, "")


# match: a second organisation's signal about the same subject (urgency midden: 3 days)
def match_appear(world, state, day):
    subject = {"bsn": bsn()}
    register(world.school, subject=subject)
    result = register(world.police, subject=subject)
    state.update(case=result.case, match=result.match)


def match_redeliver(world, state):
    case_events.match_found.send(app_(), case=state["case"], match=state["match"], actor=actor(world.police))


# triage: a new case aangemeld
def triage_appear(world, state, day):
    _case(world, state)


def triage_redeliver(world, state):
    case_events.case_created.send(app_(), case=state["case"], actor=actor(world.school))


# in_weging_te_lang: in weging since three weeks (more than 10 working days)
def in_weging_prepare(world, day):
    state = _case(world, {})
    _weigh(world, state["case"], "in_weging")
    return state


# actie_te_laat: due the working day before, escalated the next working day at 08:00
def action_prepare(world, day):
    state = _case(world, {})
    state["action"] = create_action(actor(world.coordinator), state["case"], title="Gesprek met de mentor",
                                    assignee=actor(world.school), due_on=day - timedelta(days=1))
    return state


def action_redeliver(world, state):
    meeting_events.action_overdue.send(app_(), action=state["action"])


def action_resolve(world, state, task):
    update_action(actor(world.school), state["action"], note="gesprek gevoerd", status="afgerond")


# verslag_niet_vastgesteld: an overleg three working days before the day, minutes not approved
def minutes_prepare(world, day):
    starts = at_local(day - timedelta(days=3), time(10))
    meeting = plan_meeting(actor(world.coordinator), title="Zorgtafel", starts_at=starts,
                           ends_at=starts + timedelta(hours=1), location="Stadhuis")
    return {"meeting": meeting}


def minutes_redeliver(world, state):
    meeting_events.minutes_overdue.send(app_(), meeting=state["meeting"])


def minutes_resolve(world, state, task):
    coordinator = actor(world.coordinator)
    minutes.submit_draft(coordinator, state["meeting"])
    minutes.approve(coordinator, state["meeting"])


# onthulling: a reveal request waiting for a second coordinator
def reveal_appear(world, state, day):
    state["request"], _ = request_reveal(actor(world.coordinator), state["case"], "afstemming met de politie nodig")


def reveal_redeliver(world, state):
    case_events.reveal_requested.send(app_(), request=state["request"], actor=actor(world.coordinator))


def reveal_resolve(world, state, task):
    decide_request(actor(world.coordinator2), state["request"], approve=True)


# mogelijk_dubbel: the same name and birth date under two BSNs; judged in the queue
def duplicate_appear(world, state, day):
    register(world.school, subject={"bsn": bsn(), **PERSON})
    register(world.ggz, subject={"bsn": bsn(), **PERSON})
    state["duplicate"] = db.session.scalar(select(PossibleDuplicate))


def duplicate_redeliver(world, state):
    case_events.possible_duplicate_found.send(app_(), duplicate=state["duplicate"], actor=actor(world.ggz))


def duplicate_resolve(world, state, task):
    update_task(actor(world.coordinator), task, "afgerond", "twee verschillende jongeren")
    assert state["duplicate"].resolved_at is not None


# inactief: the last signal was observed a year and a day ago
def inactive_prepare(world, day):
    return _case(world, {}, observed_on=day - timedelta(days=366))


def inactive_redeliver(world, state):
    retention.inactive_case.send(app_(), case=state["case"], days=365)


def inactive_resolve(world, state, task):
    register(world.school, subject=state["subject"], observed_on=state["day"] - timedelta(days=1))


# partij_uitgetreden: the GGD leaves the convenant on the day (version 2 of the reference)
def party_prepare(world, day):
    from zorgtafel.convenant.operations import involve

    text = reference_text().replace("version: 1\n", "version: 2\n").replace(
        "left_on: 2026-10-01", f"left_on: {day.isoformat()}")
    load_reference(current_app, text)
    state = _case(world, {})
    involve(state["case"].id, world.orgs["ggd-voorbeeld"], "coordinator")
    return state


def party_resolve(world, state, task):
    _weigh(world, state["case"], "in_weging", "afgesloten")


# bezorging_mislukt: an e-mail about a case refused for good by the mail server
def delivery_appear(world, state, day):
    from zorgtafel.notify.channels import SendError
    from zorgtafel.notify.models import Delivery
    from zorgtafel.notify.operations import notify, record_failure

    case = state["case"]
    [n] = notify(None, [world.school.id], "casus_heropend", case_reference=case.reference,
                 link=f"/casussen/{case.reference}")
    delivery = db.session.scalar(select(Delivery).where(Delivery.notification_id == n.id, Delivery.channel == "email"))
    assert record_failure(delivery, SendError("550 5.1.1 mailbox unavailable", permanent=True), None,
                          [(delivery, n)]) == "failed"
    state.update(delivery=delivery, notification=n)


def delivery_redeliver(world, state):
    delivery_failed.send(app_(), delivery=state["delivery"], notification=state["notification"])


def delivery_resolve(world, state, task):
    update_task(actor(world.coordinator), task, "afgerond", "ontvanger gebeld; e-mailadres gecorrigeerd")


def nothing(world, day):
    return {}


def with_case(world, day):
    return _case(world, {})


SPECS = [
    Spec("match", 3, nothing, match_appear, match_redeliver,
         lambda world, state, task: _weigh(world, state["case"], "in_weging", "geagendeerd")),
    Spec("triage", 2, nothing, triage_appear, triage_redeliver,
         lambda world, state, task: _weigh(world, state["case"], "in_weging")),
    Spec("in_weging_te_lang", 1, in_weging_prepare, lambda world, state, day: None, None,
         lambda world, state, task: _weigh(world, state["case"], "geagendeerd")),
    Spec("actie_te_laat", 1, action_prepare, lambda world, state, day: None, action_redeliver, action_resolve),
    Spec("verslag_niet_vastgesteld", 3, minutes_prepare, lambda world, state, day: None, minutes_redeliver,
         minutes_resolve),
    Spec("onthulling", 1, with_case, reveal_appear, reveal_redeliver, reveal_resolve),
    Spec("mogelijk_dubbel", 3, nothing, duplicate_appear, duplicate_redeliver, duplicate_resolve),
    Spec("inactief", 10, inactive_prepare, lambda world, state, day: None, inactive_redeliver, inactive_resolve),
    Spec("partij_uitgetreden", 5, party_prepare, lambda world, state, day: None, None, party_resolve),
    Spec("bezorging_mislukt", 1, with_case, delivery_appear, delivery_redeliver, delivery_resolve),
]


def test_the_table_covers_every_kind():
    assert [s.kind for s in SPECS] == list(KINDS)


def again(spec: Spec, world, state) -> None:
    """Beat runs every sweep once more and the broker delivers the event once more."""
    sweep_everything()
    if spec.redeliver:
        spec.redeliver(world, state)


@pytest.mark.parametrize("day", [CHRISTMAS, KONINGSDAG], ids=["kerst-2026", "koningsdag-2027"])
@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_each_kind_once_due_in_working_days_and_closed_when_resolved(ctx, world, spec, day):
    with moment(day - timedelta(days=21), 10):
        state = {**spec.prepare(world, day), "day": day}
    with moment(day):
        assert of_kind(spec.kind) == []  # the condition is not there yet
        spec.appear(world, state, day)
        sweep_everything()  # the sweeps' own run on the day
        again(spec, world, state)
        again(spec, world, state)
        [task] = of_kind(spec.kind)
        assert task.status == "open" and task.convenant_key == world.key
        assert task.due_on == DUE[day][spec.days], f"{spec.kind}: due {task.due_on}"
        assert f"deadlines.{KINDS[spec.kind].deadline}" in task.rule and f"={spec.days} werkdagen" in task.rule

        if spec.kind in CLOSED_BY_HAND:  # no note, no closing
            for status in ("afgerond", "vervallen"):
                with pytest.raises(CaseError) as refused:
                    update_task(actor(world.coordinator), task, status, "  ")
                assert refused.value.field == "note"
            assert task.status == "open"
        spec.resolve(world, state, task)
        assert task.status == "afgerond" and task.closed_note and task.closed_at is not None
        if spec.kind in CLOSED_BY_HAND:
            assert task.closed_by_id == world.coordinator.id
        else:
            assert task.closed_by_id is None, "closed by the system"

        # a late sweep or a late redelivery does not put the resolved reason back
        again(spec, world, state)
        assert of_kind(spec.kind) == [task] and task.status == "afgerond"
