"""JSON resources of the cases room (CONTRACT: signals, signal-categories, cases, status,
reveal). Every read is decided by the policy and filtered in SQL; errors in the one shape."""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask import g
from pydantic import BaseModel, Field

from zorgtafel.audit.operations import record
from zorgtafel.cases import catalogue, workflow
from zorgtafel.cases.errors import CaseError
from zorgtafel.cases.models import Case, RevealRequest, Signal
from zorgtafel.cases.operations import change_status, convenant_for, register_signal, withdraw_signal
from zorgtafel.cases.queries import SORTS, case_page, find_case, timeline
from zorgtafel.cases.reveal import decide_request, pending_for, request_reveal, view_identity
from zorgtafel.cases.timeline_entries import links
from zorgtafel.convenant import policy
from zorgtafel.core.api import ApiModel, ApiResource, encode_cursor, not_found
from zorgtafel.core.errors import ApiError
from zorgtafel.core.timeutil import to_local
from zorgtafel.extensions import db


def _fail(exc: CaseError) -> ApiError:
    if exc.status == 403:
        db.session.commit()  # the denial's audit entry stays
    return ApiError(exc.status, str(exc), fields=exc.fields)


def _basis(basis) -> dict | None:
    return basis.as_dict() if basis else None


# -- signals ------------------------------------------------------------------------------


class SubjectIn(ApiModel):
    bsn: str | None = Field(default=None, max_length=20)
    family_name: str | None = Field(default=None, max_length=120)
    given_names: str | None = Field(default=None, max_length=120)
    birth_date: date | None = None


class SignalIn(ApiModel):
    subject: SubjectIn
    subject_role: Literal["jongere", "vermoedelijke_uitbuiter", "ronselaar"]
    category: str = Field(max_length=60)
    data_category: Literal["signaal", "gezondheid", "strafrechtelijk"] = "signaal"
    observed_on: date
    urgency: Literal["laag", "midden", "hoog"]
    description: str = Field(default="", max_length=4000)
    convenant: str | None = Field(default=None, max_length=100, description="only when the organisation is party to several")
    on_behalf_of: str | None = Field(default=None, max_length=80,
                                     description="organisation key: a zorgcoördinator records a partner's report")


class SignalOut(BaseModel):
    id: int
    case: dict
    match: bool


class Signals(ApiResource):
    action = "register"
    summary = "Register a signal"
    tags = ("signals",)
    request_model = SignalIn
    response_model = SignalOut
    response_status = 201
    errors = (403,)

    def load(self):
        # An organisation in several convenants names one in the body ("convenant"); the
        # operation answers 422 naming the field when it is missing.
        from flask import request

        body = request.get_json(silent=True) if request.is_json else None
        requested = body.get("convenant") if isinstance(body, dict) and isinstance(body.get("convenant"), str) else None
        try:
            key = convenant_for(g.actor, requested)
        except CaseError as exc:
            if exc.field == "convenant" and exc.status == 422:
                return policy.Target(policy.convenants_of(g.actor)[0].key, "signaal")  # the operation explains
            key = "-"  # decide() then refuses with its own reason
        return policy.Target(key, "signaal")

    def post(self, target):
        data = self.payload()
        try:
            result = register_signal(g.actor, subject=data.subject.model_dump(), subject_role=data.subject_role,
                                     category=data.category, data_category=data.data_category,
                                     observed_on=data.observed_on, urgency=data.urgency,
                                     description=data.description, convenant=data.convenant,
                                     on_behalf_of=data.on_behalf_of)
        except CaseError as exc:
            raise _fail(exc) from None
        return {"id": result.signal.id, "case": {"reference": result.case.reference},
                "match": result.match is not None}, 201


class WithdrawIn(ApiModel):
    reason: str = Field(min_length=5, max_length=1000)


class SignalItem(ApiResource):
    action = "register"
    summary = "Withdraw a signal that proved unjustified (registering organisation only)"
    tags = ("signals",)
    request_model = WithdrawIn
    response_status = 204
    response_description = "Withdrawn and deleted"
    errors = (404,)

    def load(self, signal_id: int):
        signal = db.session.get(Signal, signal_id)
        if signal is None or signal.organisation_id != g.actor.organisation_id:
            not_found()  # another organisation's signal: as if it did not exist
        case = db.session.get(Case, signal.case_id)
        return policy.Target(case.convenant_key, signal.facts_category, case.id, signal.organisation_id,
                             case_reference=case.reference, object_type="signal", object_id=signal.id)

    def delete(self, target, signal_id: int):
        data = self.payload()
        try:
            withdraw_signal(g.actor, db.session.get(Signal, signal_id), data.reason)
        except CaseError as exc:
            raise _fail(exc) from None
        return None


