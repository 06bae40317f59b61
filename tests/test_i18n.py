"""The interface translations: Dutch is the source (msgids are Dutch), English the second
language. When one of these tests fails after you added or changed text:

    zorgtafel i18n update      # then translate the empty/fuzzy entries in
                               # zorgtafel/translations/en/LC_MESSAGES/messages.po
    zorgtafel i18n compile     # and commit both the .po and the .mo
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from zorgtafel.core import i18n_cli

HOW_TO_FIX = ("\nRun `zorgtafel i18n update`, translate every empty or fuzzy entry in "
              "zorgtafel/translations/en/LC_MESSAGES/messages.po, then `zorgtafel i18n compile` (see babel.cfg).")
PACKAGE = Path(i18n_cli.__file__).resolve().parents[1]
EN_PO = PACKAGE / "translations" / "en" / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module")
def template():
    return i18n_cli.extract()


def test_extraction_finds_code_and_templates(template):
    files = {loc[0] for m in template for loc in m.locations}
    assert any(f.endswith("templates/base.html") for f in files)
    assert any(f.endswith("templates/macros/forms.html") for f in files)
    assert any(f.endswith("auth/forms.py") for f in files)        # lazy_gettext as _l
    assert any(f.endswith("core/web.py") for f in files)          # N_() marked error texts
    ids = {m.id for m in template}
    assert "Naar de inhoud" in ids and "Ongeldig verzoek" in ids


def test_every_string_is_in_the_english_catalogue_and_translated(template):
    report = i18n_cli.check(template)
    problems = [line for line in report.lines() if "niet meer in de code" not in line]
    assert report.ok, "\n".join(problems) + HOW_TO_FIX


def test_committed_mo_is_compiled_from_the_committed_po(tmp_path):
    for po in i18n_cli.catalogue_paths():
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        fresh = tmp_path / f"{po.parent.parent.name}.mo"
        with fresh.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        committed = po.with_suffix(".mo")
        assert committed.exists(), f"{committed} is missing" + HOW_TO_FIX
        assert committed.read_bytes() == fresh.read_bytes(), f"{committed} is older than its .po" + HOW_TO_FIX


def test_placeholders_survive_translation():
    with EN_PO.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[-1]))
        for s in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", s)) == wanted, f"{message.id!r} → {s!r}"


def test_no_sentence_is_built_from_an_f_string_or_pieces():
    """gettext needs the whole sentence as a literal: ``_(f"…")`` or ``_("…" + x)`` can
    never be translated (the extractor sees no msgid, or a different one)."""
    pattern = re.compile(r"""\b(?:_|_l|gettext|lazy_gettext|ngettext)\(\s*(?:f["']|["'][^"']*["']\s*\+)""")
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_flask_babel_finds_the_catalogue_inside_the_package(app):
    from flask_babel import force_locale, get_babel, gettext

    with app.test_request_context():
        directories = [Path(d).resolve() for d in get_babel(app).translation_directories]
        assert directories == [PACKAGE / "translations"]
        assert {str(loc) for loc in app.extensions["babel"].instance.list_translations()} >= {"nl", "en"}
        with force_locale("en"):
            assert gettext("Naar de inhoud") == "Skip to content"
            assert gettext("Welkom, %(name)s.", name="Kim") == "Welcome, Kim."
        with force_locale("nl"):
            assert gettext("Naar de inhoud") == "Naar de inhoud"


def test_package_data_ships_the_catalogue():
    text = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert "translations/**/*" in text and "*.mo" in text


def test_language_button_switches_a_signed_in_user(app, factory, auth, client):
    account = factory.user("professional")
    auth.login(account)
    assert 'lang="nl"' in client.get("/").text
    response = auth.post("/taal", {"lang": "en", "next": "/account"}, page="/")
    assert response.status_code == 302 and response.location.endswith("/account")
    page = client.get("/account").text
    assert '<html lang="en">' in page and "My account" in page and "Mijn account" not in page
    auth.post("/taal", {"lang": "nl", "next": "/"}, page="/")
    assert '<html lang="nl">' in client.get("/").text


def test_error_pages_are_translated(app, client):
    with client.session_transaction() as session:
        session["lang"] = "en"
    page = client.get("/bestaat-niet")
    assert page.status_code == 404 and "<h1>Not found</h1>" in page.text


def test_cli_check_passes_and_explains():
    result = CliRunner().invoke(i18n_cli.i18n, ["check"])
    assert result.exit_code == 0, result.output + HOW_TO_FIX
    help_text = CliRunner().invoke(i18n_cli.i18n, ["--help"]).output
    assert "update" in help_text and "compile" in help_text
