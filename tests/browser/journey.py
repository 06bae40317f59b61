"""What every browser journey uses: a person's browser window (``Person``) with the checks
each page must pass, and the steps that many journeys share (activation, login).

A journey is one test that a person would recognise. It moves through the real pages and
calls ``person.check("naam")`` on every page it reaches; that check asserts:

- no server error (5xx) so far; exactly one ``h1`` (and, if given, its text), and
  ``<html lang>`` matching the language;
- a working skip link, and no Content-Security-Policy violation (no inline script/style);
- axe-core: no violation of impact serious or critical (all counts are recorded and
  printed at the end of the run, with details in ``test-artifacts/axe-report.json``);
- a screenshot in ``test-artifacts/screenshots/<naam>.png``.

``person.narrow("naam")`` checks the page at 360 px (no horizontal scrolling of the page),
``person.switch_language("en")`` uses the button in the header, ``person.tab_to(...)``
moves with the Tab key only, asserting that every element on the way shows its focus, and
``person.type_date(day)`` types a date into the focused date field, digit by digit.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
from sqlalchemy import update

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
IMPACTS = ("critical", "serious", "moderate", "minor")
BLOCKING = ("critical", "serious")
NARROW = {"width": 360, "height": 780}
WIDE = {"width": 1280, "height": 900}


@dataclass
class AxeRecord:
    test: str
    page: str
    url: str
    lang: str
    counts: dict[str, int]
    violations: list[dict] = field(default_factory=list)


#: every axe run of the session, for the summary at the end
AXE_LOG: list[AxeRecord] = []
#: seconds spent per kind of step (axe, screenshot, 360 px, language switch), for the summary
TIMINGS: dict[str, float] = {}


class _timed:
    def __init__(self, kind: str):
        self.kind = kind

    def __enter__(self):
        self.start = time.perf_counter()

    def __exit__(self, *exc):
        TIMINGS[self.kind] = TIMINGS.get(self.kind, 0.0) + time.perf_counter() - self.start


_AXE = None


def _axe():
    global _AXE
    if _AXE is None:
        from axe_playwright_python.sync_playwright import Axe

        _AXE = Axe()
    return _AXE


def _dutch_msgids() -> set[str]:
    """Dutch interface strings whose English differs: seeing one on an English page means a
    string was not translated (or the catalogue was not compiled). Only strings of two or
    more words: a single word such as 'verslag' is also a convenant's data-category key."""
    from babel.messages.pofile import read_po

    path = ROOT / "zorgtafel" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh)
    return {m.id for m in catalog if isinstance(m.id, str) and " " in m.id.strip() and "%" not in m.id
            and m.string and m.string != m.id}


_DUTCH: set[str] | None = None


