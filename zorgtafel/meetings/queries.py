"""Select builders of the meetings room. Every list is filtered in SQL: a meeting by
"participant or may plan meetings under its convenant", an action by the policy's
``visible_clause`` on 'actiepunt'. Agenda items are decided per case by the policy (with
involvement primed in one query), so what a participant may not open shows as restricted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, false, func, or_, select

from zorgtafel.cases.models import Case, Match, Signal
from zorgtafel.cases.queries import case_visible
from zorgtafel.convenant import policy
from zorgtafel.core.models import utcnow
from zorgtafel.core.timeutil import today_local
from zorgtafel.extensions import db
from zorgtafel.meetings.models import (
    OPEN_ACTION_STATUSES, ActionItem, ActionUpdate, AgendaItem, Meeting, Participant,
)

REVIEW_AFTER = timedelta(weeks=6)  # a case in monitoring comes back when not discussed this long
FIRST_MEETING_LOOKBACK = timedelta(days=30)
PROPOSAL_LIMIT = 100
REASONS = {
    "match": "nieuwe match sinds het vorige overleg",
    "signals": "nieuwe signalen sinds het vorige overleg",
    "in_weging": "casus in weging",
    "heropend": "casus heropend",
    "overdue": "actiepunt over de datum",
    "open_actions": "openstaande actiepunten",
    "again": "besloten opnieuw te agenderen",
    "review": "monitoring: al zes weken niet besproken",
}


# -- meetings ----------------------------------------------------------------------------


def planner_keys(actor) -> list[str]:
    """The convenants under which the actor may plan meetings (and so open every one)."""
    return [c.key for c in policy.convenants_of(actor)
            if policy.decide(actor, "plan_meeting", policy.Target(c.key, object_type="meeting")).allowed]


def meeting_visible(actor):
    """SQL: the actor is an (active) participant, or may plan meetings under its convenant."""
    keys = planner_keys(actor)
    participant = exists().where(Participant.meeting_id == Meeting.id, Participant.user_id == actor.id,
                                 Participant.removed_at.is_(None))
    return or_(Meeting.convenant_key.in_(keys), participant) if keys else participant


def meeting_for(actor, meeting_id: int) -> Meeting | None:
    """None for unknown and invisible alike."""
    return db.session.scalar(select(Meeting).where(Meeting.id == meeting_id, meeting_visible(actor)))


def meetings_for(actor, *, upcoming: bool = True, limit: int = 50) -> list[Meeting]:
    boundary = utcnow() - timedelta(hours=12)
    query = select(Meeting).where(meeting_visible(actor))
    if upcoming:
        query = query.where(Meeting.ends_at >= boundary).order_by(Meeting.starts_at, Meeting.id)
    else:
        query = query.where(Meeting.ends_at < boundary).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def participants(meeting: Meeting, include_removed: bool = False) -> list[Participant]:
    query = select(Participant).where(Participant.meeting_id == meeting.id)
    if not include_removed:
        query = query.where(Participant.removed_at.is_(None))
    return list(db.session.scalars(query.order_by(Participant.id)))


def may_plan(actor, meeting: Meeting) -> bool:
    return policy.decide(actor, "plan_meeting", meeting.policy_target()).allowed


def may_write_minutes(actor, meeting: Meeting) -> bool:
    return policy.decide(actor, "write_minutes", meeting.policy_target()).allowed


# -- the agenda as one participant may see it ---------------------------------------------


@dataclass
class ActionRow:
    action: ActionItem
    last_note: str | None = None

    @property
    def overdue(self) -> bool:
        return self.action.is_open and self.action.due_on < today_local()


@dataclass
class AgendaRow:
    item: AgendaItem
    restricted: bool
    reason: str | None = None  # why restricted (the policy's words)
    basis: policy.Basis | None = None
    minutes_visible: bool = False
    actions: list[ActionRow] = field(default_factory=list)

    @property
    def case(self) -> Case:
        return self.item.case


def agenda(actor, meeting: Meeting) -> list[AgendaRow]:
    """The agenda in order; a constant number of statements however long it is."""
    items = list(db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                                    .order_by(AgendaItem.position, AgendaItem.id)))
    policy.prime_involvement(actor.organisation_id, [i.case_id for i in items])
    rows = []
    for item in items:
        seen = policy.decide(actor, "read", item.case.policy_target("signaal"))
        if not seen.allowed:
            rows.append(AgendaRow(item, True, reason=seen.reason))
            continue
        minutes = policy.decide(actor, "read", item.case.policy_target("verslag")).allowed
        rows.append(AgendaRow(item, False, basis=seen.basis, minutes_visible=minutes))
    by_case = open_actions(actor, [r.item.case_id for r in rows if not r.restricted])
    for row in rows:
        row.actions = by_case.get(row.item.case_id, [])
    return rows


def action_visible(actor):
    return policy.visible_clause(actor, "read", "actiepunt", case_id=ActionItem.case_id,
                                 convenant_key=Case.convenant_key)


def _with_last_notes(actions: list[ActionItem]) -> list[ActionRow]:
    if not actions:
        return []
    latest = (select(func.max(ActionUpdate.id)).where(ActionUpdate.action_id.in_([a.id for a in actions]))
              .group_by(ActionUpdate.action_id))
    notes = dict(db.session.execute(select(ActionUpdate.action_id, ActionUpdate.note)
                                    .where(ActionUpdate.id.in_(latest))).all())
    return [ActionRow(a, notes.get(a.id)) for a in actions]


def open_actions(actor, case_ids) -> dict[int, list[ActionRow]]:
    """Open actions per case, with the latest note (why it is still open); two statements."""
    case_ids = set(case_ids)
    if not case_ids:
        return {}
    actions = list(db.session.scalars(
        select(ActionItem).join(Case, Case.id == ActionItem.case_id)
        .where(ActionItem.case_id.in_(case_ids), ActionItem.status.in_(OPEN_ACTION_STATUSES), action_visible(actor))
        .order_by(ActionItem.due_on, ActionItem.id)))
    out: dict[int, list[ActionRow]] = {}
    for row in _with_last_notes(actions):
        out.setdefault(row.action.case_id, []).append(row)
    return out


# -- the proposal ---------------------------------------------------------------------------


@dataclass
class Proposal:
    case: Case
    reasons: list[str]

    @property
    def reason_text(self) -> str:
        return "; ".join(REASONS[r] for r in self.reasons)


def previous_start(meeting: Meeting) -> datetime | None:
    """When the previous overleg under the same convenant began (cancelled ones do not count)."""
    return db.session.scalar(select(Meeting.starts_at).where(
        Meeting.convenant_key == meeting.convenant_key, Meeting.id != meeting.id, Meeting.status != "geannuleerd",
        Meeting.starts_at < meeting.starts_at).order_by(Meeting.starts_at.desc()).limit(1))


def proposals(actor, meeting: Meeting) -> list[Proposal]:
    """Cases the coordinator may want on this agenda, with the reasons, in one statement:
    new matches and new signals since the previous overleg, cases in weging or reopened,
    cases with overdue or open actions, cases the previous overleg decided to bring back,
    and cases in monitoring not discussed for six weeks."""
    previous = previous_start(meeting)
    since = previous or (meeting.starts_at - FIRST_MEETING_LOOKBACK)
    open_action = and_(ActionItem.case_id == Case.id, ActionItem.status.in_(OPEN_ACTION_STATUSES))
    recent_agenda = exists().where(
        AgendaItem.case_id == Case.id, Meeting.id == AgendaItem.meeting_id, Meeting.status != "geannuleerd",
        Meeting.id != meeting.id, Meeting.starts_at > meeting.starts_at - REVIEW_AFTER)
    conditions = {
        "match": exists().where(Match.case_id == Case.id, Match.created_at > since),
        "signals": exists().where(Signal.case_id == Case.id, Signal.created_at > since),
        "in_weging": Case.status == "in_weging",
        "heropend": Case.status == "heropend",
        "overdue": exists().where(open_action, ActionItem.due_on < today_local()),
        "open_actions": exists().where(open_action),
        # the previous overleg decided to bring it back (no previous overleg: no such decision)
        "again": exists().where(AgendaItem.case_id == Case.id, Meeting.id == AgendaItem.meeting_id,
                                Meeting.id != meeting.id, Meeting.status == "gehouden", Meeting.starts_at >= since,
                                AgendaItem.decision == "opnieuw_agenderen") if previous else false(),
        "review": and_(Case.status == "monitoring", Case.status_changed_at < meeting.starts_at - REVIEW_AFTER,
                       ~recent_agenda),
    }
    on_this_agenda = exists().where(AgendaItem.case_id == Case.id, AgendaItem.meeting_id == meeting.id)
    rows = db.session.execute(
        select(Case, *[c.label(k) for k, c in conditions.items()])
        .where(Case.convenant_key == meeting.convenant_key, Case.status.not_in(("afgesloten", "afgeschaald")),
               ~on_this_agenda, case_visible(actor), or_(*conditions.values()))
        .order_by(Case.max_urgency.desc(), Case.last_signal_on.desc().nulls_last(), Case.id)
        .limit(PROPOSAL_LIMIT)
    ).all()
    out = []
    for row in rows:
        reasons = [k for k in conditions if getattr(row, k)]
        if "overdue" in reasons and "open_actions" in reasons:
            reasons.remove("open_actions")
        out.append(Proposal(row[0], reasons))
    return out


# -- actions ----------------------------------------------------------------------------------


def action_for(actor, action_id: int) -> ActionItem | None:
    return db.session.scalar(select(ActionItem).join(Case, Case.id == ActionItem.case_id)
                             .where(ActionItem.id == action_id, action_visible(actor)))


def my_actions(actor, include_closed: bool = False, limit: int = 200) -> list[ActionRow]:
    """The actor's own actions (as far as the convenant still lets them see them)."""
    query = (select(ActionItem).join(Case, Case.id == ActionItem.case_id)
             .where(ActionItem.assignee_id == actor.id, action_visible(actor)))
    if not include_closed:
        query = query.where(ActionItem.status.in_(OPEN_ACTION_STATUSES))
    return _with_last_notes(list(db.session.scalars(query.order_by(ActionItem.due_on, ActionItem.id).limit(limit))))


