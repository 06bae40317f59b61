"""Structured logging: one JSON line per event, with the request id, and never personal
data — checked on what the real handler writes during a login and a signal registration."""

from __future__ import annotations

import io
import json
import logging
from contextlib import contextmanager
from datetime import timedelta

from tests.helpers.fixtures import csrf_token
from tests.helpers.people import bsn
from zorgtafel.core.logging import JsonFormatter
from zorgtafel.core.timeutil import today_local
from zorgtafel.extensions import db


def _json_handler() -> logging.Handler:
    """The handler ``create_app`` installed on the root logger (configure_logging)."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)]
    assert len(handlers) == 1, "the root logger has no JSON handler"
    return handlers[0]


@contextmanager
def json_log(level=logging.INFO):
    """What the app's own handler writes meanwhile, at production's level (INFO)."""
    handler = _json_handler()
    root = logging.getLogger()
    out = io.StringIO()
    previous_stream, previous_level = handler.setStream(out), root.level
    root.setLevel(level)
    try:
        yield out
    finally:
        root.setLevel(previous_level)
        handler.setStream(previous_stream)


def _entries(out: io.StringIO) -> list[dict]:
    text = out.getvalue()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]  # every line is one whole JSON object


def test_login_and_signal_registration_log_json_lines_with_request_id_and_no_personal_data(app, world, auth, client):
    from zorgtafel.auth.models import User

    with app.app_context():
        user = db.session.get(User, world.school.id)
        user.name = "Marieke Oudshoorn-Ferreira"
        db.session.commit()
    subject = {"bsn": bsn(), "family_name": "Vermeulen-Ouali", "given_names": "Noor Fatima",
               "birth_date": "2010-03-04"}
    with json_log() as out:
        page = client.get("/inloggen")
        wrong = client.post("/inloggen", data={"email": world.school.email, "password": "niet-het-goede-wachtwoord",
                                               "csrf_token": csrf_token(page.text)})
        auth.login(world.school)
        registered = auth.post("/signalen/nieuw", {
            **subject, "subject_role": "jongere", "category": "wegloopgedrag", "data_category": "signaal",
            "observed_on": (today_local() - timedelta(days=1)).isoformat(), "urgency": "midden",
            "description": "liep weg na school"})
    assert wrong.status_code == 200 and registered.status_code == 302

    entries = _entries(out)
    by_event = {}
    for entry in entries:
        by_event.setdefault(entry["event"], []).append(entry)
    # one line per event: the failed password, the login; with the account's id, not its address
    assert [e["outcome"] for e in by_event["auth.login_password"]] == ["failure"]
    assert [e["user_id"] for e in by_event["auth.login"]] == [world.school.id]
    assert by_event["auth.login_password"][0]["request_id"] == wrong.headers["X-Request-Id"]
    for entry in entries:
        assert {"time", "level", "logger", "event"} <= entry.keys()
        assert entry.get("request_id"), f"no request id: {entry}"

    written = out.getvalue().lower()
    for personal in (world.school.email, "Marieke", "Oudshoorn", subject["bsn"], "Vermeulen", "Ouali", "Noor",
                     "2010-03-04", "liep weg"):
        assert personal.lower() not in written, f"personal data in the log: {personal!r}"


def test_an_event_with_an_exception_is_still_one_line(app):
    log = logging.getLogger("zorgtafel.test")
    with json_log() as out, app.test_request_context("/", headers={"X-Request-Id": "verzoek-42"}):
        app.preprocess_request()  # sets the request id, as for every request
        try:
            raise RuntimeError("eerste regel\ntweede regel")
        except RuntimeError:
            log.error("iets\nging mis", exc_info=True)
    (entry,) = _entries(out)  # a traceback of many lines, still one line of JSON
    assert entry["event"] == "iets\nging mis" and entry["level"] == "error"
    assert entry["request_id"] == "verzoek-42"
    assert "Traceback" in entry["exception"] and "tweede regel" in entry["exception"]


def test_unhandled_error_is_logged_as_one_json_line_with_the_request_id(services, database_url):
    from tests.conftest import make_test_config
    from zorgtafel import create_app

    fresh = create_app(make_test_config(services, database_url, PROPAGATE_EXCEPTIONS=False))

    @fresh.route("/stuk")
    def broken():
        raise ValueError("kapot")

    with json_log() as out:
        response = fresh.test_client().get("/stuk")
    assert response.status_code == 500
    errors = [e for e in _entries(out) if e["level"] == "error"]
    assert len(errors) == 1
    assert errors[0]["request_id"] == response.headers["X-Request-Id"]
    assert "ValueError: kapot" in errors[0]["exception"]