class Person:
    """One person's browser window (its own context: own cookies, own session)."""

    def __init__(self, browser, base_url: str, test_name: str, label: str = ""):
        self.base_url = base_url
        self.test_name = test_name
        self.label = label
        self.context = browser.new_context(base_url=base_url, viewport=WIDE, locale="nl-NL",
                                           timezone_id="Europe/Amsterdam", reduced_motion="reduce")
        self.context.set_default_timeout(10_000)
        # axe-core loaded with every document (outside the page's CSP, like any injected
        # script), instead of injected again at each check.
        self.context.add_init_script(script=_axe().axe_script)
        self.page = self.context.new_page()
        self.csp_violations: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.csp_violations.append(f"script error: {exc}"))
        self.server_errors: list[str] = []
        self.page.on("response", lambda r: r.status >= 500 and self.server_errors.append(f"{r.status} {r.url}"))

    def _console(self, message) -> None:
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "Content-Security-Policy" in text):
            self.csp_violations.append(text)

    def close(self) -> None:
        self.context.close()

    # -- moving around -----------------------------------------------------------------

    def goto(self, path: str):
        response = self.page.goto(path)
        self.page.wait_for_load_state("load")
        return response

    @property
    def path(self) -> str:
        """Path and query of the page shown (without the fragment)."""
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def wait_for_path(self, path: str) -> None:
        """Wait until the page shows ``path`` (query and fragment ignored: a skip-link
        fragment survives a redirect)."""
        self.page.wait_for_url(lambda url: urlsplit(url).path == path)
        self.page.wait_for_load_state("load")

    def h1(self) -> str:
        return self.page.locator("h1").inner_text().strip()

    def lang(self) -> str:
        return self.page.locator("html").get_attribute("lang") or ""

    def flash(self) -> str:
        return self.page.locator(".flashes").inner_text().strip()

    # -- the checks every page passes ---------------------------------------------------

    def check(self, name: str, h1: str | None = None, lang: str | None = None, axe: bool = True,
              known_dutch: tuple[str, ...] = ()) -> AxeRecord | None:
        """The page-level checks (see the module docstring); ``name`` names the screenshot.
        ``axe=False`` (no axe run, no screenshot) only for a page another check already
        covered in the same state. ``known_dutch``: Dutch texts a known, reported gap still
        shows on the English page (each must really be there, so a fixed gap is noticed)."""
        page = self.page
        page.wait_for_load_state("load")
        assert not self.server_errors, f"{name}: the server failed: {self.server_errors} (see the log above)"
        assert page.locator("h1").count() == 1, f"{name}: expected exactly one h1, found {page.locator('h1').count()}"
        if h1 is not None:
            assert self.h1() == h1, f"{name}: h1 is {self.h1()!r}, expected {h1!r}"
        actual_lang = self.lang()
        assert actual_lang in ("nl", "en"), f"{name}: <html lang={actual_lang!r}>"
        if lang is not None:
            assert actual_lang == lang, f"{name}: page is in {actual_lang!r}, expected {lang!r}"
        title = page.title()
        assert title.strip() and "Zorgtafel" in title, f"{name}: page title {title!r}"
        skip = page.locator("a.skip-link")
        assert skip.count() == 1 and skip.get_attribute("href") == "#inhoud", f"{name}: no skip link"
        assert page.locator("main#inhoud").count() == 1, f"{name}: no <main id=inhoud> for the skip link"
        assert page.locator("[style]").count() == 0, f"{name}: a style attribute (the CSP forbids inline style)"
        if actual_lang == "en":
            self._assert_no_dutch(name, known_dutch)
        assert not self.csp_violations, f"{name}: Content-Security-Policy violations: {self.csp_violations}"
        if not axe:
            return None
        with _timed("axe"):
            record = self._axe(name)
        with _timed("screenshots"):
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        return record

    def _axe(self, name: str) -> AxeRecord:
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(_axe().axe_script)
        violations = self.page.evaluate("() => axe.run({resultTypes: ['violations']}).then(r => r.violations)")
        counts = {impact: 0 for impact in IMPACTS}
        for v in violations:
            counts[v.get("impact") or "minor"] += len(v.get("nodes", [])) or 1
        record = AxeRecord(self.test_name, name, self.path, self.lang(), counts, [
            {"id": v["id"], "impact": v.get("impact"), "help": v.get("help"),
             "nodes": [n.get("target") for n in v.get("nodes", [])][:10]} for v in violations])
        AXE_LOG.append(record)
        blocking = [v for v in record.violations if v["impact"] in BLOCKING]
        assert not blocking, f"{name}: axe found serious/critical violations:\n" + json.dumps(blocking, indent=2)
        return record

    def _assert_no_dutch(self, name: str, known: tuple[str, ...] = ()) -> None:
        global _DUTCH
        if _DUTCH is None:
            _DUTCH = _dutch_msgids()
        texts = self.page.evaluate("""() => {
            const out = new Set();
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) { const t = walker.currentNode.nodeValue.trim(); if (t) out.add(t); }
            for (const el of document.querySelectorAll('[aria-label], [alt], [placeholder]')) {
                for (const a of ['aria-label', 'alt', 'placeholder']) { const v = el.getAttribute(a); if (v) out.add(v.trim()); }
            }
            return [...out];
        }""")
        leaked = sorted(t for t in texts if t in _DUTCH and t not in known)
        assert not leaked, f"{name}: Dutch interface text on the English page: {leaked}"
        gone = [t for t in known if t not in texts]
        assert not gone, f"{name}: no longer on the page, remove from known_dutch: {gone}"

    def narrow(self, name: str | None = None) -> None:
        """At 360 px the page must not scroll sideways (WCAG 1.4.10); wide content such as
        a table scrolls inside its own region."""
        with _timed("360 px"):
            self._narrow(name)

    def _narrow(self, name: str | None) -> None:
        page = self.page
        page.set_viewport_size(NARROW)
        try:
            overflow = page.evaluate("""() => {
                const root = document.documentElement, width = root.clientWidth;
                if (root.scrollWidth <= width && document.body.scrollWidth <= width) return null;
                // the innermost elements that stick out (their children do not)
                const out = el => el.getBoundingClientRect().right > width + 1;
                const culprits = [];
                for (const el of document.body.querySelectorAll('*')) {
                    const r = el.getBoundingClientRect();
                    if (out(el) && ![...el.children].some(out)) {
                        culprits.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                                      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                                      ' right=' + Math.round(r.right));
                    }
                }
                return {scrollWidth: root.scrollWidth, width, culprits: culprits.slice(0, 8)};
            }""")
            assert overflow is None, f"{name or self.path}: horizontal scrolling at 360 px: {overflow}"
            if name:
                page.screenshot(path=str(SCREENSHOTS / f"{name}-360.png"), full_page=True)
        finally:
            page.set_viewport_size(WIDE)

    # -- language ------------------------------------------------------------------------

    def switch_language(self, to: str) -> None:
        label = {"en": "English", "nl": "Nederlands"}[to]
        button = self.page.locator("form.lang button")
        assert button.inner_text().strip() == label, f"the language button says {button.inner_text()!r}"
        with _timed("language switch"), self.page.expect_navigation():
            button.click()
        assert self.lang() == to, f"after choosing {label} the page is in {self.lang()!r}"

    # -- the keyboard --------------------------------------------------------------------

    def focused(self) -> dict:
        return self.page.evaluate("""() => {
            const el = document.activeElement;
            if (!el || el === document.body) return {tag: 'body'};
            const s = getComputedStyle(el), r = el.getBoundingClientRect();
            return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'),
                    text: (el.innerText || el.value || '').trim().slice(0, 80),
                    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
                    shadow: s.boxShadow !== 'none',
                    visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 &&
                             r.left < innerWidth && r.top < innerHeight};
        }""")

    def type_date(self, day) -> None:
        """Type a date into the focused date field the way a person does: the digits in the
        order this Chromium shows the parts (dd-mm-jjjj in Dutch, mm/dd/yyyy in English;
        the headless build follows its own language, not the page's)."""
        order = _date_order(self.context)
        parts = {"d": f"{day.day:02d}", "m": f"{day.month:02d}", "y": f"{day.year:04d}"}
        self.page.keyboard.type("".join(parts[c] for c in order))

    def tab_to(self, selector: str, max_tabs: int = 40, shift: bool = False) -> dict:
        """Press Tab until ``selector`` has focus; every stop on the way must show a
        visible focus indicator (WCAG 2.4.7) and lie in the viewport."""
        for _ in range(max_tabs):
            self.page.keyboard.press("Shift+Tab" if shift else "Tab")
            info = self.focused()
            if info["tag"] == "body":
                continue
            assert info["outline"] or info["shadow"], f"no visible focus on {info}"
            assert info["visible"], f"focused element is off screen: {info}"
            if self.page.evaluate("sel => document.activeElement.matches(sel)", selector):
                return info
        raise AssertionError(f"{selector} not reached with {max_tabs} presses of Tab on {self.path}")


