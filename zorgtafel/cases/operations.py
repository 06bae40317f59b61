"""Business rules of signals and cases. Every function takes an explicit actor, asks the
policy, writes its audit entry and flushes; the caller (view, API, CLI, task) commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import any_, exists, func, literal, select

from zorgtafel.audit.operations import record
from zorgtafel.auth.models import User
from zorgtafel.cases import catalogue, workflow
from zorgtafel.cases.errors import CaseError
from zorgtafel.cases.events import case_created, match_found, signal_registered, status_changed
from zorgtafel.cases.identity import SubjectInvalid, case_reference, subject_key
from zorgtafel.cases.models import (
    SIGNAL_DATA_CATEGORIES, SUBJECT_ROLES, URGENCIES, Case, Match, PossibleDuplicate, Signal, StatusChange, Withdrawal,
)
from zorgtafel.cases.subjects import primary_pseudonym, resolve
from zorgtafel.convenant import policy
from zorgtafel.convenant.models import Convenant, Involvement
from zorgtafel.convenant.operations import involve
from zorgtafel.core.models import utcnow
from zorgtafel.core.timeutil import today_local
from zorgtafel.extensions import db
from zorgtafel.notify.operations import notify

URGENCY_RANK = {u: i + 1 for i, u in enumerate(URGENCIES)}
DUPLICATE_WINDOW = timedelta(minutes=1)
MAX_DESCRIPTION = 4000


@dataclass
class Registration:
    signal: Signal
    case: Case
    match: Match | None
    duplicate_submission: bool = False
    possible_duplicate: PossibleDuplicate | None = None


def deny(decision, status: int = 403) -> CaseError:
    return CaseError(decision.reason or "Het convenant staat dit niet toe.", status=status)


def require_read(actor, case: Case) -> None:
    """Adding to a case (a referral, a checklist) presupposes seeing it: the register rule
    has no scope, the read rules do."""
    decision = policy.decide(actor, "read", case.policy_target())
    if not decision.allowed:
        record(actor, "read", outcome="denied", case_reference=case.reference, object_type="case",
               reason=decision.reason)
        raise CaseError("Deze casus bestaat niet of u heeft er geen inzage in.", status=404)


def convenant_for(actor, requested: str | None = None) -> str:
    """The convenant a new registration falls under: the one the organisation is party to
    (the caller names it when there are several)."""
    mine = [c.key for c in policy.convenants_of(actor)]
    if requested:
        if requested not in mine:
            raise CaseError("Uw organisatie is geen partij bij dit convenant.", field="convenant", status=403)
        return requested
    if not mine:
        raise CaseError("Uw organisatie is op dit moment geen partij bij een convenant.", status=403)
    if len(mine) > 1:
        raise CaseError("Uw organisatie werkt onder meer convenanten: kies er een.", field="convenant")
    return mine[0]


def _validate(category: str, data_category: str, subject_role: str, urgency: str, observed_on, description: str):
    fields = {}
    if catalogue.category(category) is None:
        fields["category"] = "Kies een signaal uit de lijst."
    if data_category not in SIGNAL_DATA_CATEGORIES:
        fields["data_category"] = "Kies signaal, gezondheid of strafrechtelijk."
    if subject_role not in SUBJECT_ROLES:
        fields["subject_role"] = "Kies jongere, vermoedelijke uitbuiter of ronselaar."
    if urgency not in URGENCIES:
        fields["urgency"] = "Kies laag, midden of hoog."
    if not isinstance(observed_on, date):
        fields["observed_on"] = "Vul de datum van de waarneming in als JJJJ-MM-DD."
    elif observed_on > today_local():
        fields["observed_on"] = "De datum van de waarneming ligt in de toekomst."
    elif observed_on < today_local() - timedelta(days=3650):
        fields["observed_on"] = "De datum van de waarneming ligt meer dan tien jaar terug."
    if len(description or "") > MAX_DESCRIPTION:
        fields["description"] = f"De toelichting is te lang (maximaal {MAX_DESCRIPTION} tekens)."
    if fields:
        first = next(iter(fields))
        raise CaseError(fields[first], field=first, fields=fields)


def register_signal(actor, *, subject: dict, subject_role: str, category: str, data_category: str,
                    observed_on, urgency: str, description: str = "", convenant: str | None = None,
                    on_behalf_of: str | None = None) -> Registration:
    """Register a signal: find or create the subject and its case, record involvement,
    reopen a closed case, detect a match; all in the caller's transaction.

    ``on_behalf_of`` (an organisation key): a zorgcoördinator records what a partner
    reported, by phone say; the signal is that partner's, the coordinator its author, and
    the audit entry says on whose behalf."""
    description = (description or "").strip()
    _validate(category, data_category, subject_role, urgency, observed_on, description)
    try:
        key = subject_key(**{k: subject.get(k) for k in ("bsn", "family_name", "given_names", "birth_date")})
    except SubjectInvalid as exc:
        raise CaseError(str(exc), field=f"subject.{exc.field}") from exc
    convenant_key = convenant_for(actor, convenant)
    needed = ["signaal"] + (["toelichting"] if description and data_category == "signaal" else [])
    needed += [data_category] if data_category != "signaal" else []
    decisions = [policy.decide(actor, "register", policy.Target(convenant_key, c)) for c in needed]
    refused = next((d for d in decisions if not d.allowed), None)
    if refused is not None:
        record(actor, "create", outcome="denied", object_type="signal", reason=refused.reason)
        raise deny(refused)
    organisation_id = _behalf(actor, convenant_key, on_behalf_of) if on_behalf_of else actor.organisation_id

    subj, possible_duplicate = resolve(key, convenant_key, actor)
    case, created = _case_for(subj.id, convenant_key, subject_role, actor)
    recent = db.session.scalar(select(Signal).where(
        Signal.case_id == case.id, Signal.author_id == actor.id, Signal.category == category,
        Signal.observed_on == observed_on, Signal.created_at > utcnow() - DUPLICATE_WINDOW))
    if recent is not None:  # a double click or a retried request: the same signal, once
        return Registration(recent, case, None, duplicate_submission=True, possible_duplicate=possible_duplicate)

    signal = Signal(case_id=case.id, organisation_id=organisation_id, author_id=actor.id, category=category,
                    data_category=data_category, subject_role=subject_role, observed_on=observed_on,
                    urgency=urgency, description=description)
    db.session.add(signal)
    db.session.flush()
    involve(case.id, organisation_id, "signal")
    case.last_signal_on = max(filter(None, [case.last_signal_on, observed_on]))
    case.max_urgency = max(case.max_urgency or 0, URGENCY_RANK[urgency])
    record(actor, "create", outcome="success", case_reference=case.reference, object_type="signal",
           object_id=signal.id, basis=decisions[0].basis,
           on_behalf_of=organisation_id if organisation_id != actor.organisation_id else None)
    if case.status in workflow.REOPEN_ON_SIGNAL:
        _set_status(case, "heropend", actor, "Nieuw signaal op een afgesloten of afgeschaalde casus.")
        notify(actor, sorted(coordinators(case.convenant_key)), "casus_heropend", case_reference=case.reference,
               link=f"/casussen/{case.reference}")
    signal_registered.send(current_app._get_current_object(), case=case, signal=signal, actor=actor)
    match = detect_match(case, actor)
    return Registration(signal, case, match, possible_duplicate=possible_duplicate)


def _behalf(actor, convenant_key: str, organisation_key: str) -> int:
    """Only a zorgcoördinator records for a partner, and only for a party of the convenant."""
    from zorgtafel.auth.models import Organisation

    if not actor.has_role("zorgcoordinator"):
        raise CaseError("Alleen een zorgcoördinator kan een signaal namens een partner vastleggen.",
                        field="on_behalf_of", status=403)
    organisation = db.session.scalar(select(Organisation).where(Organisation.key == organisation_key))
    conv = policy.in_force().get(convenant_key)
    if organisation is None or conv is None or conv.party_kind(organisation.id, today_local()) is None:
        raise CaseError("Deze organisatie is geen partij bij het convenant.", field="on_behalf_of")
    return organisation.id


def _case_for(subject_id: int, convenant_key: str, subject_role: str, actor) -> tuple[Case, bool]:
    case = db.session.scalar(select(Case).where(Case.subject_id == subject_id, Case.convenant_key == convenant_key))
    if case is not None:
        return case, False
    secret = current_app.config["PSEUDONYM_KEY"]
    pseudonym = primary_pseudonym(subject_id)
    attempt = 0
    reference = case_reference(pseudonym, convenant_key, secret)
    while db.session.scalar(select(exists().where(Case.reference == reference))):
        attempt += 1  # 40 bits: a collision is rare, but must not be fatal
        reference = case_reference(pseudonym, convenant_key, secret, attempt)
    case = Case(reference=reference, subject_id=subject_id, convenant_key=convenant_key, subject_role=subject_role,
                status="aangemeld")
    db.session.add(case)
    db.session.flush()
    db.session.add(StatusChange(case_id=case.id, from_status=None, to_status="aangemeld", actor_id=actor.id,
                                note="Casus aangemaakt bij het eerste signaal."))
    db.session.flush()
    case_created.send(current_app._get_current_object(), case=case, actor=actor)
    return case, True


def matching_rules(convenant_key: str) -> dict:
    conv = policy.in_force().get(convenant_key)
    if conv is None:
        return {"min_organisations": 2, "window_days": 365}
    return db.session.get(Convenant, conv.id).matching


def detect_match(case: Case, actor) -> Match | None:
    """Signals of ``min_organisations`` organisations within ``window_days`` make a match —
    recorded once, and again only after the window of the last one has lapsed."""
    rules = matching_rules(case.convenant_key)
    window_start = today_local() - timedelta(days=rules["window_days"])
    organisations, top = db.session.execute(
        select(func.count(func.distinct(Signal.organisation_id)), func.max(Signal.urgency_rank()))
        .where(Signal.case_id == case.id, Signal.observed_on > window_start)
    ).one()
    if organisations < rules["min_organisations"]:
        return None
    since = utcnow() - timedelta(days=rules["window_days"])
    if db.session.scalar(select(exists().where(Match.case_id == case.id, Match.created_at > since))):
        return None
    match = Match(case_id=case.id, organisation_count=organisations, window_days=rules["window_days"],
                  urgency=URGENCIES[(top or 1) - 1])
    db.session.add(match)
    db.session.flush()
    record(actor, "match", outcome="success", case_reference=case.reference, object_type="match", object_id=match.id)
    registrants = set(db.session.scalars(select(Signal.author_id).where(
        Signal.case_id == case.id, Signal.observed_on > window_start)))
    notify(actor, sorted(coordinators(case.convenant_key) | registrants), "match", case_reference=case.reference,
           link=f"/casussen/{case.reference}")
    match_found.send(current_app._get_current_object(), case=case, match=match, actor=actor)
    return match


def coordinators(convenant_key: str) -> set[int]:
    """Active zorgcoördinatoren of organisations that are a party to the convenant today."""
    conv = policy.in_force().get(convenant_key)
    if conv is None:
        return set()
    day = today_local()
    orgs = [org for org, _kind, joined, left in conv.parties if joined <= day and (left is None or day < left)]
    return set(db.session.scalars(select(User.id).where(
        User.organisation_id.in_(orgs), User.active.is_(True), literal("zorgcoordinator") == any_(User.roles))))


def withdraw_signal(actor, signal: Signal, reason: str) -> None:
    """The registering organisation withdraws a signal that proved unjustified: it is
    deleted; what remains is that something was withdrawn, by whom and when."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise CaseError("Geef kort de reden waarom het signaal onterecht was.", field="reason")
    case = db.session.get(Case, signal.case_id)
    if signal.organisation_id != actor.organisation_id:
        record(actor, "delete", outcome="denied", case_reference=case.reference, object_type="signal",
               object_id=signal.id, reason="niet de registrerende organisatie")
        raise CaseError("Alleen de organisatie die het signaal registreerde, kan het intrekken.", status=403)
    decision = policy.decide(actor, "register", policy.Target(case.convenant_key, signal.facts_category))
    if not decision.allowed:
        raise deny(decision)
    db.session.add(Withdrawal(case_id=case.id, organisation_id=signal.organisation_id, withdrawn_by_id=actor.id,
                              reason=reason))
    record(actor, "delete", outcome="success", case_reference=case.reference, object_type="signal",
           object_id=signal.id, basis=decision.basis)
    db.session.delete(signal)
    db.session.flush()
    _refresh_case_summary(case)
    still = db.session.scalar(select(exists().where(Signal.case_id == case.id,
                                                    Signal.organisation_id == actor.organisation_id)))
    if not still:
        db.session.execute(Involvement.__table__.delete().where(
            Involvement.case_id == case.id, Involvement.organisation_id == actor.organisation_id,
            Involvement.source == "signal"))
        policy.forget_involvement(case.id, actor.organisation_id)


