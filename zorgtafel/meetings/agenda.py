"""Business rules of the agenda: putting a case on it (which involves every participant's
organisation and moves the case to 'geagendeerd' where the workflow allows), taking it
off, the order and the time per item. The proposal itself is a query (``queries.proposals``)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from zorgtafel.audit.operations import record
from zorgtafel.cases import workflow
from zorgtafel.cases.errors import CaseError
from zorgtafel.cases.models import Case
from zorgtafel.cases.operations import change_status
from zorgtafel.convenant import policy
from zorgtafel.extensions import db
from zorgtafel.meetings.common import (
    active_participants, clean_text, involve_organisations, local_label, release_agenda_involvement, require,
)
from zorgtafel.meetings.errors import MeetingError
from zorgtafel.meetings.events import case_put_on_agenda
from zorgtafel.meetings.models import AgendaItem, Meeting

DEFAULT_ITEM_MINUTES = 15
MAX_ITEMS = 60


@dataclass
class Added:
    item: AgendaItem
    status_changed: bool
    status_note: str  # what happened to the case status, for the coordinator


def _planned(meeting: Meeting) -> None:
    if meeting.status != "gepland":
        raise MeetingError("De agenda van een gehouden of geannuleerd overleg ligt vast.", status=409)


def _check_duration(minutes, field: str = "duration_minutes") -> int | None:
    if minutes in (None, ""):
        return None
    if not isinstance(minutes, int) or not 1 <= minutes <= 480:
        raise MeetingError("Kies een tijd van 1 tot en met 480 minuten.", field=field)
    return minutes


def add_case(actor, meeting: Meeting, case: Case | None, *, reason: str = "",
             duration_minutes: int | None = DEFAULT_ITEM_MINUTES) -> Added:
    decision = require(actor, "plan_meeting", meeting.policy_target(), audit_action="create",
                       object_type="agenda_item")
    _planned(meeting)
    if case is None or case.convenant_key != meeting.convenant_key \
            or not policy.decide(actor, "read", case.policy_target()).allowed:
        raise MeetingError("Deze casus bestaat niet of u heeft er geen inzage in.", field="case")
    reason = clean_text(reason, field="reason", label="de reden", max_length=500)
    duration_minutes = _check_duration(duration_minutes)
    if db.session.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting.id,
                                                     AgendaItem.case_id == case.id)):
        raise MeetingError(f"Casus {case.reference} staat al op de agenda.", field="case", status=409)
    count, last = db.session.execute(select(func.count(AgendaItem.id), func.max(AgendaItem.position))
                                     .where(AgendaItem.meeting_id == meeting.id)).one()
    if count >= MAX_ITEMS:
        raise MeetingError(f"Een agenda heeft hoogstens {MAX_ITEMS} punten.", field="case", status=409)
    item = AgendaItem(meeting_id=meeting.id, case_id=case.id, position=(last or 0) + 1, reason=reason,
                      duration_minutes=duration_minutes, added_by_id=actor.id)
    db.session.add(item)
    db.session.flush()
    # From this moment every participant's organisation is involved (convenant scope).
    involve_organisations(case.id, [p.organisation_id for p in active_participants(meeting)])
    record(actor, "create", outcome="success", case_reference=case.reference, object_type="agenda_item",
           object_id=item.id, basis=decision.basis)
    changed, note = False, f"blijft '{workflow.label(case.status)}'"
    if case.status != "geagendeerd":
        if workflow.allowed(case.status, "geagendeerd"):
            try:
                change_status(actor, case, "geagendeerd",
                              f"Geagendeerd voor het overleg van {local_label(meeting.starts_at)}.")
                changed, note = True, "naar 'geagendeerd'"
            except CaseError as exc:
                note = f"status niet gewijzigd: {exc}"
        else:
            note = f"status blijft '{workflow.label(case.status)}' (geen overgang naar 'geagendeerd')"
    case_put_on_agenda.send(current_app._get_current_object(), item=item, meeting=meeting, case=case, actor=actor)
    return Added(item, changed, note)


def _items(meeting: Meeting) -> list[AgendaItem]:
    return list(db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                                   .order_by(AgendaItem.position, AgendaItem.id)))


def _renumber(items: list[AgendaItem]) -> None:
    for position, item in enumerate(items, start=1):
        item.position = position
    db.session.flush()


def _item_of(meeting: Meeting, item: AgendaItem | None) -> AgendaItem:
    if item is None or item.meeting_id != meeting.id:
        raise MeetingError("Dit agendapunt hoort niet bij dit overleg.", field="item", status=404)
    return item


def remove_item(actor, meeting: Meeting, item: AgendaItem | None) -> None:
    decision = require(actor, "plan_meeting", meeting.policy_target(), audit_action="delete",
                       object_type="agenda_item")
    _planned(meeting)
    item = _item_of(meeting, item)
    case = item.case
    db.session.delete(item)
    db.session.flush()
    _renumber(_items(meeting))
    release_agenda_involvement([case.id], [p.organisation_id for p in active_participants(meeting)])
    record(actor, "delete", outcome="success", case_reference=case.reference, object_type="agenda_item",
           object_id=item.id, basis=decision.basis)


def move_item(actor, meeting: Meeting, item: AgendaItem | None, step: int) -> None:
    """One place up (step -1) or down (+1); at the top or bottom nothing happens."""
    require(actor, "plan_meeting", meeting.policy_target(), audit_action="change", object_type="agenda_item")
    _planned(meeting)
    item = _item_of(meeting, item)
    items = _items(meeting)
    index = next(i for i, it in enumerate(items) if it.id == item.id)
    other = index + (1 if step > 0 else -1)
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    _renumber(items)


def set_duration(actor, meeting: Meeting, item: AgendaItem | None, minutes: int | None) -> None:
    require(actor, "plan_meeting", meeting.policy_target(), audit_action="change", object_type="agenda_item")
    _planned(meeting)
    item = _item_of(meeting, item)
    item.duration_minutes = _check_duration(minutes)
    db.session.flush()


def add_proposals(actor, meeting: Meeting, case_ids: list[int]) -> list[Added]:
    """Take over proposals the coordinator ticked: each with its reasons, as the proposal
    (a query, so a stale form cannot add a case that is no longer proposed) gives them."""
    from zorgtafel.meetings.queries import proposals

    wanted = set(case_ids)
    if not wanted:
        raise MeetingError("Kies minstens één voorgestelde casus.", field="cases")
    added = []
    for proposal in proposals(actor, meeting):
        if proposal.case.id in wanted:
            added.append(add_case(actor, meeting, proposal.case, reason=proposal.reason_text))
    return added