_DATE_ORDER: str | None = None


def _date_order(context) -> str:
    """'dmy' or 'mdy': found once by typing 01022003 into a date field on a scratch page."""
    global _DATE_ORDER
    if _DATE_ORDER is None:
        probe = context.new_page()
        try:
            probe.set_content("<input type=date id=d>")
            probe.focus("#d")
            probe.keyboard.type("01022003")
            value = probe.eval_on_selector("#d", "el => el.value")
        finally:
            probe.close()
        _DATE_ORDER = {"2003-02-01": "dmy", "2003-01-02": "mdy"}.get(value)
        assert _DATE_ORDER, f"unknown order of a date field's parts in this Chromium (typed 01022003, got {value!r})"
    return _DATE_ORDER


# -- steps shared by journeys -------------------------------------------------------------


def reset_totp_counter(app, user_id: int) -> None:
    """A TOTP code works once; a test that logs one account in twice within 30 s would
    replay it. Production never does this."""
    from zorgtafel.auth.models import User
    from zorgtafel.extensions import db

    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(totp_last_counter=0))
        db.session.commit()


def totp_now(secret: str) -> str:
    return pyotp.TOTP(secret.replace(" ", "")).at(time.time())


def login(person: Person, account, app, *, check: bool = False) -> None:
    """Through the real pages: e-mail and password, then the code from the authenticator."""
    reset_totp_counter(app, account.id)
    person.goto("/inloggen")
    if check:
        person.check("inloggen", h1="Inloggen")
    person.page.get_by_label("E-mailadres").fill(account.email)
    person.page.get_by_label("Wachtwoord").fill(account.password)
    person.page.get_by_role("button", name="Volgende").click()
    person.page.wait_for_url("**/inloggen/code")
    if check:
        person.check("inloggen-code", h1="Code invoeren")
    person.page.get_by_label("Code uit uw authenticator-app of een herstelcode").fill(account.code())
    person.page.get_by_role("button", name="Inloggen").click()
    person.page.wait_for_url(lambda url: "/inloggen" not in url)


@dataclass
class NewAccount:
    """An account a beheerder created: no password yet, only a one-time activation link."""

    id: int
    email: str
    name: str
    activation_path: str
    password: str = "een-goed-wachtwoord-van-mij"


def account_created_by_beheerder(app, organisation_key: str, role: str = "professional",
                                 name: str = "Sanne de Vries", roles: list[str] | None = None) -> NewAccount:
    import secrets

    from zorgtafel.auth import operations as auth_ops
    from zorgtafel.extensions import db

    with app.app_context():
        email = f"{role}-{secrets.token_hex(3)}@voorbeeld.nl"
        user, token = auth_ops.create_user(None, email=email, name=name, organisation_key=organisation_key,
                                           roles=roles or [role])
        db.session.commit()
        return NewAccount(user.id, email, name, f"/activeren/{token}")


def totp_secret_on_page(person: Person) -> str:
    """What a person types into the authenticator app: the key shown under the QR code."""
    return person.page.get_by_test_id("totp-secret").inner_text().replace(" ", "").strip()
