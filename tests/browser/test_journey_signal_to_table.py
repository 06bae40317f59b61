"""Journeys 2 to 5 of issue 7 — what happens after the school's signal (journeys 1 and 6
are in test_journey_first_login.py) — in a real Chromium against the live server on
PostgreSQL and Redis, with a real Celery worker where something is sent later, under the
reference convenant:

2. the police registers on the same young person: a match, which the zorgcoördinator sees
   on the dashboard and behind the bell (the e-mail goes out through the outbox and the
   worker); the match is also a task in the coordinator's queue;
3. the zorgcoördinator weighs the case, plans the overleg with the school and the police
   (invitations through the worker), holds it — attendance, decision and minutes, an
   action for the school — and approves the minutes;
4. the school finds its action, updates it with a note, and sees the police's entry on
   the case as restricted ("geen inzage op grond van het convenant");
5. the school's privacy officer finds who read the case and on which article.

Each journey is one test and runs on its own: what the journeys before it did is built
through the operations (tests/browser/story.py). Every page reached gets
``person.check`` (one h1, skip link, no CSP violation, axe without serious or critical
findings, a screenshot); the main pages also ``person.narrow`` (360 px). Their English
versions are in test_journey_language.py.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.browser.journey import login
from tests.browser.story import (
    ACTION_TITLE, POLICE_DESCRIPTION, SCHOOL_DESCRIPTION, matched_case, overleg_with_action, school_signal,
)
from tests.helpers.fixtures import AuthActions
from tests.helpers.worker import wait_until
from zorgtafel.core.timeutil import today_local

RESTRICTED = "Signaal van Politie Eenheid Voorbeeld — geen inzage op grond van het convenant."


def test_police_registers_on_the_same_young_person_and_the_coordinator_sees_the_match(
        app, world, new_person, celery_worker, smtp_server):
    """Journey 2."""
    story = school_signal(app, world)
    police = new_person("-politie")
    page = police.page
    login(police, world.police, app)
    police.check("overzicht-politie", h1="Overzicht", axe=False)  # as overzicht-professional
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Signaal registreren").click()
    police.wait_for_path("/signalen/nieuw")
    police.check("signaal-registreren-politie", h1="Signaal registreren")
    page.get_by_label("BSN").fill(story.bsn)
    page.get_by_label("Wat heeft u gezien?").select_option(label="Veel geld op zak")
    page.get_by_label("Wanneer?").fill((today_local() - timedelta(days=1)).isoformat())
    page.get_by_role("group", name="Urgentie").get_by_label("Hoog").check()
    # The police may register criminal data (art. 6.2); the choice is offered to it only.
    page.get_by_role("group", name="Soort gegevens").get_by_label("Strafrechtelijke of politiegegevens").check()
    page.get_by_label("Toelichting").fill(POLICE_DESCRIPTION)
    page.locator("main").get_by_role("button", name="Signaal registreren").click()
    page.wait_for_selector("[data-testid=case-reference]")
    police.check("signaal-geregistreerd-match", h1="Signaal geregistreerd")
    assert page.get_by_test_id("case-reference").inner_text().strip() == story.reference
    assert "Er is een match:" in page.get_by_test_id("match").inner_text()
    # ... without telling the police who else worried, or what.
    main = page.locator("main").inner_text()
    assert "College" not in main and SCHOOL_DESCRIPTION not in main

    # The e-mail to the zorgcoördinator leaves through the outbox and the real worker.
    def match_mail():
        return [m for m in smtp_server.messages if world.coordinator.email in m.rcpt_tos
                and story.reference in str(m.message["Subject"])]
    mails = wait_until(match_mail, timeout=30, message="the match e-mail to the zorgcoördinator")
    assert str(mails[0].message["Subject"]) == f"Zorgtafel: Nieuwe match ({story.reference})"
    assert story.bsn not in mails[0].text() and POLICE_DESCRIPTION not in mails[0].text()

    coordinator = new_person("-coordinator")
    page = coordinator.page
    login(coordinator, world.coordinator, app)
    coordinator.check("overzicht-coordinator-match", h1="Overzicht")
    coordinator.narrow("overzicht-coordinator-match")
    assert story.reference in page.get_by_test_id("new-matches").inner_text()
    bell = page.get_by_role("navigation", name="Hoofdmenu").locator("a[href='/meldingen']")
    assert bell.locator(".count").inner_text().strip() == "1"
    assert "1 ongelezen melding" in bell.inner_text()
    bell.click()
    coordinator.wait_for_path("/meldingen")
    coordinator.check("meldingen", h1="Meldingen")
    coordinator.narrow("meldingen")
    notification = page.locator("li.notification.unread")
    assert notification.count() == 1 and f"Nieuwe match · {story.reference}" in notification.inner_text()
    notification.get_by_role("button", name=f"Openen Nieuwe match {story.reference}").click()
    coordinator.wait_for_path(f"/casussen/{story.reference}")
    coordinator.check("casus-coordinator", h1=f"Casus {story.reference}")
    coordinator.narrow("casus-coordinator")
    timeline = page.get_by_test_id("timeline").inner_text()
    # The zorgcoördinator sees everything (art. 5.1), the police's criminal data included.
    assert POLICE_DESCRIPTION in timeline and SCHOOL_DESCRIPTION in timeline and "Match" in timeline
    assert page.get_by_test_id("restricted").count() == 0
    assert page.get_by_role("navigation", name="Hoofdmenu").locator("a[href='/meldingen'] .count").count() == 0

    # The match is also a task in the coordinator's queue, with a deadline.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name=re.compile("^Taken")).click()
    coordinator.wait_for_path("/taken")
    coordinator.check("taken", h1="Taken")
    coordinator.narrow("taken")
    assert f"Nieuwe match wegen — {story.reference}" in page.get_by_test_id("tasks").inner_text()


def test_coordinator_plans_and_holds_the_overleg_with_an_action_for_the_school(
        app, world, new_person, celery_worker, smtp_server):
    """Journey 3."""
    from zorgtafel.extensions import db
    from zorgtafel.meetings.models import AgendaItem, Participant

    story = matched_case(app, world)
    coordinator = new_person("-coordinator")
    page = coordinator.page
    login(coordinator, world.coordinator, app)
    page.get_by_test_id("new-matches").get_by_role("link", name=story.reference).click()
    coordinator.wait_for_path(f"/casussen/{story.reference}")
    coordinator.check("j3-casus", h1=f"Casus {story.reference}", axe=False)  # as casus-coordinator

    # Weigh it: status 'in weging', with the reason.
    page.get_by_label("Nieuwe status").select_option(label="in weging")
    page.get_by_label("Toelichting bij het besluit").fill("Match van school en politie: bespreken aan tafel.")
    page.locator("#status-wijzigen").get_by_role("button", name="Status wijzigen").click()
    coordinator.wait_for_path(f"/casussen/{story.reference}")
    assert "De status is gewijzigd in 'in weging'." in coordinator.flash()
    assert page.get_by_test_id("case-status").inner_text() == "in weging"

    # Plan the overleg with this case, the school and the police.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Overleg").click()
    coordinator.wait_for_path("/overleg")
    page.get_by_role("link", name="Overleg plannen").click()
    coordinator.wait_for_path("/overleg/nieuw")
    coordinator.check("j3-overleg-plannen", h1="Overleg plannen")
    day = today_local() + timedelta(days=7)
    page.get_by_label("Titel").fill("Zorgtafel Voorbeeldregio")
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Begintijd").fill("10:00")
    page.get_by_label("Eindtijd").fill("11:30")
    page.get_by_label("Plaats").fill("Stadhuis, kamer 2")
    participants = page.get_by_role("group", name="Deelnemers")
    participants.get_by_role("checkbox", name="Test professional — Voorbeeld College (mbo)").check()
    participants.get_by_role("checkbox", name="Test professional — Politie Eenheid Voorbeeld").check()
    page.get_by_label("Casussen op de agenda (casusnummers, optioneel)").fill(story.reference)
    page.get_by_role("button", name="Plannen en uitnodigen").click()
    page.wait_for_selector("[data-testid=agenda]")
    coordinator.check("j3-overleg", h1="Overleg: Zorgtafel Voorbeeldregio")
    assert story.reference in page.get_by_test_id("agenda").inner_text()
    meeting_path = coordinator.path
    meeting_id = int(meeting_path.rsplit("/", 1)[1])

    # The invitations (with the .ics) go out through the worker.
    invited = {world.school.email, world.police.email}
    wait_until(lambda: invited <= {r for m in smtp_server.messages if "text/calendar" in m.text()
                                   for r in m.rcpt_tos}, timeout=30, message="the two invitations")

    # Hold it: attendance, the decision and the minutes, an action for the school.
    page.get_by_role("link", name="Overleg voeren en verslag").click()
    coordinator.wait_for_path(f"{meeting_path}/verslag")
    coordinator.check("j3-verslag", h1="Overleg voeren en verslag")
    coordinator.narrow("j3-verslag")
    with app.app_context():
        item_id = db.session.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id))
        people = {p.user_id: p.id for p in db.session.scalars(select(Participant).where(
            Participant.meeting_id == meeting_id))}
    page.locator(f"#action{item_id}-title").fill(ACTION_TITLE)
    page.locator(f"#action{item_id}-assignee").select_option(label="Test professional — Voorbeeld College (mbo)")
    page.locator(f"#action{item_id}-due_on").fill((day + timedelta(days=14)).isoformat())
    page.get_by_role("button", name=f"Actiepunt toewijzen ({story.reference})").click()
    coordinator.wait_for_path(f"{meeting_path}/verslag")
    assert "Het actiepunt is toegewezen." in coordinator.flash()

    page.get_by_label("Test professional — Voorbeeld College (mbo)").select_option("aanwezig")
    page.get_by_label("Test professional — Politie Eenheid Voorbeeld").select_option("afgemeld")
    page.locator(f"#decision-{item_id}").select_option(label="Plan van aanpak")
    page.locator(f"#note-{item_id}").fill("De school neemt het voortouw.")
    page.locator(f"#text-{item_id}").fill("Signalen van school en politie besproken. De mentor spreekt de jongere.")
    page.get_by_role("button", name="Opslaan en als concept ter inzage sturen").click()
    coordinator.wait_for_path(f"{meeting_path}/verslag")
    coordinator.check("j3-verslag-concept", h1="Overleg voeren en verslag")
    assert page.get_by_test_id("minutes-status").inner_text() == "concept"
    assert page.locator(f"#attendance-{people[world.school.id]}").input_value() == "aanwezig"
    assert page.locator(f"#attendance-{people[world.police.id]}").input_value() == "afgemeld"

    page.get_by_role("button", name="Verslag vaststellen").click()
    coordinator.wait_for_path(meeting_path)
    coordinator.check("j3-overleg-vastgesteld", h1="Overleg: Zorgtafel Voorbeeldregio")
    flashes = coordinator.flash()
    assert "Het verslag is vastgesteld en verspreid." in flashes and "naar 'plan van aanpak'" in flashes

    page.get_by_role("link", name=story.reference).first.click()
    coordinator.wait_for_path(f"/casussen/{story.reference}")
    assert page.get_by_test_id("case-status").inner_text() == "plan van aanpak"
    coordinator.check("j3-casus-plan-van-aanpak", h1=f"Casus {story.reference}", axe=False)


def test_school_updates_its_action_and_sees_the_police_entry_restricted(app, world, new_person):
    """Journey 4."""
    story = overleg_with_action(app, world, matched_case(app, world))
    school = new_person("-school")
    page = school.page
    login(school, world.school, app)
    school.check("overzicht-school", h1="Overzicht")
    assert ACTION_TITLE in page.locator("#p-acties").locator("..").inner_text()

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name=re.compile("^Mijn actiepunten")).click()
    school.wait_for_path("/actiepunten")
    school.check("actiepunten-school", h1="Mijn actiepunten")
    school.narrow("actiepunten-school")
    mine = page.get_by_test_id("my-actions")
    assert ACTION_TITLE in mine.inner_text() and story.reference in mine.inner_text()
    item = page.locator(f"#actie-{story.action_id}")
    item.get_by_label("Status").select_option("in_behandeling")
    item.get_by_label("Toelichting").fill("Gesprek met de mentor gepland op donderdag.")
    item.get_by_role("button", name=f"Bijwerken ({ACTION_TITLE})").click()
    school.wait_for_path("/actiepunten")
    school.check("actiepunten-school-bijgewerkt", h1="Mijn actiepunten")
    assert "Het actiepunt is bijgewerkt." in school.flash()
    item = page.locator(f"#actie-{story.action_id}")
    assert "in behandeling" in item.inner_text()
    assert "Gesprek met de mentor gepland op donderdag." in item.inner_text()

    # The action's own page: its history, and the way to the case.
    item.get_by_role("link", name=ACTION_TITLE).click()
    school.wait_for_path(f"/actiepunten/{story.action_id}")
    school.check("actiepunt", h1=f"Actiepunt: {ACTION_TITLE}")
    assert "Gesprek met de mentor gepland op donderdag." in page.get_by_test_id("history").inner_text()
    page.locator("main").get_by_role("link", name=story.reference).click()

    school.wait_for_path(f"/casussen/{story.reference}")
    school.check("casus-school-beperkt", h1=f"Casus {story.reference}")
    school.narrow("casus-school-beperkt")
    restricted = page.get_by_test_id("restricted")
    assert restricted.count() == 1
    assert RESTRICTED in restricted.inner_text() and "Vraag het aan tafel." in restricted.inner_text()
    timeline = page.get_by_test_id("timeline").inner_text()
    assert POLICE_DESCRIPTION not in timeline and "Veel geld op zak" not in timeline
    assert SCHOOL_DESCRIPTION in timeline  # its own signal in full
    assert "art. 5.2" in page.locator("dd.basis").inner_text()


def test_privacy_officer_finds_who_read_the_case_and_on_which_article(app, factory, world, new_person):
    """Journey 5: the school's privacy officer (art. 9.1: the log of the own organisation)."""
    story = matched_case(app, world)
    officer_account = factory.user("privacy", organisation_key="college-voorbeeld")

    # Earlier (journey 4) the school's professional opened the case page.
    web = app.test_client()
    AuthActions(app, web).login(world.school)
    assert web.get(f"/casussen/{story.reference}").status_code == 200

    officer = new_person("-privacy")
    page = officer.page
    login(officer, officer_account, app)
    officer.check("overzicht-privacy-school", h1="Overzicht")
    officer.narrow("overzicht-privacy-school")
    # The dashboard already shows the school's read among the recent access, with its article.
    recent = page.get_by_test_id("recent-access").inner_text()
    assert story.reference in recent and "art. 5.2" in recent, recent
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Logboek").click()
    officer.wait_for_path("/logboek")
    officer.check("logboek", h1="Logboek")
    page.get_by_label("Casusnummer").fill("ZT-12")
    page.get_by_role("button", name="Zoeken").click()
    officer.check("logboek-fout", h1="Logboek")
    assert "Een casusnummer ziet eruit als ZT-AB12-CD34." in page.locator("#foutmeldingen").inner_text()

    page.get_by_label("Casusnummer").fill(story.reference)
    page.get_by_label("Handeling").select_option(label="Inzien")
    page.get_by_role("button", name="Zoeken").click()
    officer.wait_for_path("/logboek")
    officer.check("logboek-casus", h1="Logboek")
    officer.narrow("logboek-casus")
    rows = page.locator("tbody tr").all_inner_texts()
    reads = [r for r in rows if "Test professional" in r and story.reference in r and "Inzien" in r]
    assert reads, rows
    assert any("art. 5.2, convenant zorgtafel-su-voorbeeldregio v1" in r for r in reads), reads
    # Only the own organisation's staff (art. 9.1): no police or coordinator reads here.
    assert all("Voorbeeld College (mbo)" in r for r in rows), rows

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Statistiek").click()
    officer.wait_for_path("/privacy/statistiek")
    officer.check("statistiek", h1="Statistiek")
    officer.narrow("statistiek")
