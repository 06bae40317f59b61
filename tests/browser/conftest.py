"""Browser journeys: the real app on a live server, driven by Debian's Chromium.

- ``live_server``: the session's app (its own test database and Redis prefix) served by
  werkzeug on a free port in a thread. Every test here is marked ``committed`` (and
  ``browser``) automatically, so its data is really committed and visible to the server's
  threads (and to a Celery worker from ``tests/helpers/worker.py`` in journeys that need
  one); the tables are emptied after each test.
- ``browser``: one Chromium per session (``/usr/bin/chromium``, or ``ZORGTAFEL_CHROMIUM``),
  never a downloaded one; without it the browser tests are skipped with the reason.
- ``person`` / ``new_person``: a fresh browser context per person (own cookies), with the
  page checks of ``tests/browser/journey.py``.

Adding a journey: a new ``test_<journey>.py`` here, one test per journey, using ``person``
(or ``new_person`` for several people), ``world`` (tests/helpers/people.py: the reference
convenant and one account per role), the story so far built through the operations
(tests/browser/story.py, so that a journey runs on its own) and, when the journey needs
Celery, ``celery_worker``
with ``smtp_server`` / ``smtp_app`` (tests/helpers/worker.py, re-exported below; the live
server runs the same ``app``, so ``smtp_app`` points its in-process sends at the same SMTP
server). Call ``person.check("naam")`` on every page the journey reaches, and add new
pages to the tour in test_journey_language.py (English and 360 px).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

import pytest

from tests.browser.journey import ARTIFACTS, AXE_LOG, IMPACTS, SCREENSHOTS, TIMINGS, Person
from tests.conftest import truncate_all
from tests.helpers.worker import celery_worker, smtp_app, smtp_server  # noqa: F401 - fixtures for journeys

HERE = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("ZORGTAFEL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.committed)


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or set ZORGTAFEL_CHROMIUM); "
                    "browser journeys skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev extra installs it
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    # A fresh screenshot folder per run, so that what is there belongs to this run.
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield chromium
    chromium.close()
    playwright.stop()


class LiveServer:
    def __init__(self, app):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="zorgtafel-live-server", daemon=True)

    def start(self) -> "LiveServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(app, browser):
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _empty_tables_afterwards(app):
    yield
    truncate_all(app)


@pytest.fixture(autouse=True)
def _quick_password_hashing(monkeypatch):
    """argon2id at production cost takes 0.2–0.5 s per login or activation, and the
    journeys log in often; they test the pages, not the hash (tests/auth does). Same
    algorithm, minimal cost, only during browser tests."""
    from argon2 import PasswordHasher

    from tests.helpers import fixtures
    from zorgtafel.auth import operations as auth_ops

    cached = getattr(fixtures, "_password_hash", None)
    monkeypatch.setattr(auth_ops, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    if cached is not None and hasattr(cached, "cache_clear"):
        cached.cache_clear()
    yield
    if cached is not None and hasattr(cached, "cache_clear"):
        cached.cache_clear()  # later tests hash the shared password at full cost again


@pytest.fixture
def new_person(browser, live_server, request):
    """``new_person("beheerder")``: another person with their own browser window."""
    people: list[Person] = []

    def make(label: str = "") -> Person:
        person = Person(browser, live_server.url, request.node.name, label)
        people.append(person)
        return person

    yield make
    if request.node.stash.get(_FAILED, False):
        failures = ARTIFACTS / "failures"
        failures.mkdir(parents=True, exist_ok=True)
        for i, person in enumerate(people):
            try:
                person.page.screenshot(path=str(failures / f"{request.node.name}-{i}{person.label}.png"), full_page=True)
            except Exception:  # noqa: BLE001 - a failure screenshot must not hide the failure
                pass
    for person in people:
        person.close()


@pytest.fixture
def person(new_person) -> Person:
    return new_person()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not AXE_LOG:
        return
    tr = terminalreporter
    tr.section("axe-core per page (violations by impact: critical/serious/moderate/minor)")
    per_test = defaultdict(list)
    for record in AXE_LOG:
        per_test[record.test].append(record)
    for test, records in per_test.items():
        tr.write_line(test)
        for r in records:
            counts = "/".join(str(r.counts[i]) for i in IMPACTS)
            rules = ", ".join(sorted({f"{v['id']}({v['impact']})" for v in r.violations}))
            tr.write_line(f"  {r.page:<34} [{r.lang}] {counts:<9} {r.url}{'  ' + rules if rules else ''}")
    total = {i: sum(r.counts[i] for r in AXE_LOG) for i in IMPACTS}
    tr.write_line(f"{len(AXE_LOG)} pages checked; totals " + ", ".join(f"{i} {n}" for i, n in total.items())
                  + f"; screenshots in {SCREENSHOTS.relative_to(Path.cwd()) if SCREENSHOTS.is_relative_to(Path.cwd()) else SCREENSHOTS}")
    tr.write_line("time spent in checks: " + ", ".join(f"{k} {v:.1f}s" for k, v in sorted(TIMINGS.items())))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe-report.json").write_text(json.dumps([asdict(r) for r in AXE_LOG], indent=2), encoding="utf-8")

