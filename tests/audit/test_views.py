"""The privacy officer's search of the log (queries and pages), the CSV export, and the
"Wat heb ik ingezien" page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import event

from tests.audit.conftest import Actor
from tests.helpers.convenant import load_reference
from zorgtafel.audit import operations as ops
from zorgtafel.audit import queries
from zorgtafel.audit.models import AuditEntry
from zorgtafel.audit.queries import AuditFilter
from zorgtafel.audit.views import _cell
from zorgtafel.convenant.policy import Basis, Decision
from zorgtafel.core.models import utcnow
from zorgtafel.extensions import db

CASE = "ZT-AB12-CD34"


def _as_actor(account, roles=("professional",)) -> Actor:
    return Actor(id=account.id, organisation_id=account.organisation_id, roles=roles)


@pytest.fixture
def log(app, factory):
    """Under the reference convenant: at the police a privacy officer and a colleague, at
    the school a professional."""
    load_reference(app)
    privacy = factory.user("privacy", organisation_key="politie-voorbeeld")
    colleague = factory.user("professional", organisation_key="politie-voorbeeld")
    other = factory.user("professional", organisation_key="college-voorbeeld")
    with app.app_context():
        with time_machine.travel(utcnow() - timedelta(days=40), tick=False):
            ops.record(_as_actor(colleague), "read", outcome="allowed", case_reference=CASE, object_type="signal",
                       object_id=1, basis=Basis("zt", 1, "5.2"))
        ops.record(_as_actor(colleague), "reveal", outcome="denied", case_reference=CASE, reason="geen grond")
        ops.record(_as_actor(colleague), "read", outcome="allowed", case_reference="ZT-9XK2-77QA")
        ops.record(_as_actor(other), "read", outcome="allowed", case_reference=CASE, object_id="van-b")
        db.session.commit()
    return privacy, colleague, other


def _seqs(page) -> list[int]:
    return [row[0].seq for row in page.rows]


def test_visible_entries_are_the_own_organisations(ctx, log):
    privacy, colleague, other = log
    page = queries.search_page(_as_actor(privacy, ('privacy',)), AuditFilter())
    assert {row[0].user_id for row in page.rows} == {colleague.id}
    assert all(row[0].object_id != "van-b" for row in page.rows)
    assert _seqs(page) == sorted(_seqs(page), reverse=True)  # newest first
    assert {row.user_name for row in page.rows} == {"Test professional"}


@pytest.mark.parametrize("flt, expected_actions", [
    (AuditFilter(case_reference=CASE), ["reveal", "read"]),
    (AuditFilter(action="reveal"), ["reveal"]),
    (AuditFilter(denied_only=True), ["reveal"]),
    (AuditFilter(start=(utcnow() - timedelta(days=41)).date(), end=(utcnow() - timedelta(days=39)).date()), ["read"]),
    (AuditFilter(start=(utcnow() - timedelta(days=1)).date()), ["read", "reveal"]),
])
def test_filters(ctx, log, flt, expected_actions):
    privacy, colleague, _ = log
    rows = queries.search_page(_as_actor(privacy, ('privacy',)), flt).rows
    assert [row[0].action for row in rows if row[0].user_id == colleague.id] == expected_actions


def test_filters_never_widen_the_scope(ctx, log):
    privacy, _, other = log
    actor = _as_actor(privacy, ('privacy',))
    assert queries.search_page(actor, AuditFilter(user_id=other.id)).rows == []
    assert queries.search_page(actor, AuditFilter(organisation_id=other.organisation_id)).rows == []


def test_keyset_pages_and_export_iterator(ctx, log):
    privacy, colleague, _ = log
    actor = _as_actor(privacy, ('privacy',))
    for i in range(5):
        ops.record(_as_actor(colleague), "read", outcome="allowed", object_id=i)
    db.session.commit()
    everything = _seqs(queries.search_page(actor, AuditFilter(), limit=100))
    paged, before = [], None
    while True:
        page = queries.search_page(actor, AuditFilter(), before=before, limit=3)
        paged += _seqs(page)
        if page.next_before is None:
            break
        before = page.next_before
    assert paged == everything and len(everything) == 8
    assert [row[0].seq for row in queries.iter_search(queries.search_statement(actor, AuditFilter()), batch_size=3)] == everything


def test_a_page_is_one_statement(app, ctx, log):
    privacy = _as_actor(log[0], ("privacy",))
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    with app.test_request_context("/logboek"):
        from zorgtafel.convenant import policy

        policy.in_force()  # the rule set is read once per request, before the page
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            page = queries.search_page(privacy, AuditFilter(), limit=2)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert len(page.rows) == 2
    assert len([s for s in statements if not s.startswith("SAVEPOINT")]) == 1, statements


def test_csv_cells_cannot_become_formulas():
    assert _cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert _cell("-1+1") == "'-1+1" and _cell("ZT-AB12-CD34") == "ZT-AB12-CD34" and _cell(None) == ""


# -- pages ------------------------------------------------------------------------------


class AllowAudit:
    """The policy, except that a privacy officer may read the log: the outcome art. 9.1
    gives, without depending on the convenant package's state."""

    def __init__(self, real):
        self.real = real

    def decide(self, actor, action, target=None):
        if action == "read_audit" and actor.has_role("privacy"):
            return Decision(True, Basis("zorgtafel-su-voorbeeldregio", 1, "9.1"), "privacyfunctionaris")
        return self.real.decide(actor, action, target)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.fixture