def _refresh_case_summary(case: Case) -> None:
    last, top = db.session.execute(select(func.max(Signal.observed_on), func.max(Signal.urgency_rank()))
                                   .where(Signal.case_id == case.id)).one()
    case.last_signal_on = last
    case.max_urgency = top or 0


def change_status(actor, case: Case, new: str, note: str = "") -> StatusChange:
    """A decision about the case (art. 8.1: 'legt besluiten vast'): only by the transition table."""
    decision = policy.decide(actor, "write_minutes", case.policy_target())
    if not decision.allowed:
        record(actor, "change", outcome="denied", case_reference=case.reference, object_type="case_status",
               reason=decision.reason)
        raise deny(decision)
    if new not in workflow.STATUSES:  # not a status at all: invalid input, not a conflict
        raise CaseError(f"Onbekende status; kies uit: {', '.join(workflow.STATUSES)}.", field="status")
    try:
        workflow.check(case.status, new)
    except workflow.TransitionRefused as exc:
        raise CaseError(str(exc), field="status", status=409) from exc
    change = _set_status(case, new, actor, (note or "").strip())
    record(actor, "change", outcome="success", case_reference=case.reference, object_type="case_status",
           object_id=change.id, basis=decision.basis)
    return change


def _set_status(case: Case, new: str, actor, note: str) -> StatusChange:
    old = case.status
    change = StatusChange(case_id=case.id, from_status=old, to_status=new, actor_id=actor.id, note=note or None)
    case.status = new
    case.status_changed_at = utcnow()
    db.session.add(change)
    db.session.flush()
    status_changed.send(current_app._get_current_object(), case=case, old=old, new=new, actor=actor)
    return change
