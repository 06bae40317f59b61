"""Bad input gets a clear answer and changes nothing — never a 500 (security review M3, M4)."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers.people import bsn, token_for
from zorgtafel.core.timeutil import today_local


def test_huge_ids_are_not_found(app, world, auth, client):
    auth.login(world.coordinator)
    for path in ("/actiepunten/99999999999", "/overleg/99999999999", "/signalen/99999999999/intrekken",
                 "/onthullingen/99999999999", "/taken/99999999999"):
        assert client.get(path).status_code in (404, 405), path
    headers = token_for(app, world.coordinator)
    for path in ("/api/v1/actions/99999999999", "/api/v1/meetings/99999999999", "/api/v1/reveal-requests/99999999999"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_nul_bytes_are_refused_before_the_database(app, world, auth, client):
    headers = token_for(app, world.school)
    body = {"subject": {"bsn": bsn()}, "subject_role": "jongere", "category": "wegloopgedrag",
            "observed_on": (today_local() - timedelta(days=1)).isoformat(), "urgency": "laag",
            "description": "geheime toelichting\u0000x"}
    response = client.post("/api/v1/signals", json=body, headers=headers)
    assert response.status_code == 422 and "description" in response.json["error"]["fields"]
    assert "geheime toelichting" not in response.text
    auth.login(world.school)
    assert auth.post("/signalen/nieuw", {"bsn": "1\x002"}).status_code == 400
    assert client.get("/casussen?status=a%00b").status_code == 400


def test_a_meeting_far_in_the_future_is_refused(app, world, client):
    headers = token_for(app, world.coordinator)
    response = client.post("/api/v1/meetings", headers=headers, json={
        "title": "Ver weg", "starts_at": "9999-12-31T10:00:00+01:00", "ends_at": "9999-12-31T11:00:00+01:00",
        "location": "Zaal", "participants": [], "cases": []})
    assert response.status_code == 422 and "starts_at" in response.json["error"]["fields"]


def test_database_errors_hide_their_parameters(app):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    from zorgtafel.extensions import db

    with app.app_context():
        assert db.engine.hide_parameters is True