def overdue_actions(actor, limit: int = 10) -> tuple[list[ActionRow], int]:
    """Open actions past their date, on every case the actor may see the actions of (the
    coordinator's view): the oldest first, and how many there are in all."""
    late = (ActionItem.status.in_(OPEN_ACTION_STATUSES), ActionItem.due_on < today_local(), action_visible(actor))
    rows = list(db.session.scalars(select(ActionItem).join(Case, Case.id == ActionItem.case_id).where(*late)
                                   .order_by(ActionItem.due_on, ActionItem.id).limit(limit)))
    total = db.session.scalar(select(func.count(ActionItem.id)).join(Case, Case.id == ActionItem.case_id)
                              .where(*late)) or 0
    return _with_last_notes(rows), total


def open_count(actor) -> int:
    """The number in the menu: the same rows as "Mijn actiepunten", one count."""
    return db.session.scalar(select(func.count(ActionItem.id)).join(Case, Case.id == ActionItem.case_id).where(
        ActionItem.assignee_id == actor.id, ActionItem.status.in_(OPEN_ACTION_STATUSES), action_visible(actor))) or 0


def history(action: ActionItem) -> list[ActionUpdate]:
    return list(db.session.scalars(select(ActionUpdate).where(ActionUpdate.action_id == action.id)
                                   .order_by(ActionUpdate.at, ActionUpdate.id)))


def case_actions(actor, case: Case) -> list[ActionRow]:
    return _with_last_notes(list(db.session.scalars(
        select(ActionItem).join(Case, Case.id == ActionItem.case_id)
        .where(ActionItem.case_id == case.id, action_visible(actor)).order_by(ActionItem.created_at))))
