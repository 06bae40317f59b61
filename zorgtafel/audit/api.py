"""``GET /api/v1/audit``: the entries of the access log the caller may read (a privacy
officer: the users of their own organisation), newest first. Reading the log is logged."""

from __future__ import annotations

from datetime import date

from flask import g
from pydantic import Field

from zorgtafel.audit import operations as ops
from zorgtafel.audit import queries
from zorgtafel.core.api import ApiModel, ApiResource, encode_cursor


class AuditQuery(ApiModel):
    user: int | None = Field(default=None, description="user id")
    case: str | None = Field(default=None, pattern=r"^[Zz][Tt]-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}$",
                             description="case reference ZT-XXXX-XXXX")
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    action: str | None = Field(default=None, max_length=60)
    denied: bool | None = None


def entry_json(entry, user_name, organisation_name) -> dict:
    return {"seq": entry.seq, "time": entry.time, "user": entry.user_id, "user_name": user_name,
            "organisation": organisation_name, "roles": entry.roles, "on_behalf_of": entry.on_behalf_of,
            "action": entry.action, "outcome": entry.outcome, "case": entry.case_reference,
            "object_type": entry.object_type, "object_id": entry.object_id,
            "basis": ({"convenant": entry.basis_key, "version": entry.basis_version, "article": entry.basis_article}
                      if entry.basis_article else None),
            "reason": entry.reason, "request_id": entry.request_id, "client_ip": entry.client_ip,
            "hash": entry.hash}


class AuditEntries(ApiResource):
    action = "read_audit"
    summary = "Access-log entries the caller may read (filters user, case, from, to)"
    tags = ("audit",)
    query_model = AuditQuery
    paged = True

    def get(self, target):
        q = self.query()
        limit, after = self.paging()
        flt = queries.AuditFilter(user_id=q.user, case_reference=(q.case or "").upper() or None, start=q.from_,
                                  end=q.to, action=q.action, denied_only=bool(q.denied))
        page = queries.search_page(g.actor, flt, before=after[0] if after else None, limit=limit)
        ops.record(g.actor, "search", outcome="success", object_type="audit_log", case_reference=flt.case_reference)
        return {"items": [entry_json(*row) for row in page.rows],
                "next": encode_cursor((page.next_before,), "api_v1.audit") if page.next_before else None}


RESOURCES = [("/audit", AuditEntries, "audit")]
