"""The convenant page, version diff, loading by the beheerder, and the simulator."""

from __future__ import annotations

from tests.helpers.convenant import load_reference, reference_text


def _user(factory, role, org_key):
    return factory.user(role, organisation_key=org_key)


def test_convenant_page_shows_rules_as_sentences(app, factory, auth, client):
    load_reference(app)
    account = _user(factory, "professional", "college-voorbeeld")
    auth.login(account)
    index = client.get("/convenant")
    assert index.status_code == 200 and "zorgtafel-su-voorbeeldregio" in index.text
    page = client.get("/convenant/zorgtafel-su-voorbeeldregio/versie/1")
    assert page.status_code == 200
    assert "Art. 5.5" in page.text
    assert "Professionals van politie mogen inzien: strafrechtelijk — van casussen waarbij de eigen organisatie betrokken is." in page.text
    assert "1 oktober 2026" in page.text  # the GGD's left_on
    assert page.text.count("<h1>") == 1


def test_diff_between_versions(app, factory, auth, client):
    load_reference(app)
    load_reference(app, reference_text().replace("version: 1", "version: 2").replace(
        "categories: [signaal, verslag, actiepunt]", "categories: [signaal, actiepunt]"))
    auth.login(_user(factory, "privacy", "politie-voorbeeld"))
    page = client.get("/convenant/zorgtafel-su-voorbeeldregio/verschil?van=1&naar=2")
    assert page.status_code == 200
    assert "Art. 5.2 — gewijzigd" in page.text
    assert "-    categories: [signaal, verslag, actiepunt]" in page.text
    assert client.get("/convenant/zorgtafel-su-voorbeeldregio/verschil?van=x&naar=2").status_code == 400


def test_beheerder_loads_a_new_version_and_bad_text_is_refused(app, factory, auth, client):
    load_reference(app)
    auth.login(_user(factory, "beheerder", "zorgcoordinatie-voorbeeld"))
    bad = auth.post("/convenant", {"text": reference_text().replace("version: 1", "version: 2").replace("scope: all", "scope: alles")})
    assert bad.status_code == 422 and "onbekende waarde &#39;alles&#39;" in bad.text
    good = auth.post("/convenant", {"text": reference_text().replace("version: 1", "version: 2")})
    assert good.status_code == 302 and good.location.endswith("/convenant/zorgtafel-su-voorbeeldregio/versie/2")


def test_professional_cannot_load_a_convenant(app, factory, auth, client):
    load_reference(app)
    auth.login(_user(factory, "professional", "politie-voorbeeld"))
    response = auth.post("/convenant", {"text": reference_text().replace("version: 1", "version: 2")})
    assert response.status_code == 403


def test_simulator_shows_articles(app, factory, auth, client):
    _, orgs = load_reference(app)
    auth.login(_user(factory, "privacy", "politie-voorbeeld"))
    page = client.get(f"/convenant/simulator?convenant=zorgtafel-su-voorbeeldregio&organisation={orgs['college-voorbeeld']}&role=professional")
    assert page.status_code == 200
    html = page.text
    # the school: own signals in full (5.3), involved cases without free text (5.2), no police data
    row = html.split(">strafrechtelijk<")[1].split("</tr>")[0]
    assert "art. 5.3" in row and row.count("nee") == 2
    toelichting = html.split(">toelichting<")[1].split("</tr>")[0]
    assert "art. 5.3" in toelichting and toelichting.count("nee") == 2
    assert "het overleg plannen: nee" in html


def test_simulator_refused_for_professional(app, factory, auth, client):
    load_reference(app)
    auth.login(_user(factory, "professional", "politie-voorbeeld"))
    assert client.get("/convenant/simulator").status_code == 403


def test_beheerder_cannot_probe_involvement_with_the_simulator(app, factory, auth, client):
    """Security review M1: which organisation is involved in a case is case information."""
    _, orgs = load_reference(app)
    auth.login(_user(factory, "beheerder", "zorgcoordinatie-voorbeeld"))
    page = client.get(f"/convenant/simulator?convenant=zorgtafel-su-voorbeeldregio&organisation={orgs['politie-voorbeeld']}"
                      "&role=professional&case=ZT-0000-0000")
    assert page.status_code == 200
    assert "Alleen zorgcoördinatoren en privacyfunctionarissen kunnen een casus kiezen." in page.text
    assert "bestaat niet" not in page.text
