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
from zorgtafel.core.web import N_
from zorgtafel.extensions import db
from zorgtafel.meetings.common import local_label
from zorgtafel.meetings.models import ACTION_STATUS_LABELS, DECISIONS, ActionItem, AgendaItem, Meeting


class Sentence(str):
    """A timeline text: the Dutch sentence as a plain string (what the API, the art. 15
    export and the Dutch page show), which also knows its msgid and values, so a page in
    another language shows ``translated()``. Values named in ``labels`` are Dutch labels
    themselves (a decision, a status) and are translated too."""

    msgid: str
    values: dict
    labels: frozenset

    def __new__(cls, msgid: str, labels: tuple[str, ...] = (), **values):
        text = super().__new__(cls, msgid % values if values else msgid)
        text.msgid, text.values, text.labels = msgid, values, frozenset(labels)
        return text

    def translated(self) -> str:
        from flask_babel import gettext

        values = {k: gettext(v) if k in self.labels else v for k, v in self.values.items()}
        return gettext(self.msgid, **values) if values else gettext(self.msgid)


RESTRICTED = {
    "agenda": N_("Besproken in een overleg — geen inzage op grond van het convenant."),
    "decision": N_("Besluit van een overleg — geen inzage op grond van het convenant."),
    "action": N_("Actiepunt — geen inzage op grond van het convenant."),
}
NO_DECISION = N_("geen besluit")


def _restricted(kind: str, at, decision) -> Entry:
    return Entry(kind, at, None, restricted=True, reason=decision.reason, detail={"text": Sentence(RESTRICTED[kind])})


def _on_agenda(meeting: Meeting, item: AgendaItem) -> Sentence:
    when = local_label(meeting.starts_at)
    if item.reason:
        return Sentence(N_("Op de agenda van het overleg van %(when)s (%(reason)s)."), when=when, reason=item.reason)
    return Sentence(N_("Op de agenda van het overleg van %(when)s."), when=when)


def _decided(item: AgendaItem) -> Sentence:
    label = DECISIONS[item.decision][0] if item.decision else NO_DECISION
    if item.decision_note:
        return Sentence(N_("Besluit van het overleg: %(decision)s — %(note)s"), ("decision",),
                        decision=label, note=item.decision_note)
    return Sentence(N_("Besluit van het overleg: %(decision)s"), ("decision",), decision=label)


def _action(action: ActionItem) -> Sentence:
    return Sentence(N_("Actiepunt: %(title)s — %(status)s, uiterlijk %(due)s."), ("status",), title=action.title,
                    status=ACTION_STATUS_LABELS[action.status], due=action.due_on.strftime("%d-%m-%Y"))


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
                             detail={"text": _on_agenda(meeting, item), "meeting_id": meeting.id,
                                     "reason": item.reason}))
        if meeting.minutes_status != "goedgekeurd" or not (item.decision or item.minutes_text):
            continue
        if not minutes.allowed:
            out.append(_restricted("decision", meeting.minutes_approved_at, minutes))
            continue
        out.append(Entry("decision", meeting.minutes_approved_at, None, data_category="verslag", basis=minutes.basis,
                         detail={"text": _decided(item), "meeting_id": meeting.id, "decision": item.decision,
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
        out.append(Entry("action", action.created_at, orgs.get(action.assignee_organisation_id),
                         data_category="actiepunt", basis=actions.basis,
                         detail={"text": _action(action), "id": action.id, "title": action.title, "status": action.status,
                                 "due_on": action.due_on}))
    return out
