"""Business rules of the actiepunten: assigning one (from the minutes, the case page or the
API; action ``assign_action``), and changing it — by the assignee or a coordinator, each
change with a note in the history. The assignee's organisation becomes involved in the
case. Reminder moments are stored on the row (``arm``) and swept by beat (``reminders``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import current_app

from zorgtafel.audit.operations import record
from zorgtafel.auth.models import User
from zorgtafel.cases.models import Case
from zorgtafel.convenant import policy
from zorgtafel.convenant.operations import involve
from zorgtafel.core.models import utcnow
from zorgtafel.core.timeutil import today_local
from zorgtafel.core.workdays import add_working_days, at_local
from zorgtafel.extensions import db
from zorgtafel.meetings import notifications as kinds
from zorgtafel.meetings.common import clean_text, deadlines, lock, party_on, require
from zorgtafel.meetings.errors import MeetingError
from zorgtafel.meetings.events import action_assigned, action_closed
from zorgtafel.meetings.models import (
    ACTION_STATUS_LABELS, ACTION_STATUSES, OPEN_ACTION_STATUSES, ActionItem, ActionUpdate, AgendaItem, Meeting,
)
from zorgtafel.notify.operations import notify

REMINDER_TIME = time(8, 0)  # reminders and escalations go out at 08:00 Amsterdam time
MAX_DUE = timedelta(days=730)
#: from → the statuses an action may go to; the same status again is a progress note
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"in_behandeling", "afgerond", "vervallen"}),
    "in_behandeling": frozenset({"open", "afgerond", "vervallen"}),
    "afgerond": frozenset({"open"}),
    "vervallen": frozenset({"open"}),
}


def link(action: ActionItem) -> str:
    return f"/actiepunten/{action.id}"


def _check_due(due_on, field: str = "due_on") -> date:
    if not isinstance(due_on, date) or isinstance(due_on, datetime):
        raise MeetingError("Vul een datum in (JJJJ-MM-DD).", field=field)
    if due_on < today_local():
        raise MeetingError("De datum ligt in het verleden.", field=field)
    if due_on > today_local() + MAX_DUE:
        raise MeetingError("De datum ligt meer dan twee jaar vooruit.", field=field)
    return due_on


def _check_assignee(case: Case, assignee: User | None, field: str = "assignee") -> User:
    if assignee is None or not assignee.active:
        raise MeetingError("Onbekende of niet-actieve gebruiker.", field=field)
    if not party_on(case.convenant_key, assignee.organisation_id):
        raise MeetingError("Deze gebruiker werkt niet voor een partij bij het convenant.", field=field)
    return assignee


def _note(note: str, required: bool = True) -> str:
    return clean_text(note, field="note", label="een toelichting", max_length=2000, required=required, min_length=3)


def arm(action: ActionItem, now: datetime | None = None) -> None:
    """(Re)compute the reminder moments from the due date and the convenant's deadlines,
    forgetting what was sent for an earlier due date. A reminder whose moment has
    already passed is not needed; the escalation always stays."""
    now = now or utcnow()
    rules = deadlines(action.case.convenant_key)
    due = action.due_on
    remind = at_local(add_working_days(due, -rules.action_reminder_before), REMINDER_TIME) \
        if rules.action_reminder_before > 0 else None
    on_the_day = at_local(due, REMINDER_TIME)
    after = rules.action_escalation_after
    escalate = at_local(add_working_days(due, after) if after else due + timedelta(days=1),
                        REMINDER_TIME if after else time(0, 0))
    action.remind_at = remind if remind is not None and remind > now else None
    action.due_remind_at = on_the_day if on_the_day > now else None
    action.escalate_at = escalate
    action.remind_sent_at = action.due_remind_sent_at = action.escalated_at = None
    refresh_next(action)


def refresh_next(action: ActionItem) -> None:
    """The earliest moment still to send, or None (closed, or everything sent)."""
    if action.status not in OPEN_ACTION_STATUSES:
        action.next_reminder_at = None
        return
    pending = [at for at, sent in ((action.remind_at, action.remind_sent_at),
                                   (action.due_remind_at, action.due_remind_sent_at),
                                   (action.escalate_at, action.escalated_at)) if at is not None and sent is None]
    action.next_reminder_at = min(pending) if pending else None


def create_action(actor, case: Case, *, title: str, assignee: User | None, due_on, note: str = "",
                  meeting: Meeting | None = None, agenda_item: AgendaItem | None = None) -> ActionItem:
    decision = require(actor, "assign_action", case.policy_target("actiepunt"), audit_action="create",
                       object_type="action_item", case_reference=case.reference)
    fields = {}
    for name, check in (("title", lambda: clean_text(title, field="title", label="wat er moet gebeuren",
                                                    max_length=300, required=True, min_length=3)),
                        ("assignee", lambda: _check_assignee(case, assignee)),
                        ("due_on", lambda: _check_due(due_on))):
        try:
            check()
        except MeetingError as exc:
            fields[name] = str(exc)
    if fields:
        first = next(iter(fields))
        raise MeetingError(fields[first], field=first, fields=fields)
    if agenda_item is not None and (agenda_item.case_id != case.id
                                    or (meeting and agenda_item.meeting_id != meeting.id)):
        raise MeetingError("Dit agendapunt hoort niet bij deze casus.", field="item")
    action = ActionItem(case_id=case.id, case=case, meeting_id=meeting.id if meeting else None,
                        agenda_item_id=agenda_item.id if agenda_item else None, title=title.strip(),
                        assignee_id=assignee.id, assignee=assignee, assignee_organisation_id=assignee.organisation_id,
                        due_on=due_on, status="open", created_by_id=actor.id, created_at=utcnow())
    db.session.add(action)
    db.session.flush()
    arm(action)
    note = _note(note, required=False) or ("Afgesproken in het overleg." if meeting else "Actiepunt toegewezen.")
    db.session.add(ActionUpdate(action_id=action.id, actor_id=actor.id, at=utcnow(), from_status=None,
                                to_status="open", note=note, due_on=due_on, assignee_id=assignee.id))
    involve(case.id, assignee.organisation_id, "action")
    db.session.flush()
    record(actor, "create", outcome="success", case_reference=case.reference, object_type="action_item",
           object_id=action.id, basis=decision.basis)
    notify(actor, [assignee.id], kinds.ACTION_ASSIGNED, case_reference=case.reference, link=link(action))
    action_assigned.send(current_app._get_current_object(), action=action, actor=actor)
    return action


def may_coordinate(actor, action: ActionItem) -> bool:
    return policy.decide(actor, "assign_action", action.policy_target()).allowed


def update_action(actor, action: ActionItem, *, note: str, status: str | None = None, due_on=None,
                  assignee: User | None = None) -> ActionUpdate:
    """A status change, a new due date or assignee (coordinator only), or — the same
    status, nothing else — a progress note: why it is still open. Always with a note."""
    coordinator = may_coordinate(actor, action)
    lock(action)  # the assignee and a coordinator at once: one after the other
    if not coordinator and action.assignee_id != actor.id:
        record(actor, "change", outcome="denied", case_reference=action.case.reference, object_type="action_item",
               object_id=action.id, reason="niet de uitvoerder en geen recht om actiepunten toe te wijzen")
        raise MeetingError("Alleen wie het actiepunt uitvoert of een zorgcoördinator kan het bijwerken.", status=403)
    if (due_on is not None or assignee is not None) and not coordinator:
        raise MeetingError("Alleen een zorgcoördinator wijzigt de datum of de uitvoerder.", status=403)
    status = status or action.status
    if status not in ACTION_STATUSES:
        raise MeetingError("Kies open, in behandeling, afgerond of vervallen.", field="status")
    note = _note(note)
    if status != action.status and status not in TRANSITIONS[action.status]:
        raise MeetingError(f"Een actiepunt dat {ACTION_STATUS_LABELS[action.status]} is, kan niet naar "
                           f"'{ACTION_STATUS_LABELS[status]}'.", field="status", status=409)
    new_due = _check_due(due_on) if due_on is not None and due_on != action.due_on else None
    new_assignee = None
    if assignee is not None and assignee.id != action.assignee_id:
        new_assignee = _check_assignee(action.case, assignee)
    old = action.status
    reopening = status in OPEN_ACTION_STATUSES and old not in OPEN_ACTION_STATUSES
    if reopening and new_due is None and action.due_on < today_local():
        raise MeetingError("Geef bij heropenen een nieuwe datum; de oude ligt in het verleden.", field="due_on")
    update = ActionUpdate(action_id=action.id, actor_id=actor.id, at=utcnow(), from_status=old, to_status=status,
                          note=note, due_on=new_due, assignee_id=new_assignee.id if new_assignee else None)
    db.session.add(update)
    action.status = status
    if new_assignee is not None:
        action.assignee_id, action.assignee = new_assignee.id, new_assignee
        action.assignee_organisation_id = new_assignee.organisation_id
        involve(action.case_id, new_assignee.organisation_id, "action")
    if new_due is not None:
        action.due_on = new_due
    if status in OPEN_ACTION_STATUSES:
        action.closed_at = None
        if new_due is not None or reopening:
            arm(action)  # a new due date (or a reopened action) re-arms every reminder
        else:
            refresh_next(action)
    else:
        action.closed_at = action.closed_at if old == status else utcnow()
        refresh_next(action)
    db.session.flush()
    record(actor, "change", outcome="success", case_reference=action.case.reference, object_type="action_item",
           object_id=action.id, basis=policy.decide(actor, "read", action.policy_target()).basis)
    if new_assignee is not None:
        notify(actor, [new_assignee.id], kinds.ACTION_ASSIGNED, case_reference=action.case.reference,
               link=link(action))
    if status != old and status not in OPEN_ACTION_STATUSES:
        action_closed.send(current_app._get_current_object(), action=action, actor=actor)
    return update
