"""Helpers of the audit tests: a private anchor file per test, and a way to fill the chain."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from zorgtafel.audit import operations as ops
from zorgtafel.audit.models import AuditEntry
from zorgtafel.extensions import db


@pytest.fixture
def anchor_path(app, tmp_path, monkeypatch):
    """Anchors of one test never meet another test's (rolled-back) chain."""
    path = tmp_path / "anchors.log"
    monkeypatch.setitem(app.config, "AUDIT_ANCHOR_PATH", str(path))
    return path


class Actor:
    """What ``record`` reads from an actor; no account rows needed."""

    def __init__(self, id=1, organisation_id=1, roles=("professional",)):
        self.id, self.organisation_id, self.roles = id, organisation_id, list(roles)


def fill(n: int, actor=None, **fields) -> None:
    """Record ``n`` entries and commit (a savepoint release inside the test transaction)."""
    for i in range(n):
        ops.record(actor or Actor(), fields.get("action", "read"), outcome=fields.get("outcome", "allowed"),
                   object_type="test", object_id=i, case_reference=fields.get("case_reference"))
    db.session.commit()


def entries() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def as_superuser_without_trigger(sql: str, **params) -> None:
    """Tamper as an attacker with superuser rights would: the trigger disabled."""
    db.session.execute(text("SET session_replication_role = replica"))
    try:
        for statement in filter(str.strip, sql.split(";")):
            db.session.execute(text(statement), {k: v for k, v in params.items() if f":{k}" in statement})
    finally:
        db.session.execute(text("SET session_replication_role = origin"))
    db.session.expire_all()
