"""Test-only resources, one per thing the API guard must get right. Written the way a
domain's ``api.py`` is: ApiResource subclasses and a RESOURCES list."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Literal

from flask import Response, g
from pydantic import BaseModel, Field
from sqlalchemy import select

from zorgtafel.auth.models import Organisation
from zorgtafel.core.api import ApiModel, ApiResource, conflict, keyset_after, not_found, page
from zorgtafel.extensions import db


class Sub(ApiModel):
    kind: Literal["a", "b"]


class EchoIn(ApiModel):
    name: str = Field(min_length=1)
    count: int = Field(ge=1)
    when: date
    sub: Sub
    tags: list[str] = Field(default_factory=list, max_length=2)


class EchoOut(BaseModel):
    name: str
    actor: int
    at: datetime
    when: date


class Echo(ApiResource):
    action = "personal"
    summary = "Echo (test)"
    request_model = EchoIn
    response_status = 201
    response_model = EchoOut
    response_example = {"name": "x", "actor": 1, "at": "2025-01-02T03:04:00+00:00", "when": "2025-01-01"}

    def post(self, target):
        body = self.payload()
        at = datetime(2025, 1, 2, 3, 4, tzinfo=timezone.utc)
        return {"name": body.name, "actor": g.actor.id, "at": at, "when": body.when}, 201


class Me(ApiResource):
    action = "personal"
    summary = "Wie ben ik (test)"

    def get(self, target):
        return {"id": g.actor.id}


class AdminOnly(ApiResource):
    action = "manage_users"  # the policy refuses this to everyone but a beheerder
    summary = "Alleen beheerders (test)"

    def get(self, target):
        return {"secret": "alleen voor beheerders"}


class Thing(ApiResource):
    action = {"GET": "personal", "PUT": "personal", "DELETE": "personal"}
    errors = (404, 409)
    operations = {"DELETE": {"response_status": 204, "response_description": "verwijderd"}}

    def load(self, thing_id):
        if thing_id != 1:
            not_found()

    def get(self, target, thing_id):
        return {"id": thing_id}

    def put(self, target, thing_id):
        conflict("Dit ding is al afgerond.")

    def delete(self, target, thing_id):
        return None


class OrganisationsQuery(ApiModel):
    prefix: str = Field(min_length=1)


class Organisations(ApiResource):
    """Keyset paging in SQL over organisations whose key starts with ``prefix``."""

    action = "personal"
    paged = True
    query_model = OrganisationsQuery

    def get(self, target):
        query = self.query()
        limit, cursor = self.paging()
        rows = db.session.scalars(
            select(Organisation).where(Organisation.key.startswith(query.prefix),
                                       keyset_after((Organisation.id,), cursor))
            .order_by(Organisation.id).limit(limit + 1)
        ).all()
        return page(rows, limit, key_fn=lambda o: (o.id,), render=lambda o: {"id": o.id, "key": o.key})


class WriteIn(ApiModel):
    key: str = Field(min_length=1)
    then_conflict: bool = False


class Write(ApiResource):
    """Writes a row, then may refuse: the refusal must leave nothing behind."""

    action = "personal"
    request_model = WriteIn
    response_status = 201
    errors = (409,)

    def post(self, target):
        body = self.payload()
        db.session.add(Organisation(key=body.key, name=body.key, kind="onderwijs"))
        db.session.flush()
        if body.then_conflict:
            conflict("Bestaat al.")
        return {"key": body.key}, 201


class Calendar(ApiResource):
    """A non-JSON answer passes through untouched."""

    action = "personal"
    media_type = "text/calendar"

    def get(self, target):
        return Response("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", mimetype="text/calendar")


RESOURCES = [
    ("/test/echo", Echo, "test_echo"),
    ("/test/me", Me, "test_me"),
    ("/test/admin", AdminOnly, "test_admin"),
    ("/test/things/<int:thing_id>", Thing, "test_thing"),
    ("/test/organisations", Organisations, "test_organisations"),
    ("/test/write", Write, "test_write"),
    ("/test/calendar.ics", Calendar, "test_calendar"),
]
