"""Follow-up tasks: each kind once when its condition appears (events redelivered, sweeps
run twice), with due dates in working days across weekends and Dutch public holidays, and
closed automatically when resolved."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from tests.helpers.people import actor, bsn, register
from zorgtafel.cases import events
from zorgtafel.cases.operations import change_status
from zorgtafel.cases.reveal import decide_request, request_reveal
from zorgtafel.extensions import db
from zorgtafel.followup import sweeps
from zorgtafel.followup.models import CoordinatorTask


def at(day: date, hour: int = 10):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour - 1, tzinfo=timezone.utc), tick=False)


def tasks(kind=None, status=None):
    query = select(CoordinatorTask)
    if kind:
        query = query.where(CoordinatorTask.kind == kind)
    if status:
        query = query.where(CoordinatorTask.status == status)
    return db.session.scalars(query.order_by(CoordinatorTask.id)).all()


@pytest.mark.parametrize("registered,urgency,due", [
    (date(2026, 12, 4), "hoog", date(2026, 12, 7)),     # Friday + 1 working day: Monday
    (date(2026, 12, 24), "hoog", date(2026, 12, 28)),   # Christmas on Friday, weekend: Monday the 28th
    (date(2026, 12, 23), "midden", date(2026, 12, 29)),  # 24th, (25th, 26th, 27th), 28th, 29th
    (date(2026, 12, 23), "laag", date(2026, 12, 31)),
])
def test_match_task_due_by_urgency_in_working_days(ctx, world, registered, urgency, due):
    subject = {"bsn": bsn()}
    with at(registered):
        register(world.school, subject=subject, urgency="laag", observed_on=registered - timedelta(days=1))
        result = register(world.police, subject=subject, urgency=urgency, observed_on=registered - timedelta(days=1))
    [task] = tasks("match")
    assert task.due_on == due and task.case_reference == result.case.reference
    assert f"deadlines.match.{urgency}=" in task.rule


def test_event_redelivered_gives_one_task(app, ctx, world):
    subject = {"bsn": bsn()}
    register(world.school, subject=subject)
    result = register(world.police, subject=subject)
    for _ in range(2):  # a redelivered event, a second sweep
        events.match_found.send(app, case=result.case, match=result.match, actor=actor(world.police))
    assert len(tasks("match")) == 1


def test_triage_and_match_close_when_the_case_is_weighed(ctx, world):
    subject = {"bsn": bsn()}
    register(world.school, subject=subject)
    case = register(world.police, subject=subject).case
    assert [t.kind for t in tasks(status="open")] == ["triage", "match"]
    coordinator = actor(world.coordinator)
    change_status(coordinator, case, "in_weging", "")
    assert tasks("triage")[0].status == "afgerond" and tasks("triage")[0].closed_note
    assert tasks("match")[0].status == "open"  # weighing has started, not finished
    change_status(coordinator, case, "geagendeerd", "")
    assert tasks("match")[0].status == "afgerond"


def test_in_weging_too_long_sweep(ctx, world):
    case = register(world.school).case
    with at(date(2026, 12, 1)):
        change_status(actor(world.coordinator), case, "in_weging", "")
        db.session.flush()
    with at(date(2026, 12, 15)):  # 10 working days later: not yet longer
        assert sweeps.in_weging_too_long() == 0
    with at(date(2026, 12, 16)):
        assert sweeps.in_weging_too_long() == 1
        assert sweeps.in_weging_too_long() == 0  # the second run adds nothing
    [task] = tasks("in_weging_te_lang")
    assert task.due_on == date(2026, 12, 17) and "deadlines.in_weging_review=1" in task.rule
    change_status(actor(world.coordinator), case, "afgesloten", "")
    assert tasks("in_weging_te_lang")[0].status == "afgerond"


def test_reveal_waiting_task(ctx, world):
    case = register(world.school).case
    request, _ = request_reveal(actor(world.coordinator), case, "afstemming met de politie nodig")
    [task] = tasks("onthulling")
    assert task.status == "open"
    decide_request(actor(world.coordinator2), request, approve=False, note="")
    assert tasks("onthulling")[0].status == "afgerond"


def test_possible_duplicate_task_and_resolution(ctx, world):
    from zorgtafel.followup.operations import update_task

    person = {"family_name": "Kok", "given_names": "Sam", "birth_date": "2010-03-03"}
    register(world.school, subject={"bsn": bsn(), **person})
    register(world.ggz, subject={"bsn": bsn(), **person})
    [task] = tasks("mogelijk_dubbel")
    update_task(actor(world.coordinator), task, "in_behandeling")
    assert task.picked_up_by_id == world.coordinator.id
    with pytest.raises(Exception):
        update_task(actor(world.coordinator), task, "afgerond", "")  # a note is required
    update_task(actor(world.coordinator), task, "afgerond", "twee verschillende jongeren")
    from zorgtafel.cases.models import PossibleDuplicate

    assert db.session.scalar(select(PossibleDuplicate)).resolved_at is not None


def test_inactive_case_proposal_closes_on_new_signal(ctx, world):
    from zorgtafel.privacy import retention

    subject = {"bsn": bsn()}
    case = register(world.school, subject=subject).case
    db.session.commit()
    with time_machine.travel(timedelta(days=370)):
        retention.run()
        retention.run()
        assert len(tasks("inactief")) == 1
        register(world.police, subject=subject)
    assert tasks("inactief")[0].status == "afgerond"
    assert case.id == tasks("inactief")[0].case_id


def test_party_left_sweep(app, ctx, world):
    # the GGD left the reference convenant on 2026-10-01; it was involved in one case
    register(world.school, subject={"bsn": bsn()})
    ggd = world.orgs["ggd-voorbeeld"]
    from zorgtafel.convenant.operations import involve

    case = register(world.police, subject={"bsn": bsn()}).case
    involve(case.id, ggd, "coordinator")
    assert sweeps.parties_left() == 1
    assert sweeps.parties_left() == 0
    [task] = tasks("partij_uitgetreden")
    assert "01-10-2026" in task.reason and task.due_on == date(2026, 10, 8)


def test_failed_delivery_task(app, ctx, world):
    from zorgtafel.notify import delivery_failed
    from zorgtafel.notify.models import Delivery, Notification

    case = register(world.school).case
    n = db.session.scalar(select(Notification).where(Notification.case_reference.is_(None)).limit(1))
    if n is None:
        from zorgtafel.notify.operations import notify

        [n] = notify(None, [world.coordinator.id], "casus_heropend", case_reference=case.reference,
                     link=f"/casussen/{case.reference}")
    delivery = db.session.scalar(select(Delivery).where(Delivery.notification_id == n.id))
    delivery_failed.send(app, delivery=delivery, notification=n)
    delivery_failed.send(app, delivery=delivery, notification=n)
    assert db.session.scalar(select(func.count()).select_from(CoordinatorTask)
                             .where(CoordinatorTask.kind == "bezorging_mislukt")) == 1


def test_convenant_deadlines_change_the_due_date(app, ctx, factory):
    from tests.helpers.convenant import load_reference, reference_text

    text = reference_text().replace("matching:", "deadlines:\n  match: {hoog: 4, midden: 6, laag: 9}\n\nmatching:")
    load_reference(app, text)
    school = factory.user("professional", organisation_key="college-voorbeeld")
    police = factory.user("professional", organisation_key="politie-voorbeeld")
    factory.user("zorgcoordinator", organisation_key="zorgcoordinatie-voorbeeld")
    subject = {"bsn": bsn()}
    with at(date(2026, 12, 7)):  # Monday
        register(school, subject=subject, observed_on=date(2026, 12, 6))
        register(police, subject=subject, urgency="hoog", observed_on=date(2026, 12, 6))
    [task] = tasks("match")
    assert task.due_on == date(2026, 12, 11) and "deadlines.match.hoog=4" in task.rule


def test_failure_notice_goes_to_the_coordinators_of_that_convenant_only(app, ctx, world, factory):
    """Security review L3: a failure notice names a person and a case."""
    from tests.helpers.convenant import load_reference, reference_text
    from zorgtafel.notify.models import Delivery, Notification
    from zorgtafel.notify.operations import give_up, notify

    case = register(world.school).case
    other = reference_text().replace("key: zorgtafel-su-voorbeeldregio", "key: elders").replace(
        "zorgcoordinatie-voorbeeld", "zorgcoordinatie-elders")
    load_reference(app, other)
    elsewhere = factory.user("zorgcoordinator", organisation_key="zorgcoordinatie-elders")
    [n] = notify(None, [world.school.id], "casus_heropend", case_reference=case.reference,
                 link=f"/casussen/{case.reference}")
    delivery = db.session.scalar(select(Delivery).where(Delivery.notification_id == n.id, Delivery.channel == "email"))
    give_up([(delivery, n)])
    told = set(db.session.scalars(select(Notification.recipient_id).where(Notification.kind == "bezorging_mislukt")))
    assert told == {world.coordinator.id, world.coordinator2.id}
    assert elsewhere.id not in told
