"""Journey: a new professional whose beheerder created the account activates it, logs in,
sets up the second factor from the key on the page, keeps the recovery codes and reaches
the dashboard — once with the mouse, once with the keyboard alone (issue 7, journeys 1
and 6 for the part that exists; registering a signal follows when that page exists)."""

from __future__ import annotations

from tests.browser.journey import account_created_by_beheerder, totp_now, totp_secret_on_page
from tests.helpers.convenant import load_reference


def _focused_id(person) -> str:
    return person.page.evaluate("() => document.activeElement && document.activeElement.id")


def test_new_professional_activates_enrols_and_reaches_the_dashboard(app, person):
    load_reference(app)
    account = account_created_by_beheerder(app, "college-voorbeeld")
    page = person.page

    # The activation link from the beheerder: choose a password (first with a typo).
    person.goto(account.activation_path)
    person.check("activeren", h1="Account activeren", lang="nl")
    page.get_by_label("Nieuw wachtwoord").fill(account.password)
    page.get_by_label("Herhaal het wachtwoord").fill(account.password + "x")
    page.get_by_role("button", name="Wachtwoord instellen").click()
    person.check("activeren-fout", h1="Account activeren")
    # The error is summarised at the top (focused, so it is read first) and told next to
    # the field, linked to it for assistive technology.
    summary = page.locator("#foutmeldingen")
    assert summary.get_attribute("role") == "alert" and _focused_id(person) == "foutmeldingen"
    link = summary.get_by_role("link", name="De wachtwoorden zijn niet gelijk.")
    assert link.get_attribute("href") == "#confirm"
    confirm = page.locator("#confirm")
    assert confirm.get_attribute("aria-invalid") == "true"
    assert "confirm-error" in confirm.get_attribute("aria-describedby")
    assert "De wachtwoorden zijn niet gelijk." in page.locator("#confirm-error").inner_text()
    link.click()
    assert _focused_id(person) == "confirm"
    page.get_by_label("Nieuw wachtwoord").fill(account.password)
    page.get_by_label("Herhaal het wachtwoord").fill(account.password)
    page.get_by_role("button", name="Wachtwoord instellen").click()

    # Log in: password, then set up the authenticator app.
    person.wait_for_path("/inloggen")
    assert "Uw wachtwoord is ingesteld" in person.flash()
    person.check("inloggen", h1="Inloggen")
    page.get_by_label("E-mailadres").fill(account.email)
    page.get_by_label("Wachtwoord").fill(account.password)
    page.get_by_role("button", name="Volgende").click()
    person.wait_for_path("/inloggen/instellen")
    person.check("tweede-factor-instellen", h1="Tweede factor instellen")
    qr = page.get_by_role("img", name="QR-code om Zorgtafel aan uw authenticator-app toe te voegen")
    assert qr.is_visible()
    secret = totp_secret_on_page(person)
    assert len(secret) >= 16

    page.get_by_label("Code uit uw authenticator-app").fill("000000" if totp_now(secret) != "000000" else "111111")
    page.get_by_role("button", name="Bevestigen").click()
    person.check("tweede-factor-fout", h1="Tweede factor instellen")
    assert "Deze code klopt niet" in page.locator("#foutmeldingen").inner_text()
    assert totp_secret_on_page(person) == secret  # the same key: the app need not be set up again

    page.get_by_label("Code uit uw authenticator-app").fill(totp_now(secret))
    page.get_by_role("button", name="Bevestigen").click()
    person.check("herstelcodes", h1="Uw herstelcodes")
    codes = [c.strip() for c in page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()]
    assert len(codes) == 10 and len(set(codes)) == 10

    page.get_by_role("link", name="Ik heb ze bewaard, ga verder").click()
    person.wait_for_path("/")
    person.check("overzicht-professional", h1="Overzicht")
    assert f"Welkom, {account.name}." in page.locator("main").inner_text()
    person.narrow("overzicht-professional")

    # Phone left at home: log out and in again with a stored recovery code.
    page.get_by_role("button", name="Uitloggen").click()
    person.wait_for_path("/inloggen")
    assert "U bent uitgelogd." in person.flash()
    page.get_by_label("E-mailadres").fill(account.email)
    page.get_by_label("Wachtwoord").fill(account.password)
    page.get_by_role("button", name="Volgende").click()
    person.wait_for_path("/inloggen/code")
    person.check("inloggen-code", h1="Code invoeren")
    page.get_by_label("Code uit uw authenticator-app of een herstelcode").fill(codes[3])
    page.get_by_role("button", name="Inloggen").click()
    person.wait_for_path("/")
    assert person.h1() == "Overzicht"


def test_keyboard_alone_activates_enrols_and_reaches_the_dashboard(app, person):
    """Journey 6: the same with Tab, Enter and typing only — no mouse click anywhere.
    Every element that gets focus on the way must show it."""
    load_reference(app)
    account = account_created_by_beheerder(app, "politie-voorbeeld", name="Noor Bakker")
    page, keys = person.page, person.page.keyboard

    person.goto(account.activation_path)
    person.check("toetsenbord-activeren", h1="Account activeren")
    # The first Tab reaches the skip link, visibly; Enter moves to the main content.
    keys.press("Tab")
    first = person.focused()
    assert first["tag"] == "a" and first["text"] == "Naar de inhoud" and first["visible"], first
    assert first["outline"] or first["shadow"]
    keys.press("Enter")
    assert _focused_id(person) == "inhoud"
    person.tab_to("#password")
    keys.type(account.password)
    keys.press("Tab")
    assert _focused_id(person) == "confirm"
    keys.type(account.password)
    keys.press("Enter")

    person.wait_for_path("/inloggen")
    person.check("toetsenbord-inloggen", h1="Inloggen")
    person.tab_to("#email")
    keys.type(account.email)
    person.tab_to("#password")
    keys.type(account.password)
    keys.press("Enter")

    person.wait_for_path("/inloggen/instellen")
    person.check("toetsenbord-tweede-factor", h1="Tweede factor instellen")
    secret = totp_secret_on_page(person)  # read from the screen, typed into the phone
    person.tab_to("#code")
    keys.type(totp_now(secret))
    with page.expect_navigation():
        keys.press("Enter")
    person.check("toetsenbord-herstelcodes", h1="Uw herstelcodes")
    person.tab_to("a.button.primary")
    keys.press("Enter")
    person.wait_for_path("/")
    person.check("toetsenbord-overzicht", h1="Overzicht")

    # The account page and logging out, by keyboard too.
    person.tab_to("a[href='/account']")
    keys.press("Enter")
    person.wait_for_path("/account")
    person.check("toetsenbord-account", h1="Mijn account")
    person.tab_to("form[action='/uitloggen'] button")
    keys.press("Enter")
    person.wait_for_path("/inloggen")
    assert "U bent uitgelogd." in person.flash()
