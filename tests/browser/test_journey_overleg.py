"""Journey (meetings): in a real Chromium (the checks of tests/browser/journey.py on every page: one
h1, skip link, no CSP violation, axe-core without serious or critical findings, 360 px):
the zorgcoördinator plans an overleg, arranges the agenda, holds it and approves the
minutes; the police officer finds the agreed action under "Mijn actiepunten"."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.browser.journey import AXE_LOG, login
from tests.helpers.people import actor, bsn, register
from zorgtafel.cases.operations import change_status
from zorgtafel.core.timeutil import today_local
from zorgtafel.extensions import db


def _cases(app, world) -> list[str]:
    refs = []
    with app.app_context():
        for _ in range(2):
            case = register(world.school, subject={"bsn": bsn()}).case
            change_status(actor(world.coordinator), case, "in_weging", "weging")
            refs.append(case.reference)
        db.session.commit()
    return refs


def test_coordinator_holds_an_overleg_and_police_follows_up(app, world, new_person):
    from zorgtafel.meetings.models import AgendaItem

    refs = _cases(app, world)
    coordinator = new_person("-coordinator")
    page = coordinator.page
    login(coordinator, world.coordinator, app)
    coordinator.goto("/overleg")
    coordinator.check("overleg-lijst", h1="Overleg")
    page.get_by_role("link", name="Overleg plannen").click()
    coordinator.wait_for_path("/overleg/nieuw")
    coordinator.check("overleg-plannen", h1="Overleg plannen")
    page.get_by_label("Titel").fill("Zorgtafel december")
    page.get_by_label("Datum").fill((today_local() + timedelta(days=7)).isoformat())
    page.get_by_label("Begintijd").fill("10:00")
    page.get_by_label("Eindtijd").fill("09:00")  # before the start: told at the field
    page.get_by_label("Plaats").fill("Stadhuis")
    page.get_by_role("group", name="Deelnemers").get_by_role(
        "checkbox", name="Test professional — Politie Eenheid Voorbeeld").check()
    page.get_by_label("Casussen op de agenda (casusnummers, optioneel)").fill(" ".join(refs))
    page.get_by_role("button", name="Plannen en uitnodigen").click()
    coordinator.check("overleg-plannen-fout", h1="Overleg plannen")
    assert "Het overleg eindigt niet na het begin." in page.locator("#end-error").inner_text()
    page.get_by_label("Eindtijd").fill("11:30")
    page.get_by_role("button", name="Plannen en uitnodigen").click()
    page.wait_for_selector("[data-testid=agenda]")
    coordinator.check("overleg", h1="Overleg: Zorgtafel december")
    coordinator.narrow("overleg")
    meeting_path = coordinator.path
    meeting_id = int(meeting_path.rsplit("/", 1)[1])

    page.get_by_role("button", name="Omlaag (punt 1)").click()
    page.wait_for_selector("[data-testid=agenda]")
    agenda = page.get_by_test_id("agenda").inner_text()
    assert agenda.index(refs[1]) < agenda.index(refs[0])

    page.get_by_role("link", name="Overleg voeren en verslag").click()
    coordinator.wait_for_path(f"{meeting_path}/verslag")
    coordinator.check("verslag", h1="Overleg voeren en verslag")
    with app.app_context():
        items = {i.case.reference: i.id for i in db.session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting_id))}
    first = items[refs[0]]
    page.locator(f"#decision-{first}").select_option("plan_van_aanpak")
    page.locator(f"#text-{first}").fill("Besproken; de politie legt contact met de school.")
    page.locator(f"#action{first}-title").fill("Contact leggen met de mentor")
    page.locator(f"#action{first}-assignee").select_option(label="Test professional — Politie Eenheid Voorbeeld")
    page.locator(f"#action{first}-due_on").fill((today_local() + timedelta(days=10)).isoformat())
    page.get_by_role("button", name=f"Actiepunt toewijzen ({refs[0]})").click()
    coordinator.wait_for_path(f"{meeting_path}/verslag")
    page.locator(f"#decision-{first}").select_option("plan_van_aanpak")
    page.locator(f"#text-{first}").fill("Besproken; de politie legt contact met de school.")
    page.get_by_role("button", name="Opslaan en als concept ter inzage sturen").click()
    coordinator.wait_for_path(f"{meeting_path}/verslag")
    coordinator.check("verslag-concept", h1="Overleg voeren en verslag")
    page.get_by_role("button", name="Verslag vaststellen").click()
    coordinator.wait_for_path(meeting_path)
    coordinator.check("overleg-vastgesteld", h1="Overleg: Zorgtafel december")
    assert "naar 'plan van aanpak'" in coordinator.flash()

    police = new_person("-politie")
    login(police, world.police, app)
    police.goto("/actiepunten")
    police.check("mijn-actiepunten", h1="Mijn actiepunten")
    police.narrow("mijn-actiepunten")
    police.page.get_by_label("Status").select_option("in_behandeling")
    police.page.get_by_label("Toelichting (verplicht)").fill("Mentor gebeld, afspraak staat.")
    police.page.get_by_role("button", name="Bijwerken (Contact leggen met de mentor)").click()
    police.wait_for_path("/actiepunten")
    police.check("mijn-actiepunten-bijgewerkt", h1="Mijn actiepunten")
    assert "Mentor gebeld, afspraak staat." in police.page.get_by_test_id("my-actions").inner_text()

    mine = [r for r in AXE_LOG if r.test == "test_coordinator_holds_an_overleg_and_police_follows_up"]
    print(f"\naxe: {len(mine)} meetings pages, findings of any impact: {sum(sum(r.counts.values()) for r in mine)}")
    assert len(mine) == 9 and all(sum(r.counts.values()) == 0 for r in mine)  # not even moderate or minor
