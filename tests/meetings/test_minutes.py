"""Conducting and minutes: attendance, decisions and text per item, the draft for review,
approval that applies the decisions through the workflow (skipped ones reported), the
timeline, and the reminder when the minutes are not approved in time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
import time_machine

from tests.helpers.people import actor
from tests.meetings.conftest import count, listening, local, plain_case, plan
from zorgtafel.cases.operations import change_status
from zorgtafel.cases.queries import timeline
from zorgtafel.core.workdays import at_local
from zorgtafel.extensions import db
from zorgtafel.meetings import agenda, events, minutes, operations, queries, reminders
from zorgtafel.meetings.errors import MeetingError
from zorgtafel.meetings.minutes import ItemMinutes


def to_status(coordinator, case, *statuses):
    for status in statuses:
        change_status(coordinator, case, status, "voorbereiding")
    return case


@pytest.fixture
def held(ctx, world):
    """An overleg with five cases, each heading for a different decision."""
    coordinator = actor(world.coordinator)
    cases = {
        "plan_van_aanpak": to_status(coordinator, plain_case(world.school, world.police), "in_weging"),
        "afsluiten": to_status(coordinator, plain_case(world.police), "in_weging"),
        "monitoren": to_status(coordinator, plain_case(world.police), "in_weging", "geagendeerd", "plan_van_aanpak",
                               "monitoring"),
        "opnieuw_agenderen": plain_case(world.ggz),
        "doorverwijzen": to_status(coordinator, plain_case(world.ggz), "in_weging"),
    }
    meeting = plan(world, participants=[world.police, world.ggz])
    items = {decision: agenda.add_case(coordinator, meeting, case).item for decision, case in cases.items()}
    return meeting, cases, items


def test_minutes_flow_applies_decisions_through_the_workflow(held, world):
    meeting, cases, items = held
    coordinator = actor(world.coordinator)
    assert cases["monitoren"].status == "geagendeerd"  # monitoring → geagendeerd when put on the agenda
    people = {p.user_id: p for p in queries.participants(meeting)}
    minutes.set_attendance(coordinator, meeting, {people[world.police.id].id: "aanwezig",
                                                  people[world.ggz.id].id: "afgemeld"})
    minutes.record_minutes(coordinator, meeting, [
        ItemMinutes(item, decision, f"toelichting {decision}", f"besproken: {decision}")
        for decision, item in items.items()])
    assert minutes.submit_draft(coordinator, meeting) is True
    assert meeting.status == "gehouden" and meeting.minutes_status == "concept"
    assert count("verslag_ter_inzage", world.police) == 1 and count("verslag_ter_inzage", world.coordinator) == 0
    assert minutes.submit_draft(coordinator, meeting) is False  # saved again: nobody notified twice
    assert count("verslag_ter_inzage") == 2

    with listening(events.minutes_approved) as approved:
        results = {r.decision: r for r in minutes.approve(coordinator, meeting)}
    assert len(approved) == 1 and len(approved[0]["results"]) == 5
    assert results["plan_van_aanpak"].applied and cases["plan_van_aanpak"].status == "plan_van_aanpak"
    assert results["afsluiten"].applied and cases["afsluiten"].status == "afgesloten"
    # The transition table has no geagendeerd → monitoring: skipped, and said so.
    assert not results["monitoren"].applied and cases["monitoren"].status == "geagendeerd"
    assert "kan een casus niet naar 'monitoring'" in results["monitoren"].message
    assert not results["opnieuw_agenderen"].applied and cases["opnieuw_agenderen"].status == "aangemeld"
    assert not results["doorverwijzen"].applied and "blijft 'geagendeerd'" in results["doorverwijzen"].message
    assert items["monitoren"].status_result == results["monitoren"].message
    assert meeting.minutes_status == "goedgekeurd" and meeting.minutes_approved_by_id == world.coordinator.id
    assert meeting.minutes_remind_at is None
    assert count("verslag_vastgesteld", world.ggz) == 1
    assert people[world.ggz.id].attendance == "afgemeld"

    with pytest.raises(MeetingError) as locked:
        minutes.record_minutes(coordinator, meeting, [ItemMinutes(items["afsluiten"], "monitoren")])
    assert locked.value.status == 409
    with pytest.raises(MeetingError) as again:
        minutes.approve(coordinator, meeting)
    assert again.value.status == 409


def test_approval_needs_a_draft_and_the_right(held, world):
    meeting, _, items = held
    with pytest.raises(MeetingError) as no_draft:
        minutes.approve(actor(world.coordinator), meeting)
    assert no_draft.value.status == 409
    with pytest.raises(MeetingError) as refused:
        minutes.record_minutes(actor(world.police), meeting, [ItemMinutes(items["afsluiten"], "afsluiten")])
    assert refused.value.status == 403
    with pytest.raises(MeetingError) as unknown:
        minutes.record_minutes(actor(world.coordinator), meeting, [ItemMinutes(items["afsluiten"], "wegzetten")])
    assert f"decision-{items['afsluiten'].id}" in unknown.value.fields


def test_decisions_appear_in_the_timeline_once_approved(held, world):
    meeting, cases, items = held
    coordinator = actor(world.coordinator)
    minutes.record_minutes(coordinator, meeting, [ItemMinutes(items["plan_van_aanpak"], "plan_van_aanpak",
                                                              "regie bij Veilig Thuis", "uitgebreid besproken")])
    minutes.submit_draft(coordinator, meeting)
    case = cases["plan_van_aanpak"]
    school = actor(world.school)  # involved through its own signal, not a participant
    assert [e.kind for e in timeline(school, case) if e.kind == "decision"] == []  # a draft is not history yet
    minutes.approve(coordinator, meeting)
    decision = next(e for e in timeline(school, case) if e.kind == "decision")
    assert decision.data_category == "verslag" and decision.basis.article == "5.2"
    assert "Plan van aanpak — regie bij Veilig Thuis" in decision.detail["text"]
    assert any(e.kind == "agenda" for e in timeline(school, case))


def test_what_may_not_be_read_is_restricted_in_the_timeline(held, world, monkeypatch):
    from zorgtafel.meetings import timeline as source

    meeting, cases, items = held
    coordinator = actor(world.coordinator)
    minutes.record_minutes(coordinator, meeting, [ItemMinutes(items["afsluiten"], "afsluiten", "geheim besluit")])
    minutes.submit_draft(coordinator, meeting)
    minutes.approve(coordinator, meeting)
    real = source.policy.decide

    def no_minutes(actor_, action, target=None):
        if action == "read" and getattr(target, "category", None) == "verslag":
            return source.policy.Decision(False, None, "Geen inzage in verslagen.")
        return real(actor_, action, target)

    monkeypatch.setattr(source.policy, "decide", no_minutes)
    entries = [e for e in source.entries(actor(world.police), cases["afsluiten"]) if e.kind in ("agenda", "decision")]
    assert entries and all(e.restricted and e.reason == "Geen inzage in verslagen." for e in entries)
    assert all("geheim" not in str(e.detail) for e in entries)


def test_minutes_reminder_once_three_working_days_after(ctx, world):
    """A meeting on Tuesday 22 December 2026: three working days later is Monday the 28th
    (Christmas and the weekend do not count); at 17:00 the organiser is reminded, once."""
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=timezone.utc), tick=False):
        meeting = operations.plan_meeting(actor(world.coordinator), title="Kerstoverleg",
                                          starts_at=local(date(2026, 12, 22), 10),
                                          ends_at=local(date(2026, 12, 22), 11), location="Stadhuis")
        approved = plan(world, days=20)
    due = at_local(date(2026, 12, 28), time(17))
    assert meeting.minutes_remind_at == due
    with listening(events.minutes_overdue) as overdue:
        approved.minutes_status = "goedgekeurd"  # approved in time: never reminded
        approved.minutes_remind_at = due
        db.session.flush()
        assert reminders.sweep_minutes_reminders(now=due - timedelta(minutes=1)) == 0
        assert reminders.sweep_minutes_reminders(now=due) == 1
        assert reminders.sweep_minutes_reminders(now=due) == 0
    assert [o["meeting"].id for o in overdue] == [meeting.id]
    assert count("verslag_vaststellen", world.coordinator) == 1
    assert meeting.minutes_reminded_at == due and meeting.minutes_remind_at is None
