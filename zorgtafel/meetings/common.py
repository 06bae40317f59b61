"""Helpers shared by the meetings operations: the policy check with its audit entry, the
convenant's deadlines, party membership of users, and involvement through the agenda."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, select

from zorgtafel.audit.operations import record
from zorgtafel.auth.models import User
from zorgtafel.convenant import policy
from zorgtafel.convenant.models import Convenant, Involvement
from zorgtafel.convenant.operations import involve
from zorgtafel.convenant.schema import Deadlines
from zorgtafel.core.timeutil import to_local, today_local
from zorgtafel.extensions import db
from zorgtafel.meetings.errors import MeetingError
from zorgtafel.meetings.models import AgendaItem, Meeting, Participant


def require(actor, action: str, target, *, audit_action: str, object_type: str, object_id=None,
            case_reference: str | None = None) -> policy.Decision:
    """The policy's answer, or a 403 MeetingError after an audit entry of the refusal."""
    decision = policy.decide(actor, action, target)
    if not decision.allowed:
        record(actor, audit_action, outcome="denied", case_reference=case_reference, object_type=object_type,
               object_id=object_id, reason=decision.reason)
        raise MeetingError(decision.reason or "Het convenant staat dit niet toe.", status=403)
    return decision


def lock(row) -> None:
    """Lock a row for the rest of the transaction and read it afresh (a concurrent writer
    waits here and then sees what the first one did)."""
    model = type(row)
    db.session.execute(select(model.id).where(model.id == row.id).with_for_update())
    db.session.refresh(row)


def deadlines(convenant_key: str) -> Deadlines:
    """The convenant's deadlines in working days (defaults where the file names none)."""
    conv = policy.in_force().get(convenant_key)
    if conv is None:
        return Deadlines()
    row = db.session.get(Convenant, conv.id)
    return Deadlines.model_validate(row.deadlines or {})


def party_on(convenant_key: str, organisation_id: int, *days: date) -> bool:
    """The organisation is a party to the convenant on each of ``days`` (and today)."""
    conv = policy.in_force().get(convenant_key)
    if conv is None:
        return False
    return all(conv.party_kind(organisation_id, day) is not None for day in (today_local(), *days))


def check_participant(convenant_key: str, user: User | None, meeting_day: date, field: str) -> User:
    if user is None or not user.active:
        raise MeetingError("Onbekende of niet-actieve gebruiker.", field=field)
    if not party_on(convenant_key, user.organisation_id, meeting_day):
        raise MeetingError("Deze gebruiker werkt niet voor een partij bij het convenant (op de dag van het overleg).",
                           field=field)
    return user


def party_users(convenant_key: str) -> list[User]:
    """Active users of organisations that are a party to the convenant today: the people
    who may be invited or given an action. One query."""
    conv = policy.in_force().get(convenant_key)
    if conv is None:
        return []
    day = today_local()
    orgs = [org for org, _kind, joined, left in conv.parties if joined <= day and (left is None or day < left)]
    return list(db.session.scalars(select(User).where(User.organisation_id.in_(orgs), User.active.is_(True))
                                   .order_by(User.organisation_id, User.name)))


def active_participants(meeting: Meeting) -> list[Participant]:
    return list(db.session.scalars(select(Participant).where(Participant.meeting_id == meeting.id,
                                                             Participant.removed_at.is_(None))
                                   .order_by(Participant.id)))


def involve_organisations(case_id: int, organisation_ids) -> None:
    for org_id in sorted(set(organisation_ids)):
        involve(case_id, org_id, "agenda")


def release_agenda_involvement(case_ids, organisation_ids) -> None:
    """Take back 'agenda' involvement that no longer has a reason: no agenda item of the
    case in a meeting that is not cancelled, with an active participant of the
    organisation. One statement; other sources of involvement are untouched."""
    case_ids, organisation_ids = set(case_ids), set(organisation_ids)
    if not case_ids or not organisation_ids:
        return
    still = exists().where(
        AgendaItem.case_id == Involvement.case_id, Meeting.id == AgendaItem.meeting_id,
        Meeting.status != "geannuleerd", Participant.meeting_id == Meeting.id,
        Participant.organisation_id == Involvement.organisation_id, Participant.removed_at.is_(None))
    db.session.execute(Involvement.__table__.delete().where(and_(
        Involvement.case_id.in_(case_ids), Involvement.organisation_id.in_(organisation_ids),
        Involvement.source == "agenda", ~still)))
    for case_id in case_ids:
        for org_id in organisation_ids:
            policy.forget_involvement(case_id, org_id)


def local_label(moment) -> str:
    """'22-12-2026 10:00', Amsterdam time: for notes written into history rows."""
    return to_local(moment).strftime("%d-%m-%Y %H:%M")


def clean_text(value: str | None, *, field: str, label: str, max_length: int, required: bool = False,
               min_length: int = 1) -> str:
    text = (value or "").strip()
    if required and len(text) < min_length:
        raise MeetingError(f"Vul {label} in." if min_length <= 1 else f"Vul {label} in (minstens {min_length} tekens).",
                           field=field)
    if len(text) > max_length:
        raise MeetingError(f"{label[0].upper()}{label[1:]} is te lang (maximaal {max_length} tekens).", field=field)
    return text
