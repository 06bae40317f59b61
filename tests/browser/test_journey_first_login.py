"""Journeys 1 and 6 of issue 7: a new professional of the school, whose beheerder created
the account, activates it, logs in for the first time, sets up the second factor from the
key on the page, keeps the recovery codes, and registers a signal by BSN through
/signalen/nieuw — reading the confirmation (case reference, what happens next). Once with
the mouse (with the mistakes people make on the way), once with the keyboard alone.
What happens with the signal next is in test_journey_signal_to_table.py."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.browser.journey import account_created_by_beheerder, totp_now, totp_secret_on_page
from tests.browser.story import SCHOOL_DESCRIPTION
from tests.helpers.convenant import load_reference
from tests.helpers.people import bsn, invalid_bsn
from zorgtafel.core.timeutil import today_local

REFERENCE = re.compile(r"^ZT-[A-Z0-9]{4}-[A-Z0-9]{4}$")


def _focused_id(person) -> str:
    return person.page.evaluate("() => document.activeElement && document.activeElement.id")


def test_new_school_professional_activates_enrols_and_registers_a_signal_by_bsn(app, person):
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
    assert "U heeft nog geen signalen geregistreerd." in page.locator("main").inner_text()
    person.narrow("overzicht-professional")

    # The worry: register a signal by BSN, from the dashboard.
    page.locator("main").get_by_role("link", name="Signaal registreren").click()
    person.wait_for_path("/signalen/nieuw")
    person.check("signaal-registreren", h1="Signaal registreren")
    person.narrow("signaal-registreren")
    # The school registers ordinary signals only: no choice of data category is offered.
    assert page.get_by_role("group", name="Soort gegevens").count() == 0
    # A typo in the BSN: the elfproef catches it, told at the field and at the top.
    page.get_by_label("BSN").fill(invalid_bsn())
    # The catalogue is grouped and searchable: typing narrows the list to what matches.
    page.get_by_label("Zoek een signaal").fill("verzuim")
    visible = page.locator("#category option:not([hidden])").all_inner_texts()
    assert visible == ["Schoolverzuim"], visible
    assert page.locator("#category optgroup:not([hidden])").count() == 1
    page.get_by_label("Zoek een signaal").fill("")
    assert page.locator("#category option:not([hidden])").count() > 20
    page.get_by_label("Wat heeft u gezien?").select_option(label="Schoolverzuim")
    page.get_by_label("Wanneer?").fill((today_local() - timedelta(days=2)).isoformat())
    page.get_by_role("group", name="Urgentie").get_by_label("Midden").check()
    page.get_by_label("Toelichting").fill(SCHOOL_DESCRIPTION)
    page.locator("main").get_by_role("button", name="Signaal registreren").click()
    person.check("signaal-registreren-fout", h1="Signaal registreren")
    assert page.locator("#foutmeldingen").get_by_role("link").first.get_attribute("href") == "#bsn"
    assert page.locator("#bsn").get_attribute("aria-invalid") == "true"
    assert page.locator("#bsn-error").inner_text().strip()
    assert page.get_by_label("Toelichting").input_value() == SCHOOL_DESCRIPTION  # nothing typed is lost
    subject_bsn = bsn()
    page.get_by_label("BSN").fill(subject_bsn)
    page.locator("main").get_by_role("button", name="Signaal registreren").click()
    page.wait_for_selector("[data-testid=case-reference]")
    person.check("signaal-geregistreerd", h1="Signaal geregistreerd")
    person.narrow("signaal-geregistreerd")
    reference = page.get_by_test_id("case-reference").inner_text().strip()
    assert REFERENCE.match(reference), reference
    main = page.locator("main").inner_text()
    assert "Wat gebeurt er nu?" in main and "De zorgcoördinator ziet uw signaal" in main
    assert page.get_by_test_id("match").count() == 0  # the first signal on this young person: no match
    assert subject_bsn not in main and subject_bsn not in page.url  # the BSN is not shown back
    page.get_by_role("link", name="Naar de casus").click()
    person.wait_for_path(f"/casussen/{reference}")
    person.check("casus-eigen-signaal", h1=f"Casus {reference}")
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "Schoolverzuim" in timeline and SCHOOL_DESCRIPTION in timeline  # its own signal, in full (art. 5.3)

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
    assert reference in page.locator("#p-mijn-signalen").locator("..").inner_text()


def test_keyboard_alone_activates_enrols_and_registers_a_signal(app, person):
    """Journey 6: the same with Tab, Shift+Tab, Enter, Space, arrows and typing only — no
    mouse click anywhere. Every element that gets focus on the way must show it."""
    load_reference(app)
    account = account_created_by_beheerder(app, "college-voorbeeld", name="Noor Bakker")
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
    person.check("toetsenbord-overzicht", h1="Overzicht", axe=False)  # as overzicht-professional

    # The signal, from the button on the dashboard.
    person.tab_to("main a[href='/signalen/nieuw']")
    keys.press("Enter")
    person.wait_for_path("/signalen/nieuw")
    person.check("toetsenbord-signaal-registreren", h1="Signaal registreren", axe=False)  # as signaal-registreren
    subject_bsn = bsn()
    person.tab_to("#bsn")
    keys.type(subject_bsn)
    person.tab_to("#category")
    keys.type("Weg")  # the first letters choose the option, as the hint says
    assert page.locator("#category").input_value() == "wegloopgedrag"
    person.tab_to("#observed_on")
    yesterday = today_local() - timedelta(days=1)
    person.type_date(yesterday)
    assert page.locator("#observed_on").input_value() == yesterday.isoformat()
    person.tab_to("input[name=urgency]:checked")  # a radio group is one Tab stop; arrows choose
    keys.press("ArrowDown")
    assert page.locator("input[name=urgency]:checked").get_attribute("value") == "hoog"
    person.tab_to("#description")
    keys.type("Loopt weg uit de les; wordt na school opgehaald met een auto.")
    person.tab_to("#category", shift=True)  # back up with Shift+Tab: not running away, truancy
    keys.press("ArrowDown")  # the next one in the list
    assert page.locator("#category").input_value() == "schoolverzuim"
    person.tab_to("main button[type=submit]")
    with page.expect_navigation():
        keys.press("Space")
    page.wait_for_selector("[data-testid=case-reference]")
    person.check("toetsenbord-signaal-geregistreerd", h1="Signaal geregistreerd", axe=False)  # as signaal-geregistreerd
    reference = page.get_by_test_id("case-reference").inner_text().strip()
    assert REFERENCE.match(reference), reference
    person.tab_to("main a[href^='/casussen/']")
    keys.press("Enter")
    person.wait_for_path(f"/casussen/{reference}")
    person.check("toetsenbord-casus", h1=f"Casus {reference}", axe=False)  # as casus-eigen-signaal
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "Schoolverzuim" in timeline and "urgentie: hoog" in timeline and "opgehaald met een auto" in timeline

    # The account page and logging out, by keyboard too.
    person.tab_to("a[href='/account']")
    keys.press("Enter")
    person.wait_for_path("/account")
    person.check("toetsenbord-account", h1="Mijn account")
    person.tab_to("form[action='/uitloggen'] button")
    keys.press("Enter")
    person.wait_for_path("/inloggen")
    assert "U bent uitgelogd." in person.flash()
