"""Statistics: small cells suppressed, totals never allow recomputing a hidden cell."""

from __future__ import annotations

from tests.helpers.people import bsn, register
from zorgtafel.extensions import db
from zorgtafel.privacy.statistics import SECONDARY, SUPPRESSED, Table


def test_table_suppression_rules():
    table = Table("t", "T", "x", [("a", 7), ("b", 3), ("c", 12)])
    # the population (22) is known elsewhere: one hidden cell alone would be 22 - 7 - 12
    assert table.cells == [("a", SECONDARY), ("b", SUPPRESSED), ("c", 12)]
    assert table.total is None
    two_small = Table("t", "T", "x", [("a", 7), ("b", 3), ("c", 2)])
    assert two_small.cells == [("a", 7), ("b", SUPPRESSED), ("c", SUPPRESSED)]
    full = Table("t", "T", "x", [("a", 7), ("c", 12)])
    assert full.total == 19
    assert Table("t", "T", "x", [("a", 0)]).cells == [("a", SUPPRESSED)]


def test_statistics_page_and_csv(app, world, auth, client):
    with app.app_context():
        for _ in range(6):
            register(world.school, subject={"bsn": bsn()}, category="wegloopgedrag")
        for _ in range(2):
            register(world.police, subject={"bsn": bsn()}, category="veel_geld_op_zak")
        db.session.commit()
    auth.login(world.privacy)
    page = client.get("/privacy/statistiek")
    assert page.status_code == 200
    html = page.text
    category = html.split('data-testid="table-signals_by_category"')[1].split("</table>")[0]
    # 8 signals in all (the month table says so): 6 shown beside "<5" would give the 2 away
    assert "<td>Wegloopgedrag</td><td>•</td>" in category
    assert "<td>Veel geld op zak</td><td>&lt;5</td>" in category
    assert "niet getoond" in category
    assert "<svg" in html
    csv = client.get("/privacy/statistiek?formaat=csv")
    assert csv.mimetype == "text/csv" and "Veel geld op zak;<5" in csv.text
    assert "Wegloopgedrag;6" not in csv.text and "Wegloopgedrag;2" not in csv.text
    auth_school = client  # a professional may not read statistics
    from tests.helpers.fixtures import AuthActions

    other = AuthActions(app, app.test_client())
    other.login(world.school)
    assert other.client.get("/privacy/statistiek").status_code == 403
