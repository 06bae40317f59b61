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


def _overdue_action(world, case, *, days_late: int, title: str):
    from datetime import timedelta

    from zorgtafel.core.timeutil import today_local
    from zorgtafel.meetings.models import ActionItem

    db.session.add(ActionItem(case_id=case.id, title=title, assignee_id=world.school.id,
                              assignee_organisation_id=world.school.organisation_id,
                              due_on=today_local() - timedelta(days=days_late), status="open",
                              created_by_id=world.coordinator.id))


def test_coordinator_sees_overdue_actions_of_every_partner(app, world, auth, client):
    subject = {"bsn": bsn()}
    with app.app_context():
        register(world.school, subject=subject)
        case = register(world.police, subject=subject).case
        _overdue_action(world, case, days_late=3, title="Gesprek met mentor")
        _overdue_action(world, case, days_late=-2, title="Nog niet verlopen")
        db.session.commit()
        reference = case.reference
    auth.login(world.coordinator)
    html = client.get("/").text
    panel = html.split('aria-labelledby="p-te-laat"')[1].split("</section>")[0]
    assert "Gesprek met mentor" in panel and reference in panel and "te laat" in panel
    assert "Nog niet verlopen" not in panel
    assert "1 actiepunt over de datum." in panel
    # The professional's dashboard has no such panel: it is the coordinator's overview.
    auth.login(world.police)
    assert 'p-te-laat' not in client.get("/").text


def test_privacy_officer_sees_recent_access_denials_and_safe_figures(app, world, auth, client):
    from sqlalchemy import func, select

    from zorgtafel.audit.models import AuditEntry

    with app.app_context():
        police_case = register(world.police).case.reference
        school_case = register(world.school).case.reference
        db.session.commit()
    auth.login(world.police)
    assert client.get(f"/casussen/{police_case}").status_code == 200
    assert client.get(f"/casussen/{school_case}").status_code == 404  # denied, and logged
    auth.login(world.privacy)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.user_id == world.privacy.id, AuditEntry.object_type == "audit_log"))
    html = client.get("/").text
    recent = html.split('data-testid="recent-access"')[1].split("</table>")[0]
    assert police_case in recent  # a police colleague's read, with its article
    assert "art." in recent
    denials = html.split('data-testid="denials"')[1].split("</ul>")[0]
    assert school_case in denials
    assert "keer geweigerd in de laatste 7 dagen" in html
    figures = html.split('data-testid="figures"')[1].split("</dl>")[0]
    assert "&lt;5" in figures  # two signals this month: suppressed, never shown as 2
    with app.app_context():
        after = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.user_id == world.privacy.id, AuditEntry.object_type == "audit_log"))
    assert after == before + 1  # showing the log on the dashboard is reading the log


def test_privacy_officer_sees_only_their_own_organisation_in_the_panel(app, world, auth, client):
    with app.app_context():
        school_case = register(world.school).case.reference
        db.session.commit()
    auth.login(world.school)
    assert client.get(f"/casussen/{school_case}").status_code == 200
    auth.login(world.privacy)  # a privacy officer of the police
    html = client.get("/").text
    assert school_case not in html


def test_coordinator_dashboard_in_english_names_the_urgency_in_english(app, world, auth, client):
    subject = {"bsn": bsn()}
    with app.app_context():
        register(world.school, subject=subject, urgency="hoog")
        register(world.police, subject=subject)
        db.session.commit()
    auth.login(world.coordinator)
    auth.post("/taal", {"lang": "en", "next": "/"}, page="/")
    html = client.get("/").text
    panel = html.split('data-testid="new-matches"')[1].split("</ul>")[0]
    assert "urgency high" in panel and "hoog" not in panel
