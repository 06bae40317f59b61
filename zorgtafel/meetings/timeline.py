"""The meetings room's entries in a case's timeline (registered in
``cases.queries.TIMELINE_SOURCES``): the overleg the case was on, the decisions of
approved minutes ('verslag') and the actions ('actiepunt'). Each is decided by the policy;
what the actor may not read shows as a restricted entry without content."""

from __future__ import annotations

from sqlalchemy import select

from zorgtafel.auth.models import Organisation
from zorgtafel.cases.models import Case
from zorgtafel.cases.queries import Entry
from zorgtafel.convenant import policy
from zorgtafel.extensions import db
from zorgtafel.meetings.common import local_label
from zorgtafel.meetings.models import ACTION_STATUS_LABELS, DECISIONS, ActionItem, AgendaItem, Meeting

RESTRICTED = {
    "agenda": "Besproken in een overleg — geen inzage op grond van het convenant.",
    "decision": "Besluit van een overleg — geen inzage op grond van het convenant.",
    "action": "Actiepunt — geen inzage op grond van het convenant.",
}


def _restricted(kind: str, at, decision) -> Entry:
    return Entry(kind, at, None, restricted=True, reason=decision.reason, detail={"text": RESTRICTED[kind]})


def entries(actor, case: Case) -> list[Entry]:
    if not policy.decide(actor, "read", case.policy_target("signaal")).allowed:
        return []  # the case page itself is closed to this actor
    minutes = policy.decide(actor, "read", case.policy_target("verslag"))
    actions = policy.decide(actor, "read", case.policy_target("actiepunt"))
    out: list[Entry] = []
    rows = db.session.execute(select(AgendaItem, Meeting).join(Meeting, Meeting.id == AgendaItem.meeting_id)
                              .where(AgendaItem.case_id == case.id, Meeting.status != "geannuleerd")
                              .order_by(Meeting.starts_at)).all()
    for item, meeting in rows:
        if not minutes.allowed:
            out.append(_restricted("agenda", meeting.starts_at, minutes))
        else:
            out.append(Entry("agenda", meeting.starts_at, None, data_category="verslag", basis=minutes.basis,
                             detail={"text": f"Op de agenda van het overleg van {local_label(meeting.starts_at)}"
                                             + (f" ({item.reason})" if item.reason else "") + ".",
                                     "meeting_id": meeting.id, "reason": item.reason}))
        if meeting.minutes_status != "goedgekeurd" or not (item.decision or item.minutes_text):
            continue
        if not minutes.allowed:
            out.append(_restricted("decision", meeting.minutes_approved_at, minutes))
            continue
        label = DECISIONS[item.decision][0] if item.decision else "geen besluit"
        text = f"Besluit van het overleg: {label}" + (f" — {item.decision_note}" if item.decision_note else "")
        out.append(Entry("decision", meeting.minutes_approved_at, None, data_category="verslag", basis=minutes.basis,
                         detail={"text": text, "meeting_id": meeting.id, "decision": item.decision,
                                 "decision_note": item.decision_note, "minutes": item.minutes_text,
                                 "status_result": item.status_result}))
    orgs = None
    for action in db.session.scalars(select(ActionItem).where(ActionItem.case_id == case.id)
                                     .order_by(ActionItem.created_at)):
        if not actions.allowed:
            out.append(_restricted("action", action.created_at, actions))
            continue
        if orgs is None:
            orgs = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
        status = ACTION_STATUS_LABELS[action.status]
        out.append(Entry("action", action.created_at, orgs.get(action.assignee_organisation_id),
                         data_category="actiepunt", basis=actions.basis,
                         detail={"text": f"Actiepunt: {action.title} — {status}, uiterlijk "
                                         f"{action.due_on.strftime('%d-%m-%Y')}.",
                                 "id": action.id, "title": action.title, "status": action.status,
                                 "due_on": action.due_on}))
    return out
