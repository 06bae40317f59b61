"""Journey: a privacy officer reads the convenant — which article allows what, what changed
between two versions — and asks the simulator what a school's professional would see."""

from __future__ import annotations

from tests.browser.journey import login
from tests.helpers.convenant import load_reference, reference_text

TITLE_SITUATIONS = ("gegevens van de eigen organisatie", "casus waarbij de organisatie betrokken is",
                    "casus zonder betrokkenheid")


def _simulator_table(page) -> dict[tuple[str, str], list[str]]:
    """{(category, action): [cell per situation]}, read the way a screen reader pairs the
    headers: the category is a row-group header, the action a row header."""
    rows = page.evaluate("""() => [...document.querySelectorAll('table.simulator tbody')].flatMap(tb => {
        const category = tb.querySelector('th[scope=rowgroup]').innerText.trim();
        return [...tb.querySelectorAll('tr')].map(tr => [category,
            tr.querySelector('th[scope=row]').innerText.trim(),
            [...tr.querySelectorAll('td')].map(td => td.innerText.trim())]);
    })""")
    return {(category, action): cells for category, action, cells in rows}


def test_privacy_officer_reads_the_convenant_and_the_simulator(app, world, person):
    # Version 2 drops 'verslag' from what involved professionals may read (art. 5.2).
    load_reference(app, reference_text().replace("version: 1", "version: 2").replace(
        "categories: [signaal, verslag, actiepunt]", "categories: [signaal, actiepunt]"))
    page = person.page
    login(person, world.privacy, app)
    person.check("overzicht-privacy", h1="Overzicht")

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Convenant").click()
    person.wait_for_path("/convenant")
    person.check("convenant", h1="Convenant")
    assert page.get_by_role("navigation", name="Hoofdmenu").locator("a[aria-current=page]").inner_text() == "Convenant"
    page.get_by_role("link", name=f"{world.key} — versie 2").click()

    person.wait_for_path(f"/convenant/{world.key}/versie/2")
    person.check("convenant-versie")
    rule = page.locator("li#art-5\\.2").inner_text()
    assert "Art. 5.2" in rule
    assert "Professionals mogen inzien: signaal en actiepunt — van casussen waarbij de eigen organisatie betrokken is." in rule
    assert "politie" in page.locator("li#art-5\\.5").inner_text()
    person.narrow("convenant-versie")

    page.get_by_role("link", name="verschil met deze versie").click()
    person.wait_for_path(f"/convenant/{world.key}/verschil")
    person.check("convenant-verschil", h1="Verschil tussen versie 1 en 2")
    assert "Art. 5.2 — gewijzigd" in page.locator("main").inner_text()
    person.narrow("convenant-verschil")

    # The simulator: what would a professional of the school see, and on which article?
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Convenant").click()
    page.get_by_role("link", name="Simulator: wat zou een organisatie en rol zien?").click()
    person.wait_for_path("/convenant/simulator")
    person.check("simulator", h1="Simulator: wat zou deze rol zien?")
    page.get_by_label("Organisatie").select_option(label="Voorbeeld College (mbo)")
    page.get_by_label("Rol").select_option(label="Professional")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_selector("table.simulator")
    person.check("simulator-uitkomst", h1="Simulator: wat zou deze rol zien?")

    headers = page.locator("table.simulator thead th").all_inner_texts()
    assert headers[2:] == list(TITLE_SITUATIONS)
    table = _simulator_table(page)
    own, involved, other = table[("signaal", "inzien")]
    assert own.startswith("ja — art. 5.") and involved == "ja — art. 5.2" and other == "nee"
    assert table[("strafrechtelijk", "inzien")][0] == "ja — art. 5.3"     # its own signals, in full
    assert table[("strafrechtelijk", "inzien")][1:] == ["nee", "nee"]      # police data: not for the school
    assert table[("verslag", "inzien")][1] == "nee"                         # version 2 took it away
    assert "het overleg plannen: nee" in page.locator("main").inner_text()
    # The answer is in words; nothing is told by colour alone.
    assert all(cell.split(" ")[0] in ("ja", "nee") for cells in table.values() for cell in cells)
    person.narrow("simulator-uitkomst")
