"""The queue in the browser and the API: visible only to coordinators of the same
convenant, overdue first and marked in words, pick up and finish, and the daily digest."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from tests.helpers.convenant import load_reference, reference_text
from tests.helpers.fixtures import AuthActions
from tests.helpers.people import bsn, register, token_for
from zorgtafel.extensions import db
from zorgtafel.followup import sweeps
from zorgtafel.notify.models import Notification


def _seed(app, world):
    with app.app_context():
        subject = {"bsn": bsn()}
        register(world.school, subject=subject)
        reference = register(world.police, subject=subject, urgency="hoog").case.reference
        db.session.commit()
    return reference


def test_queue_page_pick_up_and_finish(app, world, auth, client):
    reference = _seed(app, world)
    with time_machine.travel(timedelta(days=10)):
        auth.login(world.coordinator)
        page = client.get("/taken")
        assert page.status_code == 200 and reference in page.text
        assert 'data-testid="overdue"' in page.text and "Te laat" in page.text
        task_id = page.text.split('id="taak-')[1].split('"')[0]
        assert auth.post(f"/taken/{task_id}", {"status": "in_behandeling", "note": ""}, page="/taken").status_code == 302
        other = AuthActions(app, app.test_client())
        other.login(world.coordinator2)
        assert "opgepakt door" in other.client.get("/taken").text
        nav = client.get("/").text
    assert "open taken" in nav


def test_other_convenant_sees_nothing(app, world, factory, client):
    _seed(app, world)
    text = reference_text().replace("key: zorgtafel-su-voorbeeldregio", "key: andere-regio").replace(
        "zorgcoordinatie-voorbeeld", "zorgcoordinatie-elders").replace(
        "Zorgcoördinatie Mensenhandel Voorbeeldregio", "Zorgcoördinatie Elders")
    load_reference(app, text)
    elsewhere = factory.user("zorgcoordinator", organisation_key="zorgcoordinatie-elders")
    AuthActions(app, client).login(elsewhere)
    assert "Geen open taken" in client.get("/taken").text
    headers = token_for(app, elsewhere)
    assert client.get("/api/v1/coordinator-tasks", headers=headers).json["items"] == []


def test_api_list_and_patch(app, world, client):
    reference = _seed(app, world)
    headers = token_for(app, world.coordinator)
    items = client.get("/api/v1/coordinator-tasks", headers=headers).json["items"]
    assert {i["kind"] for i in items} == {"triage", "match"}
    match = next(i for i in items if i["kind"] == "match")
    assert match["case"] == reference and match["status"] == "open" and match["overdue"] is False
    path = f"/api/v1/coordinator-tasks/{match['id']}"
    assert client.patch(path, json={"status": "afgerond", "note": ""}, headers=headers).status_code == 422
    done = client.patch(path, json={"status": "afgerond", "note": "besproken met de school"}, headers=headers)
    assert done.status_code == 200 and done.json["status"] == "afgerond"
    assert client.patch(path, json={"status": "open"}, headers=headers).status_code == 409
    assert client.patch(path, json={"status": "open"}, headers=token_for(app, world.school)).status_code == 404
    overdue = client.get("/api/v1/coordinator-tasks?overdue=true", headers=headers).json["items"]
    assert overdue == []


def test_digest_once_per_day_and_content_free(app, world):
    _seed(app, world)
    with app.app_context(), time_machine.travel(timedelta(days=5)):
        assert sweeps.daily_digest() == 2  # both coordinators
        assert sweeps.daily_digest() == 0  # the same day again: nothing
        db.session.commit()
        notes = db.session.scalars(select(Notification).where(Notification.kind == "taken_overzicht")).all()
        assert len(notes) == 2 and all(n.case_reference is None and n.link == "/taken" for n in notes)
    with app.app_context(), time_machine.travel(timedelta(days=6)):
        assert sweeps.daily_digest() == 2
