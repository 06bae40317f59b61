"""Journey: the beheerder adds a user (first forgetting the required fields), hands out the
activation link, and deactivates a colleague who left — who can then no longer log in."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.browser.journey import login
from tests.helpers.convenant import load_reference


def test_beheerder_adds_a_user_and_deactivates_one(app, factory, new_person):
    load_reference(app)
    beheerder = factory.user("beheerder", organisation_key="zorgcoordinatie-voorbeeld")
    leaver = factory.user("professional", organisation_key="politie-voorbeeld")
    person = new_person("-beheerder")
    page = person.page

    login(person, beheerder, app)
    person.check("overzicht-beheerder", h1="Overzicht")
    page.get_by_role("link", name="Gebruikers beheren").click()  # from the beheerder's dashboard panel
    person.wait_for_path("/beheer/gebruikers")
    person.check("gebruikers", h1="Gebruikers")

    # Submitted empty: every problem is listed at the top and told at its field.
    page.get_by_role("button", name="Toevoegen").click()
    person.check("gebruikers-fout", h1="Gebruikers")
    summary = page.locator("#foutmeldingen")
    links = {a.inner_text(): a.get_attribute("href") for a in summary.get_by_role("link").all()}
    assert links == {"Vul een naam in.": "#name", "Vul een e-mailadres in.": "#email", "Kies minstens één rol.": "#roles"}
    roles = page.get_by_role("group", name="Rollen")
    assert roles.get_attribute("aria-describedby") == "roles-hint roles-error"
    assert "Kies minstens één rol." in page.locator("#roles-error").inner_text()
    summary.get_by_role("link", name="Kies minstens één rol.").click()
    assert page.evaluate("() => document.activeElement.id") == "roles-0"  # the first choice

    page.get_by_label("Naam").fill("Ahmed Yilmaz")
    page.get_by_label("E-mailadres").fill("a.yilmaz@college.voorbeeld.nl")
    page.get_by_label("Organisatie").select_option(label="Voorbeeld College (mbo)")
    roles.get_by_role("checkbox", name="Professional").check()
    page.get_by_role("button", name="Toevoegen").click()
    page.wait_for_selector("[data-testid=activation-link]")
    person.check("gebruikers-toegevoegd", h1="Gebruikers")
    assert "Account aangemaakt voor Ahmed Yilmaz." in person.flash()
    link = page.get_by_test_id("activation-link").inner_text().strip()
    row = page.get_by_role("row").filter(has_text="a.yilmaz@college.voorbeeld.nl")
    assert "Voorbeeld College (mbo)" in row.inner_text() and "actief" in row.inner_text()
    person.narrow("gebruikers-toegevoegd")

    # A colleague left: deactivate the account (the button names whom it is for).
    page.get_by_role("button", name="Deactiveren Test professional").click()
    person.wait_for_path("/beheer/gebruikers")
    person.check("gebruikers-gedeactiveerd", h1="Gebruikers")
    assert "Account gedeactiveerd; alle sessies zijn beëindigd." in person.flash()
    row = page.get_by_role("row").filter(has_text=leaver.email)
    assert "gedeactiveerd" in row.inner_text()
    assert row.get_by_role("button", name="Heractiveren Test professional").is_visible()

    # The leaver cannot log in any more; the newcomer's link opens the activation page.
    other = new_person("-vertrokken")
    other.goto("/inloggen")
    other.page.get_by_label("E-mailadres").fill(leaver.email)
    other.page.get_by_label("Wachtwoord").fill(leaver.password)
    other.page.get_by_role("button", name="Volgende").click()
    other.check("inloggen-fout", h1="Inloggen")
    assert "Deze combinatie van e-mailadres en wachtwoord kennen we niet." in other.page.locator("#foutmeldingen").inner_text()
    other.goto(urlsplit(link).path)
    assert other.h1() == "Account activeren"
