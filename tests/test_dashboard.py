"""A dashboard per role, each panel filtered by the policy."""

from __future__ import annotations

from tests.helpers.fixtures import AuthActions
from tests.helpers.people import bsn, register
from zorgtafel.extensions import db


def test_professional_sees_own_signals_and_cases(app, world, auth, client):
    with app.app_context():
        reference = register(world.school, category="schoolverzuim").case.reference
        other = register(world.police).case.reference
        db.session.commit()
    auth.login(world.school)
    html = client.get("/").text
    assert "Mijn signalen" in html and "Schoolverzuim" in html and reference in html
    assert other not in html


def test_coordinator_sees_new_matches(app, world, auth, client):
    subject = {"bsn": bsn()}
    with app.app_context():
        register(world.school, subject=subject)
        reference = register(world.police, subject=subject, category="veel_geld_op_zak").case.reference
        db.session.commit()
    auth.login(world.coordinator)
    html = client.get("/").text
    panel = html.split('data-testid="new-matches"')[1].split("</ul>")[0]
    assert reference in panel


def test_beheerder_sees_organisations_and_no_cases(app, world, factory, client):
    with app.app_context():
        reference = register(world.school).case.reference
        db.session.commit()
    admin = factory.user("beheerder", organisation_key="zorgcoordinatie-voorbeeld")
    AuthActions(app, client).login(admin)
    html = client.get("/").text
    assert "Organisaties en gebruikers" in html and "Politie Eenheid Voorbeeld" in html
    assert reference not in html
    assert client.get(f"/casussen/{reference}").status_code == 404
