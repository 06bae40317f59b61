"""The art. 15 AVG export: everything held about one subject, with the purposes and legal
bases from the convenant, the recipients (from the access log), the retention period and
the source of each signal — and nothing about anyone else."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import or_, select

from zorgtafel.audit.models import AuditEntry
from zorgtafel.audit.operations import record
from zorgtafel.auth.models import Organisation
from zorgtafel.cases import vault
from zorgtafel.cases.errors import CaseError
from zorgtafel.cases.identity import SubjectInvalid, pseudonyms, subject_key
from zorgtafel.cases.models import Case, CaseAlias, PossibleDuplicate, SubjectPseudonym
from zorgtafel.cases.queries import timeline
from zorgtafel.convenant import policy
from zorgtafel.convenant.models import Convenant
from zorgtafel.core.timeutil import now_utc
from zorgtafel.extensions import db

# What a read-like event in the log means for "recipients": who actually saw the data.
SEEN = ("read", "export", "reveal", "create")
MIN_REASON = 10


def find_subject(subject: dict) -> int | None:
    """Exactly one subject, or none. A BSN, when given, is the only key used; a name key
    (family name, initial, birth date) can be shared by two people, so the sealed identity
    must match the request in full, and an unresolved possible duplicate stops the export."""
    try:
        key = subject_key(**subject)
    except SubjectInvalid as exc:
        raise CaseError(str(exc), field=exc.field) from exc
    given = pseudonyms(key, current_app.config["PSEUDONYM_KEY"])
    kind = "bsn" if key.bsn else "naam"
    subject_id = db.session.scalar(select(SubjectPseudonym.subject_id).where(
        SubjectPseudonym.kind == kind, SubjectPseudonym.pseudonym == given[kind]))
    if subject_id is None:
        return None
    open_duplicate = db.session.scalar(select(PossibleDuplicate.id).where(
        PossibleDuplicate.resolved_at.is_(None),
        or_(PossibleDuplicate.subject_id == subject_id, PossibleDuplicate.other_subject_id == subject_id)))
    if open_duplicate is not None:
        raise CaseError("Deze persoon is mogelijk dubbel geregistreerd. Beoordeel dat eerst (takenlijst); "
                        "pas daarna kan het overzicht veilig worden gemaakt.", status=409)
    held = vault.read(subject_id)
    if key.has_name and held.get("given_names") and not _same_person(key, held):
        raise CaseError("De gegevens komen niet volledig overeen met wat bekend is. Controleer het verzoek "
                        "(voornamen, achternaam, geboortedatum) of gebruik het BSN.", status=409)
    return subject_id


def _same_person(key, held: dict) -> bool:
    from zorgtafel.cases.identity import split_family_name, strip_diacritics

    def words(text: str) -> str:
        return " ".join(strip_diacritics(text or "").lower().split())

    return (words(key.given_names) == words(held.get("given_names"))
            and split_family_name(key.family_name)[1] == split_family_name(held.get("family_name") or "")[1]
            and key.birth_date.isoformat() == held.get("birth_date"))


def find_cases(actor, subject: dict) -> tuple[int | None, list[Case]]:
    """The subject and its cases under the convenants whose every category the actor may
    read; cases elsewhere are not mentioned (not even that they exist)."""
    subject_id = find_subject(subject)
    if subject_id is None:
        return None, []
    keys = [c.key for c in policy.convenants_of(actor)]
    cases = list(db.session.scalars(select(Case).where(Case.subject_id == subject_id, Case.convenant_key.in_(keys))
                                    .order_by(Case.id)))
    return subject_id, cases


def build(actor, subject: dict, reason: str) -> dict:
    """The export as a dictionary (JSON) — also rendered as a printable page."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise CaseError(f"Geef de reden van het verzoek (minstens {MIN_REASON} tekens); die wordt vastgelegd.",
                        field="reason")
    subject_id, cases = find_cases(actor, subject)
    parts = []
    for case in cases:
        decision = policy.decide(actor, "read", case.policy_target("signaal"))
        everything = all(policy.decide(actor, "read", case.policy_target(c)).allowed
                         for c in ("toelichting", "gezondheid", "strafrechtelijk", "verslag", "actiepunt"))
        if not decision.allowed or not everything:
            record(actor, "export", outcome="denied", case_reference=case.reference, object_type="art15",
                   reason="geen volledige inzage volgens het convenant")
            raise CaseError("Alleen wie volgens het convenant alle gegevens van de casus mag zien, "
                            "kan een inzageverzoek beantwoorden.", status=403)
        parts.append(_case_part(actor, case))
        record(actor, "export", outcome="success", case_reference=case.reference, object_type="art15",
               basis=decision.basis, reason=reason)
    if not cases:
        record(actor, "export", outcome="success", object_type="art15", reason=f"{reason} (niets gevonden)")
    identity = vault.read(subject_id) if cases else {}
    return {"generated_at": now_utc().isoformat(), "identity": identity, "cases": parts,
            "found": bool(cases)}


def _case_part(actor, case: Case) -> dict:
    conv = db.session.scalar(select(Convenant).where(Convenant.key == case.convenant_key)
                             .order_by(Convenant.version.desc()))
    entries = []
    for e in timeline(actor, case):
        item = {"kind": e.kind, "date": e.at.isoformat(), "source": e.organisation, "data_category": e.data_category}
        if e.kind == "signal":
            item.update({"category": e.detail.get("label"), "description": e.detail.get("description"),
                         "urgency": e.detail.get("urgency")})
        elif e.kind == "link":
            item.update({"link": "verband met een andere persoon (gegevens van anderen worden niet verstrekt)"})
        else:
            item.update({k: v for k, v in e.detail.items()
                         if k not in ("other", "description_basis", "id") and not hasattr(v, "article")})
        entries.append(item)
    # Under a reference that was merged into this case, others saw this person's data too.
    aliases = db.session.scalars(select(CaseAlias.reference).where(CaseAlias.case_id == case.id)).all()
    recipients = _recipients([case.reference, *aliases])
    return {
        "reference": case.reference, "status": case.status, "role": case.subject_role,
        "convenant": {"key": conv.key, "version": conv.version, "title": conv.title, "purpose": conv.purpose,
                      "legal_bases": conv.legal_bases},
        "retention": {"closed_case_days": conv.retention["closed_case_days"],
                      "explanation": "Gegevens worden bewaard zolang de casus loopt en daarna "
                                     f"{conv.retention['closed_case_days']} dagen na afsluiten; een onterecht "
                                     "signaal wordt direct verwijderd. De logging wordt "
                                     f"{conv.retention['audit_log_days']} dagen bewaard."},
        "data": entries,
        "recipients": recipients,
    }


def _recipients(references: list[str]) -> list[str]:
    """Organisations that saw this case's data, from the access log."""
    ids = set(db.session.scalars(select(AuditEntry.organisation_id).where(
        AuditEntry.case_reference.in_(references), AuditEntry.action.in_(SEEN),
        AuditEntry.outcome.in_(("allowed", "success")), AuditEntry.organisation_id.is_not(None)).distinct()))
    if not ids:
        return []
    return sorted(db.session.scalars(select(Organisation.name).where(Organisation.id.in_(ids))))
