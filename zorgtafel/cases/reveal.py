"""Seeing the identity behind a case reference: its own action, with a stated reason, a
second zorgcoördinator's approval where the convenant asks for it, and an audit entry for
every request, decision and view."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from zorgtafel.audit.operations import record
from zorgtafel.cases import vault
from zorgtafel.cases.errors import CaseError
from zorgtafel.cases.events import reveal_decided, reveal_requested
from zorgtafel.cases.models import Case, RevealRequest
from zorgtafel.cases.operations import coordinators, deny
from zorgtafel.convenant import policy
from zorgtafel.core.models import utcnow
from zorgtafel.extensions import db
from zorgtafel.notify.operations import notify

VISIBLE_FOR = timedelta(minutes=15)
MIN_REASON = 10


def _decision(actor, case: Case):
    return policy.decide(actor, "reveal", case.policy_target("identiteit"))


def request_reveal(actor, case: Case, reason: str) -> tuple[RevealRequest | None, dict | None]:
    """Returns (pending request, None) where a second approval is needed, or
    (None, identity) where the convenant asks none."""
    decision = _decision(actor, case)
    if not decision.allowed:
        record(actor, "reveal_request", outcome="denied", case_reference=case.reference, object_type="identity",
               reason=decision.reason)
        raise deny(decision)
    reason = (reason or "").strip()
    if "reason" in decision.requires and len(reason) < MIN_REASON:
        raise CaseError(f"Geef een reden van minstens {MIN_REASON} tekens; die wordt vastgelegd.", field="reason")
    if "second_approval" not in decision.requires:
        record(actor, "reveal", outcome="success", case_reference=case.reference, object_type="identity",
               basis=decision.basis, reason=reason or None)
        return None, vault.read(case.subject_id)
    request = RevealRequest(case_id=case.id, requester_id=actor.id, reason=reason, status="pending")
    db.session.add(request)
    db.session.flush()
    record(actor, "reveal_request", outcome="success", case_reference=case.reference, object_type="reveal_request",
           object_id=request.id, basis=decision.basis)
    others = sorted(coordinators(case.convenant_key) - {actor.id})
    notify(actor, others, "onthulling_gevraagd", case_reference=case.reference, link="/onthullingen")
    reveal_requested.send(current_app._get_current_object(), request=request, actor=actor)
    return request, None


def decide_request(actor, request: RevealRequest, approve: bool, note: str = "") -> None:
    case = db.session.get(Case, request.case_id)
    if request.requester_id == actor.id:
        record(actor, "reveal_approve", outcome="denied", case_reference=case.reference,
               object_type="reveal_request", object_id=request.id, reason="eigen verzoek")
        raise CaseError("U kunt niet over uw eigen verzoek beslissen; dat doet een tweede zorgcoördinator.",
                        status=403)
    decision = _decision(actor, case)
    if not decision.allowed:
        record(actor, "reveal_approve", outcome="denied", case_reference=case.reference,
               object_type="reveal_request", object_id=request.id, reason=decision.reason)
        raise deny(decision)
    # Lock and re-read: two coordinators deciding at once must not both "succeed".
    request = db.session.get(RevealRequest, request.id, with_for_update=True, populate_existing=True)
    if request.status != "pending":
        raise CaseError("Over dit verzoek is al besloten.", status=409)
    request.status = "approved" if approve else "refused"
    request.decided_by_id = actor.id
    request.decided_at = utcnow()
    request.decision_note = (note or "").strip() or None
    request.visible_until = utcnow() + VISIBLE_FOR if approve else None
    db.session.flush()
    record(actor, "reveal_approve" if approve else "reveal_refuse", outcome="success",
           case_reference=case.reference, object_type="reveal_request", object_id=request.id, basis=decision.basis)
    notify(actor, [request.requester_id], "onthulling_besloten", case_reference=case.reference,
           link=f"/onthullingen/{request.id}")
    reveal_decided.send(current_app._get_current_object(), request=request, actor=actor)


def view_identity(actor, request: RevealRequest) -> dict | None:
    """The identity, to the requester only, once, while the approval window is open (the
    page and the API share that one showing); the showing is an audit entry."""
    case = db.session.get(Case, request.case_id)
    if request.requester_id != actor.id:
        raise CaseError("Dit verzoek is niet van u.", status=404)
    # Lock and re-read: two tabs opening the page at once must not both see it.
    request = db.session.get(RevealRequest, request.id, with_for_update=True, populate_existing=True)
    if (request.status != "approved" or request.shown_at is not None or request.visible_until is None
            or request.visible_until < utcnow()):
        return None
    decision = _decision(actor, case)
    if not decision.allowed:  # rights can end between approval and view (e.g. leaving the convenant)
        raise deny(decision)
    request.shown_at = utcnow()
    record(actor, "reveal", outcome="success", case_reference=case.reference, object_type="identity",
           object_id=request.id, basis=decision.basis, reason=request.reason)
    return vault.read(case.subject_id)


def pending_for(actor, *, after: int | None = None, limit: int = 200) -> list[RevealRequest]:
    """Requests of other coordinators the actor may decide on: never one's own; oldest
    first (keyset on id)."""
    query = (select(RevealRequest).join(Case, Case.id == RevealRequest.case_id)
             .where(RevealRequest.status == "pending", RevealRequest.requester_id != actor.id)
             .where(policy.visible_clause(actor, "reveal", "identiteit", case_id=Case.id,
                                          convenant_key=Case.convenant_key)))
    if after is not None:
        query = query.where(RevealRequest.id > after)
    return list(db.session.scalars(query.order_by(RevealRequest.id).limit(limit)))
