"""Conducting the overleg and its minutes: attendance, per agenda item a decision, a note
and the minutes text (data category 'verslag'); the draft goes to the participants to
review, the coordinator approves and distributes it, and approval applies the decisions
to the case status through the workflow (only allowed transitions; the rest reported)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from zorgtafel.audit.operations import record
from zorgtafel.cases import workflow
from zorgtafel.cases.errors import CaseError
from zorgtafel.cases.operations import change_status
from zorgtafel.core.models import utcnow
from zorgtafel.extensions import db
from zorgtafel.meetings import notifications as kinds
from zorgtafel.meetings.common import active_participants, clean_text, local_label, lock, require
from zorgtafel.meetings.errors import MeetingError
from zorgtafel.meetings.events import minutes_approved
from zorgtafel.meetings.models import ATTENDANCE, DECISIONS, AgendaItem, Meeting, Participant
from zorgtafel.notify.operations import notify

MAX_MINUTES_TEXT = 10_000


@dataclass
class ItemMinutes:
    item: AgendaItem
    decision: str | None
    decision_note: str = ""
    text: str = ""


@dataclass
class StatusResult:
    reference: str
    decision: str
    from_status: str
    to_status: str | None  # None: the status stayed
    applied: bool
    message: str


def _writable(actor, meeting: Meeting):
    decision = require(actor, "write_minutes", meeting.policy_target(), audit_action="change",
                       object_type="meeting_minutes", object_id=meeting.id)
    # One writer of a meeting's minutes at a time: two coordinators approving at once
    # would otherwise both apply the decisions.
    lock(meeting)
    if meeting.status == "geannuleerd":
        raise MeetingError("Van een geannuleerd overleg wordt geen verslag gemaakt.", status=409)
    if meeting.minutes_status == "goedgekeurd":
        raise MeetingError("Het verslag is al vastgesteld en kan niet meer worden gewijzigd.", status=409)
    return decision


def set_attendance(actor, meeting: Meeting, attendance: dict[int, str]) -> None:
    """Present or apologies per participant (participant id → onbekend/aanwezig/afgemeld)."""
    _writable(actor, meeting)
    rows = {p.id: p for p in active_participants(meeting)}
    for participant_id, value in attendance.items():
        if participant_id not in rows:
            raise MeetingError("Deze persoon staat niet op de deelnemerslijst.", field=f"attendance-{participant_id}")
        if value not in ATTENDANCE:
            raise MeetingError("Kies onbekend, aanwezig of afgemeld.", field=f"attendance-{participant_id}")
        rows[participant_id].attendance = value
    db.session.flush()


def record_minutes(actor, meeting: Meeting, entries: list[ItemMinutes]) -> None:
    """Write the minutes of the items given (others stay as they are). The minutes stay
    a draft until ``submit_draft``."""
    decision = _writable(actor, meeting)
    fields = {}
    for entry in entries:
        key = f"item-{entry.item.id}"
        if entry.item.meeting_id != meeting.id:
            raise MeetingError("Dit agendapunt hoort niet bij dit overleg.", field=key)
        if entry.decision not in (None, "", *DECISIONS):
            fields[f"decision-{entry.item.id}"] = "Kies een besluit uit de lijst."
        for name, value in (("note", entry.decision_note), ("text", entry.text)):
            if len(value or "") > MAX_MINUTES_TEXT:
                fields[f"{name}-{entry.item.id}"] = f"Te lang (maximaal {MAX_MINUTES_TEXT} tekens)."
    if fields:
        first = next(iter(fields))
        raise MeetingError(fields[first], field=first, fields=fields)
    for entry in entries:
        item = entry.item
        item.decision = entry.decision or None
        item.decision_note = (entry.decision_note or "").strip() or None
        item.minutes_text = (entry.text or "").strip() or None
        record(actor, "change", outcome="success", case_reference=item.case.reference, object_type="agenda_item",
               object_id=item.id, basis=decision.basis, reason="verslag")
    db.session.flush()


def submit_draft(actor, meeting: Meeting) -> bool:
    """The minutes as a draft, for the participants to review. The first draft marks the
    meeting held and notifies the participants; later saves notify nobody again.
    Returns whether the participants were notified."""
    decision = _writable(actor, meeting)
    first = meeting.minutes_status is None
    meeting.minutes_status = "concept"
    meeting.status = "gehouden"
    db.session.flush()
    if first:
        record(actor, "create", outcome="success", object_type="meeting_minutes", object_id=meeting.id,
               basis=decision.basis, reason="concept")
        others = [p.user_id for p in active_participants(meeting) if p.user_id != actor.id]
        notify(actor, others, kinds.MINUTES_TO_REVIEW, link=f"/overleg/{meeting.id}")
    return first


def approve(actor, meeting: Meeting, note: str = "") -> list[StatusResult]:
    """Approve and distribute the minutes; apply each decision to its case where the
    transition table allows, and report the ones it does not."""
    decision = _writable(actor, meeting)
    note = clean_text(note, field="note", label="de toelichting", max_length=1000)
    if meeting.minutes_status != "concept":
        raise MeetingError("Leg eerst een concept van het verslag vast; dat gaat ter inzage naar de deelnemers.",
                           status=409)
    items = list(db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                                    .order_by(AgendaItem.position)))
    results = [_apply(actor, meeting, item) for item in items if item.decision]
    meeting.minutes_status = "goedgekeurd"
    meeting.minutes_approved_by_id = actor.id
    meeting.minutes_approved_at = utcnow()
    meeting.minutes_remind_at = None
    meeting.status = "gehouden"
    db.session.flush()
    record(actor, "change", outcome="success", object_type="meeting_minutes", object_id=meeting.id,
           basis=decision.basis, reason=("vastgesteld" + (f": {note}" if note else "")))
    others = [p.user_id for p in active_participants(meeting) if p.user_id != actor.id]
    notify(actor, others, kinds.MINUTES_APPROVED, link=f"/overleg/{meeting.id}")
    minutes_approved.send(current_app._get_current_object(), meeting=meeting, actor=actor, results=results)
    return results


def _apply(actor, meeting: Meeting, item: AgendaItem) -> StatusResult:
    case = item.case
    label, target = DECISIONS[item.decision]
    current = case.status
    if target is None:
        result = StatusResult(case.reference, item.decision, current, None, False,
                              f"{label}: de status blijft '{workflow.label(current)}'.")
    elif target == current:
        result = StatusResult(case.reference, item.decision, current, target, False,
                              f"{label}: de casus staat al op '{workflow.label(current)}'.")
    elif not workflow.allowed(current, target):
        result = StatusResult(case.reference, item.decision, current, target, False,
                              f"{label}: van '{workflow.label(current)}' kan een casus niet naar "
                              f"'{workflow.label(target)}'; de status is niet gewijzigd.")
    else:
        try:
            change_status(actor, case, target,
                          f"Besluit van het overleg van {local_label(meeting.starts_at)}: {label}.")
            result = StatusResult(case.reference, item.decision, current, target, True,
                                  f"{label}: van '{workflow.label(current)}' naar '{workflow.label(target)}'.")
        except CaseError as exc:
            result = StatusResult(case.reference, item.decision, current, target, False, f"{label}: {exc}")
    item.status_result = result.message
    return result


def participant_of(meeting: Meeting, participant_id: int) -> Participant | None:
    p = db.session.get(Participant, participant_id)
    return p if p is not None and p.meeting_id == meeting.id and p.removed_at is None else None