class SignalCategories(ApiResource):
    action = "personal"  # the catalogue is no case data
    summary = "The signal catalogue"
    tags = ("signals",)
    response_example = {"items": [{"key": "wegloopgedrag", "label": "Wegloopgedrag", "label_en": "Running away",
                                   "group": "algemeen_gedrag", "group_label": "Algemeen gedrag"}]}

    def get(self, target):
        groups = {grp.key: grp for grp in catalogue.groups()}
        return {"items": [{"key": c.key, "label": c.nl, "label_en": c.en, "group": c.group,
                           "group_label": groups[c.group].nl} for c in catalogue.categories()]}


# -- cases --------------------------------------------------------------------------------


class CaseQuery(ApiModel):
    status: Literal[workflow.STATUSES] | None = None  # type: ignore[valid-type]
    has_match: bool | None = None
    since: date | None = None
    sort: Literal[SORTS] = "last_signal"  # type: ignore[valid-type]


class Cases(ApiResource):
    action = "personal"  # the list is filtered row by row in SQL by the policy
    summary = "Cases the caller may see"
    tags = ("cases",)
    query_model = CaseQuery
    paged = True
    response_example = {"items": [{"reference": "ZT-ABCD-EFGH", "status": "aangemeld", "signal_count": 2,
                                   "organisations": ["Politie Eenheid Voorbeeld"], "last_signal_on": "2026-11-20",
                                   "has_match": True}], "next": None}

    def get(self, target):
        q = self.query()
        limit, after = self.paging()
        rows, following = case_page(g.actor, status=q.status, has_match=q.has_match, since=q.since, sort=q.sort,
                                    after=after, limit=limit)
        record(g.actor, "search", outcome="success", object_type="case_list")
        return {"items": [{"reference": r.case.reference, "status": r.case.status, "signal_count": r.signal_count,
                           "organisations": r.organisations, "last_signal_on": r.case.last_signal_on,
                           "has_match": r.has_match, "basis": _basis(r.basis)} for r in rows],
                "next": encode_cursor(following, "api_v1.cases") if following else None}


def _case_target(reference: str, category: str = "signaal"):
    """Unknown and unreadable cases answer alike (404), for every action on a case; the
    refused read is logged."""
    from sqlalchemy import select

    from zorgtafel.core.guard import authorize

    case = find_case(reference)
    if case is None:
        not_found()
    if not policy.decide(g.actor, "read", case.policy_target()).allowed:
        authorize(g.actor, "read", case.policy_target())
        db.session.commit()
        not_found()
    return case.policy_target(category)


def entry_json(e) -> dict:
    at = e.at.isoformat() if isinstance(e.at, date) and not hasattr(e.at, "hour") else to_local(e.at).isoformat()
    out = {"kind": e.kind, "at": at, "organisation": e.organisation, "category": e.category,
           "data_category": e.data_category, "restricted": e.restricted, "basis": _basis(e.basis)}
    if e.restricted:
        out["reason"] = e.reason
        return out  # no content, whatever the detail holds
    detail = {k: v for k, v in e.detail.items() if k not in ("description_basis", "registered_at", "own")}
    if "description_basis" in e.detail:
        detail["description_basis"] = _basis(e.detail["description_basis"])
    out.update(detail)
    return out


class CaseItem(ApiResource):
    action = "read"
    summary = "A case with its timeline as the caller may see it"
    tags = ("cases",)
    errors = (404,)

    def load(self, reference: str):
        return _case_target(reference)

    def denied(self, decision):
        not_found()

    def get(self, target, reference: str):
        case = db.session.get(Case, target.case_id)
        return {
            "reference": case.reference, "status": case.status, "basis": _basis(self.decision.basis),
            "timeline": [entry_json(e) for e in timeline(g.actor, case)],
            "links": [{"kind": link.kind,
                       "case": other.reference if policy.decide(g.actor, "read", other.policy_target()).allowed else None}
                      for link, other in links(case)],
        }


class StatusIn(ApiModel):
    status: str = Field(max_length=20)
    note: str = Field(default="", max_length=2000)


class CaseStatus(ApiResource):
    action = "write_minutes"
    summary = "Change the case status (allowed transitions only)"
    tags = ("cases",)
    request_model = StatusIn
    errors = (404, 409)

    def load(self, reference: str):
        return _case_target(reference)

    def post(self, target, reference: str):
        data = self.payload()
        case = db.session.get(Case, target.case_id)
        try:
            change = change_status(g.actor, case, data.status, data.note)
        except CaseError as exc:
            raise _fail(exc) from None
        return {"reference": case.reference, "status": case.status, "changed_at": change.at}


