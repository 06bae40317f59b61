"""The web pages of the cases room, through the real login."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers.fixtures import AuthActions
from tests.helpers.people import bsn, invalid_bsn
from zorgtafel.core.timeutil import today_local


def _signal_form(**overrides):
    data = {"bsn": bsn(), "subject_role": "jongere", "category": "wegloopgedrag", "data_category": "signaal",
            "observed_on": (today_local() - timedelta(days=1)).isoformat(), "urgency": "midden",
            "description": "liep weg na school"}
    data.update(overrides)
    return data


def test_register_a_signal_in_the_browser(world, auth, client):
    auth.login(world.school)
    page = client.get("/signalen/nieuw")
    assert page.status_code == 200
    assert "noem in de toelichting geen namen van anderen" in page.text
    assert 'value="strafrechtelijk"' not in page.text  # the school may not register police data
    assert "<optgroup" in page.text
    response = auth.post("/signalen/nieuw", _signal_form())
    assert response.status_code == 302
    done = client.get(response.location)
    assert "Uw signaal is vastgelegd bij casus" in done.text and "Er is een match" not in done.text


def test_second_partner_sees_a_match_without_details(app, world, client):
    person = bsn()
    school = AuthActions(app, app.test_client())
    school.login(world.school)
    school.post("/signalen/nieuw", _signal_form(bsn=person))
    police = AuthActions(app, client)
    police.login(world.police)
    response = police.post("/signalen/nieuw", _signal_form(bsn=person, category="veel_geld_op_zak",
                                                            description="geheime info van de politie"))
    done = client.get(response.location)
    assert "Er is een match" in done.text
    assert "College" not in done.text  # which other partner: not told here


def test_wrong_bsn_gets_a_dutch_message_next_to_the_field(world, auth, client):
    auth.login(world.school)
    response = auth.post("/signalen/nieuw", _signal_form(bsn=invalid_bsn()))
    assert response.status_code == 422
    assert "Dit BSN klopt niet" in response.text
    assert 'id="bsn-error"' in response.text and "Er is iets niet goed ingevuld" in response.text


def test_future_date_refused(world, auth, client):
    auth.login(world.school)
    response = auth.post("/signalen/nieuw", _signal_form(observed_on=(today_local() + timedelta(days=2)).isoformat()))
    assert response.status_code == 422 and "ligt in de toekomst" in response.text


def test_case_page_shows_restricted_entry_to_the_school(app, world, client):
    person = bsn()
    police = AuthActions(app, app.test_client())
    police.login(world.police)
    police.post("/signalen/nieuw", _signal_form(bsn=person, category="veel_geld_op_zak", data_category="strafrechtelijk",
                                                description="proces-verbaal 123"))
    school = AuthActions(app, client)
    school.login(world.school)
    response = school.post("/signalen/nieuw", _signal_form(bsn=person))
    reference = client.get(response.location).text.split('data-testid="case-reference">')[1].split("<")[0]
    page = client.get(f"/casussen/{reference}")
    assert page.status_code == 200
    assert "Signaal van Politie Eenheid Voorbeeld — geen inzage op grond van het convenant." in page.text
    assert "proces-verbaal" not in page.text
    assert "zichtbaar op grond van art. 5.2" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    listing = client.get("/casussen")
    assert reference in listing.text


def test_invisible_case_is_a_404(app, world, factory, client):
    police = AuthActions(app, app.test_client())
    police.login(world.police)
    response = police.post("/signalen/nieuw", _signal_form())
    reference = police.client.get(response.location).text.split('data-testid="case-reference">')[1].split("<")[0]
    outsider = factory.user("professional", organisation_key="lvbzorg-voorbeeld")
    AuthActions(app, client).login(outsider)
    assert client.get(f"/casussen/{reference}").status_code == 404
    assert client.get("/casussen/ZT-0000-0000").status_code == 404


def test_coordinator_changes_status_and_links_cases(app, world, auth, client):
    school = AuthActions(app, app.test_client())
    school.login(world.school)
    refs = []
    for _ in range(2):
        response = school.post("/signalen/nieuw", _signal_form())
        refs.append(school.client.get(response.location).text.split('data-testid="case-reference">')[1].split("<")[0])
    auth.login(world.coordinator)
    page = f"/casussen/{refs[0]}"
    bad = auth.post(f"{page}/status", {"status": "monitoring", "note": ""}, page=page)
    assert bad.status_code == 409 and "kan een casus niet naar" in bad.text
    ok = auth.post(f"{page}/status", {"status": "in_weging", "note": "eerste weging"}, page=page)
    assert ok.status_code == 302
    assert "in weging" in client.get(page).text
    linked = auth.post(f"{page}/verbanden", {"other": refs[1], "kind": "peergroep"}, page=page)
    assert linked.status_code == 302
    html = client.get(page).text
    assert "<svg" in html and refs[1] in html


def test_school_fills_in_the_example_checklist_and_refers(app, world, auth, client):
    auth.login(world.school)
    response = auth.post("/signalen/nieuw", _signal_form())
    reference = client.get(response.location).text.split('data-testid="case-reference">')[1].split("<")[0]
    path = f"/casussen/{reference}/checklist/voorbeeld-risicofactoren"
    incomplete = auth.post(path, {"a-vroeg_trauma": "aanwezig"})
    assert incomplete.status_code == 422 and "Beantwoord elke vraag" in incomplete.text
    answers = {f"a-{k}": "aanwezig" for k in ("vroeg_trauma", "lvb", "seksueel_trauma")}
    answers.update({f"a-{k}": "afwezig" for k in ("loyaliteit", "online_contact", "weglopen", "verzuim", "thuissituatie")})
    assert auth.post(path, answers).status_code == 302
    page = f"/casussen/{reference}"
    assert auth.post(f"{page}/verwijzingen", {"instance": "veilig_thuis", "referred_on": today_local().isoformat(),
                                              "reason": "zorgen over thuissituatie"}, page=page).status_code == 302
    html = client.get(page).text
    assert "score 3 — <strong>verhoogd</strong>" in html
    assert "Verwezen naar <strong>Veilig Thuis</strong>" in html


def test_withdraw_own_signal_in_the_browser(world, auth, client):
    auth.login(world.school)
    response = auth.post("/signalen/nieuw", _signal_form(description="toch niet"))
    signal_id = response.location.split("/")[2]
    done = auth.post(f"/signalen/{signal_id}/intrekken", {"reason": "verkeerde leerling"})
    assert done.status_code == 302
    assert "toch niet" not in client.get(done.location).text


def test_reveal_in_the_browser(app, world, client):
    school = AuthActions(app, app.test_client())
    school.login(world.school)
    response = school.post("/signalen/nieuw", _signal_form(bsn="", family_name="Oudendijk", given_names="Femke",
                                                          birth_date="2010-10-10"))
    reference = school.client.get(response.location).text.split('data-testid="case-reference">')[1].split("<")[0]
    first = AuthActions(app, client)
    first.login(world.coordinator)
    asked = first.post(f"/casussen/{reference}/identiteit", {"reason": "overleg met de jeugdbescherming"})
    assert asked.status_code == 302
    request_path = asked.location
    assert "Oudendijk" not in client.get(request_path).text
    second = AuthActions(app, app.test_client())
    second.login(world.coordinator2)
    assert "Verzoek voor casus" in second.client.get("/onthullingen").text
    decided = second.post(request_path, {"decision": "approve", "note": ""})
    assert decided.status_code == 302
    shown = client.get(request_path)
    assert "Oudendijk" in shown.text and shown.headers["Cache-Control"] == "no-store"


def test_uninvolved_partner_can_neither_see_nor_add_to_a_case(app, world, factory, client):
    """Posting a form on a case one may not read gives the same 404 as an unknown case,
    writes nothing and shows nothing of the case (security review H1)."""
    police = AuthActions(app, app.test_client())
    police.login(world.police)
    response = police.post("/signalen/nieuw", _signal_form(description="proces-verbaal 4711"))
    reference = police.client.get(response.location).text.split('data-testid="case-reference">')[1].split("<")[0]
    outsider = factory.user("professional", organisation_key="lvbzorg-voorbeeld")
    auth = AuthActions(app, client)
    auth.login(outsider)
    page = f"/casussen/{reference}"
    for path, data in ((f"{page}/verwijzingen", {"instance": "veilig_thuis", "referred_on": "", "reason": ""}),
                       (f"{page}/verwijzingen", {"instance": "veilig_thuis", "referred_on": today_local().isoformat(),
                                                 "reason": "ik weet iets"}),
                       (f"{page}/checklist/voorbeeld-risicofactoren", {"a-lvb": "aanwezig"})):
        response = auth.post(path, data, page="/signalen/nieuw")
        assert response.status_code == 404, (path, response.status_code)
        assert "Politie" not in response.text and "4711" not in response.text
    from sqlalchemy import func, select

    from zorgtafel.cases.models import Referral, RiskAssessment
    from zorgtafel.extensions import db

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Referral)) == 0
        assert db.session.scalar(select(func.count()).select_from(RiskAssessment)) == 0


def test_organisation_in_two_convenants_chooses_one_in_the_form(app, world, auth, client):
    from tests.helpers.convenant import load_reference, reference_text

    load_reference(app, reference_text().replace("key: zorgtafel-su-voorbeeldregio", "key: tweede-regio"))
    auth.login(world.school)
    page = client.get("/signalen/nieuw")
    assert page.status_code == 200 and "Onder welk convenant?" in page.text
    missing = auth.post("/signalen/nieuw", _signal_form())
    assert missing.status_code == 422 and "kies er een" in missing.text
    chosen = auth.post("/signalen/nieuw", _signal_form(convenant="tweede-regio"))
    assert chosen.status_code == 302


def test_coordinator_registers_on_behalf_of_a_partner_in_the_form(app, world, auth, client):
    auth.login(world.coordinator)
    page = client.get("/signalen/nieuw")
    assert "Namens welke partner?" in page.text and "Voorbeeld College (mbo)" in page.text
    response = auth.post("/signalen/nieuw", _signal_form(on_behalf_of="college-voorbeeld"))
    assert response.status_code == 302
    reference = client.get(response.location).text.split('data-testid="case-reference">')[1].split("<")[0]
    case_page = client.get(f"/casussen/{reference}")
    assert "Voorbeeld College (mbo)" in case_page.text  # the signal is the school's
    school = AuthActions(app, app.test_client())
    school.login(world.school)
    assert "Namens welke partner?" not in school.client.get("/signalen/nieuw").text
