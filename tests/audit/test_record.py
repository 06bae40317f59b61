"""Writing entries: same transaction, chained at commit, nothing left by a rollback, and the
guard's decisions and the login events logged through their signals."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.audit.conftest import Actor, entries, fill
from tests.helpers.fixtures import csrf_token
from zorgtafel.audit import operations as ops
from zorgtafel.audit.chain import GENESIS, content_of, entry_hash
from zorgtafel.audit.models import AuditEntry
from zorgtafel.convenant.policy import Basis
from zorgtafel.extensions import db


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_record_chains_at_commit(app, ctx):
    basis = Basis("zorgtafel-voorbeeld", 3, "5.2")
    entry = ops.record(Actor(7, 3, ["zorgcoordinator", "professional"]), "read", outcome="allowed",
                       case_reference="ZT-AB12-CD34", object_type="signal", object_id=42, basis=basis,
                       on_behalf_of=5)
    assert entry.seq is None  # queued, not yet in the chain
    db.session.commit()
    first, = entries()
    assert first is entry and first.seq == 1 and first.prev_hash == GENESIS
    assert first.hash == entry_hash(content_of(first), app.config["AUDIT_KEY"])
    assert (first.user_id, first.organisation_id, first.roles) == (7, 3, ["professional", "zorgcoordinator"])
    assert (first.basis_key, first.basis_version, first.basis_article) == ("zorgtafel-voorbeeld", 3, "5.2")
    assert (first.object_type, first.object_id, first.on_behalf_of) == ("signal", "42", 5)
    assert first.basis_label() == "art. 5.2, convenant zorgtafel-voorbeeld v3"
    fill(2)
    assert [(e.seq, e.prev_hash) for e in entries()][1:] == [(2, first.hash), (3, entries()[1].hash)]


def test_rollback_leaves_no_entry_and_no_gap(ctx):
    ops.record(Actor(), "read", outcome="allowed")
    db.session.flush()
    db.session.rollback()
    assert _count() == 0
    fill(1)
    assert [e.seq for e in entries()] == [1]


def test_rolled_back_savepoint_drops_only_its_entries(ctx):
    ops.record(Actor(), "read", outcome="allowed", object_id="outer")
    savepoint = db.session.begin_nested()
    ops.record(Actor(), "read", outcome="allowed", object_id="inner")
    savepoint.rollback()
    db.session.commit()
    assert [e.object_id for e in entries()] == ["outer"]


def test_a_transaction_sees_its_own_entries(ctx):
    ops.record(Actor(), "register", outcome="success")
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1
    db.session.rollback()
    assert _count() == 0


@pytest.mark.parametrize("kwargs, message", [
    ({"outcome": "maybe"}, "unknown outcome"),
    ({"outcome": "allowed", "case_reference": "Jan de Vries"}, "never a name"),
])
def test_record_refuses_bad_input(ctx, kwargs, message):
    with pytest.raises(ValueError, match=message):
        ops.record(Actor(), "read", **kwargs)


def _logged(app) -> list[AuditEntry]:
    """The entries, read in a context of their own: requests need theirs (no ``ctx`` here)."""
    with app.app_context():
        found = entries()
        db.session.expunge_all()
        return found


def test_denied_page_is_logged_with_reason(app, factory, auth, client):
    account = factory.user("professional")
    auth.login(account)
    assert client.get("/beheer/gebruikers").status_code == 403
    denied = [e for e in _logged(app) if e.outcome == "denied"]
    assert len(denied) == 1
    entry = denied[0]
    assert (entry.user_id, entry.organisation_id, entry.action) == (account.id, account.organisation_id, "manage_users")
    assert "beheerder" in entry.reason  # the policy's own words
    assert (entry.object_type, entry.object_id) == ("page", "auth.users")
    assert entry.request_id and entry.client_ip == "127.0.0.1"


def test_allowed_admin_page_is_logged_but_own_pages_are_not(app, factory, auth, client):
    account = factory.user("beheerder")
    auth.login(account)
    assert client.get("/beheer/gebruikers").status_code == 200
    assert client.get("/account").status_code == 200
    actions = [(e.action, e.outcome) for e in _logged(app) if e.user_id == account.id]
    assert ("manage_users", "allowed") in actions
    assert all(action != "personal" for action, _ in actions)


def test_logins_logged(app, factory, auth, client):
    account = factory.user("professional")
    page = client.get("/inloggen")
    client.post("/inloggen", data={"email": account.email, "password": "fout-wachtwoord-123",
                                   "csrf_token": csrf_token(page.text)})
    client.post("/inloggen", data={"email": "niemand@test.zorgtafel.nl", "password": "fout-wachtwoord-123",
                                   "csrf_token": csrf_token(page.text)})
    auth.login(account)
    auth.logout()
    found = _logged(app)
    logged = [(e.action, e.outcome, e.user_id) for e in found if e.action in ("login", "logout")]
    assert logged == [("login", "failure", account.id), ("login", "failure", None),
                      ("login", "success", account.id), ("logout", "success", account.id)]
    assert all("wachtwoord" in e.reason for e in found if e.outcome == "failure")
    assert all("niemand" not in (e.reason or "") + (e.object_id or "") for e in found)  # no tried e-mail kept


def test_second_factor_failure_logged(app, factory, client):
    account = factory.user("professional")
    page = client.get("/inloggen")
    client.post("/inloggen", data={"email": account.email, "password": account.password,
                                   "csrf_token": csrf_token(page.text)})
    page = client.get("/inloggen/code")
    wrong = "000000" if account.code() != "000000" else "111111"
    client.post("/inloggen/code", data={"code": wrong, "csrf_token": csrf_token(page.text)})
    entry = _logged(app)[-1]
    assert (entry.action, entry.outcome, entry.user_id) == ("login", "failure", account.id)
    assert "tweede factor" in entry.reason


def test_user_lifecycle_logged(app, factory):
    admin = factory.user("beheerder")
    created = [e for e in _logged(app) if e.action == "user_created"]
    assert created and created[-1].object_id == str(admin.id)
    assert created[-1].user_id is None  # the factory acts as the command line does: no actor
