"""Accessibility rules that can be checked without a browser (WCAG 2.1 AA), for every
template — including the ones added later — plus the form macros rendered for real.
The browser journeys (tests/browser) check the rendered pages with axe-core."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "zorgtafel"
TEMPLATES = sorted(p for p in PACKAGE.rglob("*.html") if "templates" in p.parts)
CSS = (PACKAGE / "static" / "zorgtafel.css").read_text(encoding="utf-8")


def _rel(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def _source(path: Path) -> str:
    # Jinja comments may mention anything.
    return re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)


def test_templates_found():
    names = {p.name for p in TEMPLATES}
    assert {"base.html", "forms.html", "login.html"} <= names


@pytest.mark.parametrize("path", TEMPLATES, ids=_rel)
def test_no_inline_script_style_or_handlers(path):
    """The CSP allows no inline script or style; behaviour lives in static/zorgtafel.js."""
    text = _source(path)
    assert not re.search(r"\sstyle\s*=", text), "style attribute"
    assert "<style" not in text, "<style> block"
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler (onclick=…)"
    assert not re.search(r"javascript:", text, re.I), "javascript: URL"
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag, f"inline script: {tag}"


@pytest.mark.parametrize("path", TEMPLATES, ids=_rel)
def test_one_h1_per_page_comes_from_base(path):
    """base.html renders the only h1 from the ``heading`` block (also the <title>); a page
    template fills that block and never writes its own h1."""
    text = _source(path)
    if path.name == "base.html":
        assert text.count("<h1") == 1 and "{% block heading %}" in text
        return
    assert "<h1" not in text, "a second h1: put the page title in {% block heading %}"
    if '{% extends "base.html" %}' in text:
        assert "{% block heading %}" in text, "a page without a heading (h1)"


@pytest.mark.parametrize("path", TEMPLATES, ids=_rel)
def test_images_have_alt_and_buttons_have_names(path):
    text = _source(path)
    for tag in re.findall(r"<img\b[^>]*>", text):
        assert re.search(r"\salt=", tag), f"image without alt: {tag}"
    for match in re.finditer(r"<button\b([^>]*)>(.*?)</button>", text, re.S):
        attrs, inner = match.groups()
        visible = re.sub(r"<[^>]+>", "", inner).strip()
        assert visible or "aria-label" in attrs, f"button without a name: {match.group(0)[:80]}"
    for match in re.finditer(r"<a\b([^>]*)>(.*?)</a>", text, re.S):
        attrs, inner = match.groups()
        visible = re.sub(r"<[^>]+>", "", inner).strip()
        assert visible or "aria-label" in attrs, f"link without a name: {match.group(0)[:80]}"


@pytest.mark.parametrize("path", TEMPLATES, ids=_rel)
def test_hand_written_fields_have_labels(path):
    """Fields outside the macros need a <label for>, aria-label or aria-labelledby."""
    if path.name == "forms.html":
        return
    text = _source(path)
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", text):
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) in ("hidden", "submit", "button", "reset", "image"):
            continue
        if "aria-label" in tag:
            continue
        ident = re.search(r'\sid="([^"]+)"', tag)
        assert ident, f"field without id or aria-label: {tag}"
        assert f'for="{ident.group(1)}"' in text, f"no <label for=\"{ident.group(1)}\">: {tag}"


@pytest.mark.parametrize("path", TEMPLATES, ids=_rel)
def test_forms_with_fields_summarise_errors(path):
    """Errors are told next to the field (the macro) and summarised at the top."""
    text = _source(path)
    if "{{ field(" in text:
        assert "error_summary(" in text, "a form rendered with field() but no error_summary()"


@pytest.mark.parametrize("path", TEMPLATES, ids=_rel)
def test_data_tables_have_header_cells(path):
    text = _source(path)
    for table in re.findall(r"<table\b.*?</table>", text, re.S):
        # header cells written here, or by a macro called in the <thead> (checked where it lives)
        assert (re.search(r'<th\b[^>]*scope="(col|row|colgroup|rowgroup)"', table)
                or re.search(r"<thead>.*\{\{[^}]*\(\)\s*\}\}.*</thead>", table, re.S)), "table without scoped <th>"


def test_base_has_language_skip_link_and_main():
    text = _source(PACKAGE / "templates" / "base.html")
    assert '<html lang="{{ get_locale().language }}">' in text
    assert re.search(r'<a class="skip-link" href="#inhoud">', text)
    assert '<main id="inhoud" tabindex="-1">' in text
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in text
    assert "user-scalable" not in text and "maximum-scale" not in text  # zoom stays possible


# -- colours ---------------------------------------------------------------------------


def _colours() -> dict[str, str]:
    root = re.search(r":root\s*\{(.*?)\}", CSS, re.S).group(1)
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root))


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


#: (foreground, background, minimum): text 4.5:1 (1.4.3), borders and focus 3:1 (1.4.11)
PAIRS = [
    ("ink", "paper", 4.5), ("muted", "paper", 4.5), ("muted", "soft", 4.5), ("ink", "soft", 4.5),
    ("link", "paper", 4.5), ("link", "soft", 4.5), ("brand", "paper", 4.5), ("brand-ink", "brand", 4.5),
    ("ok", "paper", 4.5), ("warn", "paper", 4.5), ("bad", "paper", 4.5), ("bad", "soft", 4.5),
    ("ink", "focus", 4.5),         # the skip link: dark text on the focus colour
    ("focus", "brand", 3.0),       # focus ring in the header
    ("ink", "paper", 3.0),         # the dark inner focus ring on white
    ("line", "paper", 3.0),        # field borders
    ("bad", "paper", 3.0),         # error borders
]


@pytest.mark.parametrize("fg,bg,minimum", PAIRS, ids=[f"{f}-on-{b}" for f, b, _ in PAIRS])
def test_colour_contrast(fg, bg, minimum):
    colours = _colours()
    ratio = contrast(colours[fg], colours[bg])
    assert ratio >= minimum, f"--{fg} on --{bg}: {ratio:.2f}:1 < {minimum}:1"


def test_focus_is_always_visible():
    rule = re.search(r":focus-visible\s*\{([^}]*)\}", CSS).group(1)
    assert "outline: 3px solid var(--focus)" in rule and "var(--ink)" in rule
    assert not re.search(r"(?<!main):focus\s*\{[^}]*outline:\s*(none|0)", CSS), "focus outline removed"
    assert re.search(r"\.skip-link:focus\s*\{[^}]*left:", CSS), "the skip link does not appear on focus"


def test_states_are_not_told_by_colour_alone():
    for selector in (".field-error p::before", ".flash-success::before", ".flash-error::before",
                     ".overdue::before", ".restricted::before"):
        assert re.search(re.escape(selector) + r"\s*\{\s*content:\s*\"[^\"]+\"", CSS), selector


# -- the form macros, rendered ----------------------------------------------------------


def _render_form(app, data):
    from flask import render_template_string
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict
    from wtforms import RadioField, SelectMultipleField, StringField
    from wtforms.validators import DataRequired

    class Form(FlaskForm):
        class Meta:
            csrf = False

        name = StringField("Naam", validators=[DataRequired("Vul een naam in.")])
        kind = RadioField("Soort", choices=[("a", "Een"), ("b", "Twee")], validators=[DataRequired("Kies een soort.")])
        roles = SelectMultipleField("Rollen", choices=[("x", "Iks"), ("y", "IJ")],
                                    validators=[DataRequired("Kies een rol.")])

    with app.test_request_context(method="POST", data=data):
        form = Form(formdata=MultiDict(data))
        form.validate()
        return render_template_string(
            '{% from "macros/forms.html" import field, error_summary %}'
            '{{ error_summary([form]) }}{{ field(form.name, hint="Voluit.") }}{{ field(form.kind) }}'
            '{{ field(form.roles, hint="Een of meer.") }}', form=form)


def test_field_macro_links_errors_and_hints(app):
    html = _render_form(app, {})
    summary = re.search(r'<div class="error-summary"[^>]*>.*?</div>', html, re.S).group(0)
    assert 'role="alert"' in summary and 'id="foutmeldingen"' in summary
    assert '<a href="#name">Vul een naam in.</a>' in summary
    assert '<a href="#kind">Kies een soort.</a>' in summary and '<a href="#roles">Kies een rol.</a>' in summary
    name_input = re.search(r'<input[^>]*id="name"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in name_input and 'aria-describedby="name-hint name-error"' in name_input
    assert '<label for="name">Naam</label>' in html
    assert re.search(r'id="name-error"><p><span class="sr-prefix">Fout:</span> Vul een naam in\.</p>', html)
    # a group of choices: fieldset + legend, its id is the summary's target, errors linked
    assert re.search(r'<fieldset id="kind" aria-describedby="kind-error">\s*<legend>Soort</legend>', html)
    assert re.search(r'<fieldset id="roles" aria-describedby="roles-hint roles-error">', html)
    assert html.count('type="checkbox"') == 2 and '<label for="roles-1">IJ</label>' in html
    assert html.count('type="radio"') == 2 and '<label for="kind-0">Een</label>' in html


def test_field_macro_keeps_choices_and_shows_no_errors_when_valid(app):
    html = _render_form(app, {"name": "Kim", "kind": "b", "roles": ["x", "y"]})
    assert "error-summary" not in html and "aria-invalid" not in html
    assert re.search(r'id="kind-1" name="kind" value="b" checked', html)
    assert len(re.findall(r'name="roles" value="[xy]" checked', html)) == 2


# -- found by the browser journeys ---------------------------------------------------------


def test_enrolment_qr_code_is_a_loadable_svg_image(app, factory, client):
    import base64

    from tests.helpers.fixtures import csrf_token

    account = factory.user("professional", enrolled=False)
    page = client.get("/inloggen")
    client.post("/inloggen", data={"email": account.email, "password": account.password,
                                   "csrf_token": csrf_token(page.text)})
    html = client.get("/inloggen/instellen").text
    src = re.search(r'<img src="(data:image/svg\+xml[^"]+)"', html).group(1)
    from urllib.parse import unquote

    payload = src.split(",", 1)[1]
    svg = base64.b64decode(payload).decode() if ";base64," in src else unquote(payload)
    assert re.search(r"""<svg[^>]*xmlns=["']http://www.w3.org/2000/svg["']""", svg)
