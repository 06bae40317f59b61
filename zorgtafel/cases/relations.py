"""Links between subjects' cases, referrals to other instances, and partners the
coordinator adds to a case."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from zorgtafel.audit.operations import record
from zorgtafel.auth.models import Organisation
from zorgtafel.cases.catalogue import REFERRAL_INSTANCES
from zorgtafel.cases.errors import CaseError
from zorgtafel.cases.models import Case, Referral, SubjectLink
from zorgtafel.cases.operations import deny, require_read
from zorgtafel.convenant import policy
from zorgtafel.convenant.operations import involve
from zorgtafel.core.timeutil import today_local
from zorgtafel.extensions import db

#: kind → (label,): the label is lazy, so it is translated where it is shown (the case
#: page, the network picture, the form's choices); the English is in the catalogue.
LINK_KINDS = {
    "slachtoffer_uitbuiter": (_l("slachtoffer ↔ vermoedelijke uitbuiter"),),
    "ronselaar": (_l("geronseld door"),),
    "peergroep": (_l("zelfde vriendengroep"),),
}


def link_cases(actor, case: Case, other: Case, kind: str) -> SubjectLink:
    decision = policy.decide(actor, "write_minutes", case.policy_target())
    if not decision.allowed:
        raise deny(decision)
    if kind not in LINK_KINDS:
        raise CaseError("Kies het soort verband.", field="kind")
    if other.id == case.id:
        raise CaseError("Een casus kan niet met zichzelf verbonden worden.", field="other")
    if other.convenant_key != case.convenant_key:
        raise CaseError("Casussen onder verschillende convenanten worden niet verbonden.", field="other")
    duplicate = db.session.scalar(select(exists().where(
        ((SubjectLink.from_case_id == case.id) & (SubjectLink.to_case_id == other.id))
        | ((SubjectLink.from_case_id == other.id) & (SubjectLink.to_case_id == case.id)),
        SubjectLink.kind == kind)))
    if duplicate:
        raise CaseError("Dit verband is al vastgelegd.", status=409)
    link = SubjectLink(from_case_id=case.id, to_case_id=other.id, kind=kind, created_by_id=actor.id)
    db.session.add(link)
    db.session.flush()
    record(actor, "create", outcome="success", case_reference=case.reference, object_type="subject_link",
           object_id=link.id, basis=decision.basis)
    return link


def refer(actor, case: Case, instance: str, referred_on: date, reason: str) -> Referral:
    require_read(actor, case)
    decision = policy.decide(actor, "register", policy.Target(case.convenant_key, "signaal", case.id))
    if not decision.allowed:
        raise deny(decision)
    fields = {}
    if instance not in REFERRAL_INSTANCES:
        fields["instance"] = "Kies waarheen is verwezen of gemeld."
    if not isinstance(referred_on, date) or referred_on > today_local():
        fields["referred_on"] = "Vul een datum in, niet in de toekomst."
    if len((reason or "").strip()) < 3:
        fields["reason"] = "Geef kort de reden."
    if fields:
        raise CaseError(next(iter(fields.values())), fields=fields)
    referral = Referral(case_id=case.id, organisation_id=actor.organisation_id, author_id=actor.id,
                        instance=instance, referred_on=referred_on, reason=reason.strip())
    db.session.add(referral)
    db.session.flush()
    record(actor, "create", outcome="success", case_reference=case.reference, object_type="referral",
           object_id=referral.id, basis=decision.basis)
    return referral


def add_partner(actor, case: Case, organisation: Organisation) -> None:
    """The coordinator involves a partner in a case (convenant scope 'involved')."""
    decision = policy.decide(actor, "write_minutes", case.policy_target())
    if not decision.allowed:
        raise deny(decision)
    conv = policy.in_force().get(case.convenant_key)
    if conv is None or conv.party_kind(organisation.id, today_local()) is None:
        raise CaseError("Deze organisatie is geen partij bij het convenant van de casus.", field="organisation")
    involve(case.id, organisation.id, "coordinator")
    record(actor, "change", outcome="success", case_reference=case.reference, object_type="involvement",
           object_id=organisation.id, basis=decision.basis)