# -- reveal -------------------------------------------------------------------------------


class RevealIn(ApiModel):
    reason: str = Field(default="", max_length=1000)


class NoteIn(ApiModel):
    note: str = Field(default="", max_length=1000)


def request_json(request: RevealRequest, identity: dict | None = None) -> dict:
    out = {"id": request.id, "status": request.status, "case": db.session.get(Case, request.case_id).reference,
           "created_at": request.created_at, "decided_at": request.decided_at,
           "visible_until": request.visible_until, "shown_at": request.shown_at}
    if identity is not None:
        out["identity"] = {k: identity.get(k) for k in ("bsn", "family_name", "given_names", "birth_date")}
    return out


class CaseReveal(ApiResource):
    action = "reveal"
    summary = "Ask to see the identity behind a case reference"
    description = ("202 with a pending request where a second zorgcoördinator must approve; 200 with the identity "
                   "where the convenant asks no approval.")
    tags = ("reveal",)
    request_model = RevealIn
    response_status = 202
    response_description = ("Pending: {\"request\": {\"id\", \"status\": \"pending\"}}. Where the convenant asks "
                            "no second approval the answer is 200 {\"identity\": {bsn, family_name, given_names, "
                            "birth_date}} instead.")
    response_example = {"request": {"id": 12, "status": "pending"}}
    errors = (404,)

    def load(self, reference: str):
        return _case_target(reference, "identiteit")

    def post(self, target, reference: str):
        data = self.payload()
        try:
            request, identity = request_reveal(g.actor, db.session.get(Case, target.case_id), data.reason)
        except CaseError as exc:
            raise _fail(exc) from None
        if identity is not None:
            return {"identity": {k: identity.get(k) for k in ("bsn", "family_name", "given_names", "birth_date")}}, 200
        return {"request": {"id": request.id, "status": request.status}}, 202


class RevealRequests(ApiResource):
    action = "personal"  # filtered in SQL: reveal rights on the case, never one's own request
    summary = "Pending reveal requests the caller may decide on (never one's own)"
    tags = ("reveal",)
    paged = True

    def get(self, target):
        limit, after = self.paging()
        rows = pending_for(g.actor, after=after[0] if after else None, limit=limit + 1)
        record(g.actor, "search", outcome="success", object_type="reveal_request_list")
        following = encode_cursor((rows[limit - 1].id,), "api_v1.reveal_requests") if len(rows) > limit else None
        return {"items": [request_json(r) for r in rows[:limit]], "next": following}


class _RevealRequestBase(ApiResource):
    action = "reveal"
    tags = ("reveal",)
    errors = (404, 409)

    def load(self, request_id: int):
        request = db.session.get(RevealRequest, request_id)
        if request is None:
            not_found()
        return db.session.get(Case, request.case_id).policy_target("identiteit")

    def denied(self, decision):
        not_found()


class RevealRequestItem(_RevealRequestBase):
    summary = "A reveal request; to the requester, once approved, the identity for a limited time"

    def get(self, target, request_id: int):
        request = db.session.get(RevealRequest, request_id)
        if request.requester_id != g.actor.id:
            not_found()
        return request_json(request, view_identity(g.actor, request))


class RevealApprove(_RevealRequestBase):
    summary = "Approve another coordinator's request (approving one's own is 403)"
    request_model = NoteIn
    approve = True

    def post(self, target, request_id: int):
        data = self.payload()
        request = db.session.get(RevealRequest, request_id)
        try:
            decide_request(g.actor, request, self.approve, data.note)
        except CaseError as exc:
            raise _fail(exc) from None
        return request_json(request)


class RevealRefuse(RevealApprove):
    summary = "Refuse another coordinator's request"
    approve = False


RESOURCES = [
    ("/signals", Signals, "signals"),
    ("/signals/<int:signal_id>", SignalItem, "signal"),
    ("/signal-categories", SignalCategories, "signal_categories"),
    ("/cases", Cases, "cases"),
    ("/cases/<reference>", CaseItem, "case"),
    ("/cases/<reference>/status", CaseStatus, "case_status"),
    ("/cases/<reference>/reveal", CaseReveal, "case_reveal"),
    ("/reveal-requests", RevealRequests, "reveal_requests"),
    ("/reveal-requests/<int:request_id>", RevealRequestItem, "reveal_request"),
    ("/reveal-requests/<int:request_id>/approve", RevealApprove, "reveal_approve"),
    ("/reveal-requests/<int:request_id>/refuse", RevealRefuse, "reveal_refuse"),
]