def audit_allowed(app, monkeypatch):
    monkeypatch.setitem(app.extensions, "zorgtafel.policy", AllowAudit(app.extensions["zorgtafel.policy"]))


def _entries(app, **where) -> list[AuditEntry]:
    with app.app_context():
        from sqlalchemy import select

        stmt = select(AuditEntry).filter_by(**where).order_by(AuditEntry.seq)
        found = list(db.session.scalars(stmt))
        db.session.expunge_all()
        return found


def test_privacy_officer_searches_and_exports(app, log, auth, client, audit_allowed):
    privacy, colleague, _ = log
    auth.login(privacy)
    page = client.get("/logboek")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    assert "art. 9.1, convenant zorgtafel-su-voorbeeldregio v1" in page.text
    assert "geen grond" in page.text and "van-b" not in page.text
    assert '<label for="casus"' in page.text
    read = _entries(app, user_id=privacy.id, action="read_audit")
    assert read and read[-1].outcome == "allowed" and read[-1].basis_article == "9.1"

    found = client.get("/logboek", query_string={"casus": CASE.lower(), "geweigerd": "y"})
    assert found.status_code == 200 and "geen grond" in found.text and "5.2" not in found.text
    search, = _entries(app, user_id=privacy.id, action="search")
    assert search.case_reference == CASE

    export = client.get("/logboek/export.csv", query_string={"casus": CASE})
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert {r["handeling"] for r in rows} >= {"read", "reveal"}
    assert all(r["casus"] in (CASE, "") for r in rows) and all(r["organisatie"] for r in rows)
    exported, = _entries(app, user_id=privacy.id, action="export")
    assert exported.case_reference == CASE


def test_a_name_in_the_case_filter_is_refused(log, auth, client, audit_allowed):
    auth.login(log[0])
    page = client.get("/logboek", query_string={"casus": "Jan de Vries"})
    assert page.status_code == 422 and "ZT-AB12-CD34" in page.text and "geen grond" not in page.text


def test_a_professional_may_not_read_the_log_and_that_is_logged(app, log, auth, client):
    _, colleague, _ = log
    auth.login(colleague)
    assert client.get("/logboek").status_code == 403
    assert client.get("/logboek/export.csv").status_code == 403
    denied = _entries(app, user_id=colleague.id, outcome="denied", action="read_audit")
    assert [(e.object_type, e.object_id) for e in denied] == [("page", "audit.search"), ("page", "audit.export")]


def test_privacy_officer_reads_the_log_under_the_reference_convenant(app, factory, auth, client):
    load_reference(app)
    privacy = factory.user("privacy", organisation_key="politie-voorbeeld")
    colleague = factory.user("professional", organisation_key="politie-voorbeeld")
    outsider = factory.user("professional", organisation_key="college-voorbeeld")
    with app.app_context():
        ops.record(_as_actor(colleague), "read", outcome="allowed", case_reference=CASE, object_id="collega")
        ops.record(_as_actor(outsider), "read", outcome="allowed", case_reference=CASE, object_id="buiten")
        db.session.commit()
    auth.login(privacy)
    page = client.get("/logboek")
    assert page.status_code == 200
    assert "collega" in page.text and "buiten" not in page.text
    assert "art. 9.1" in page.text
    assert client.get("/logboek/export.csv").status_code == 200


def test_own_page_shows_what_i_did_and_nothing_of_others(app, log, auth, client):
    _, colleague, other = log
    auth.login(colleague)
    assert client.get("/beheer/gebruikers").status_code == 403
    page = client.get("/wat-heb-ik-ingezien")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    assert "Wat heb ik ingezien" in page.text
    assert "Gebruikers beheren" in page.text and "geweigerd" in page.text and CASE in page.text
    assert "art. 5.2, convenant zt v1" in page.text
    assert "van-b" not in page.text
    assert 'href="/wat-heb-ik-ingezien"' in page.text  # in the menu for every role


def test_own_page_pages_by_keyset(app, factory, auth, client):
    account = factory.user("professional")
    with app.app_context():
        for i in range(55):
            ops.record(_as_actor(account), "read", outcome="allowed", object_id=f"obj-{i:02d}")
        db.session.commit()
    auth.login(account)
    first = client.get("/wat-heb-ik-ingezien")
    assert "obj-54" in first.text and "obj-04" not in first.text
    link = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = client.get(link)
    assert "obj-04" in second.text and "obj-54" not in second.text and 'rel="next"' not in second.text
