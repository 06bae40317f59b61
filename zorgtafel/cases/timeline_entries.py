"""The entries of a case's timeline, each decided by the policy. What a user may not see
is not dropped: it shows as a restricted entry (organisation and date, no content), so the
professional knows to ask at the table."""

from __future__ import annotations

from sqlalchemy import case as sql_case
from sqlalchemy import or_, select

from zorgtafel.auth.models import Organisation
from zorgtafel.cases import catalogue
from zorgtafel.cases.models import Case, Match, Referral, RiskAssessment, Signal, StatusChange, SubjectLink
from zorgtafel.cases.queries import Entry
from zorgtafel.convenant import policy
from zorgtafel.extensions import db


RESTRICTED = "Geen inzage op grond van het convenant."


def _read(actor, case: Case, category: str, organisation_id: int | None = None):
    return policy.decide(actor, "read", policy.Target(case.convenant_key, category, case.id, organisation_id))


def signals(actor, case: Case) -> list[Entry]:
    entries = []
    rows = db.session.scalars(select(Signal).where(Signal.case_id == case.id).order_by(Signal.observed_on, Signal.id))
    for s in rows:
        facts = _read(actor, case, "signaal", s.organisation_id)
        organisation = s.organisation.name
        if s.data_category != "signaal":
            content = _read(actor, case, s.data_category, s.organisation_id)
        else:
            content = facts
        if not facts.allowed or not content.allowed:
            # Only that this organisation registered something on that day.
            entries.append(Entry("signal", s.observed_on, organisation, restricted=True,
                                 basis=facts.basis if facts.allowed else None,
                                 # A fixed reason: the decision's own text names the hidden
                                 # data category, which is itself what may not be known.
                                 reason=RESTRICTED,
                                 detail={"id": s.id}))
            continue
        text = _read(actor, case, s.content_category, s.organisation_id)
        detail = {"id": s.id, "urgency": s.urgency, "subject_role": s.subject_role,
                  "label": catalogue.label(s.category), "own": s.organisation_id == actor.organisation_id,
                  "registered_at": s.created_at}
        if text.allowed:
            detail["description"] = s.description
            detail["description_basis"] = text.basis
        else:
            detail["description_restricted"] = True
        entries.append(Entry("signal", s.observed_on, organisation, category=s.category,
                             data_category=s.data_category, basis=content.basis, detail=detail))
    return entries


def others(actor, case: Case) -> list[Entry]:
    """Status changes, matches, links, referrals and risk checklists."""
    seen = _read(actor, case, "signaal")
    if not seen.allowed:
        return []
    minutes = _read(actor, case, "verslag")
    entries = []
    for change in db.session.scalars(select(StatusChange).where(StatusChange.case_id == case.id)):
        detail = {"from": change.from_status, "to": change.to_status}
        if change.note and minutes.allowed:
            detail["note"] = change.note
        entries.append(Entry("status", change.at, None, data_category="signaal", basis=seen.basis, detail=detail))
    for match in db.session.scalars(select(Match).where(Match.case_id == case.id)):
        entries.append(Entry("match", match.created_at, None, data_category="signaal", basis=seen.basis,
                             detail={"organisations": match.organisation_count, "urgency": match.urgency}))
    for link, other in links(case):
        visible = _read(actor, other, "signaal").allowed
        entries.append(Entry("link", link.created_at, None, data_category="signaal", basis=seen.basis,
                             detail={"kind": link.kind, "other": other.reference if visible else None}))
    orgs = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
    for ref in db.session.scalars(select(Referral).where(Referral.case_id == case.id)):
        why = _read(actor, case, "toelichting", ref.organisation_id)
        detail = {"instance": ref.instance, "label": catalogue.REFERRAL_INSTANCES.get(ref.instance, (ref.instance,))[0],
                  "referred_on": ref.referred_on}
        if why.allowed:
            detail["reason"] = ref.reason
        entries.append(Entry("referral", ref.created_at, orgs.get(ref.organisation_id), data_category="signaal",
                             basis=_read(actor, case, "signaal", ref.organisation_id).basis, detail=detail))
    for risk in db.session.scalars(select(RiskAssessment).where(RiskAssessment.case_id == case.id)):
        entries.append(Entry("risk", risk.created_at, orgs.get(risk.organisation_id), data_category="signaal",
                             basis=_read(actor, case, "signaal", risk.organisation_id).basis,
                             detail={"instrument": risk.instrument_key, "score": risk.score, "band": risk.band,
                                     "is_example": risk.is_example}))
    return entries


def links(case: Case) -> list[tuple[SubjectLink, Case]]:
    """Links of this case in both directions, with the other case (one query)."""
    other_id = sql_case((SubjectLink.from_case_id == case.id, SubjectLink.to_case_id), else_=SubjectLink.from_case_id)
    rows = db.session.execute(
        select(SubjectLink, Case).join(Case, Case.id == other_id)
        .where(or_(SubjectLink.from_case_id == case.id, SubjectLink.to_case_id == case.id))
        .order_by(SubjectLink.created_at)
    ).all()
    return [(link, other) for link, other in rows]
