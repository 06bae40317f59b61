"""The meetings and actions resources of JSON API v1, as CONTRACT.md describes them,
with the shared error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from tests.helpers.people import bsn, token_for
from tests.meetings.conftest import future
from zorgtafel.core.timeutil import today_local

API = "/api/v1"


@pytest.fixture
def tokens(app, world):
    return {name: token_for(app, getattr(world, name)) for name in ("school", "police", "ggz", "coordinator",
                                                                     "privacy")}


@pytest.fixture
def reference(client, tokens):
    """A case with signals of the school and the police (a match)."""
    subject = {"bsn": bsn()}
    body = {"subject": subject, "subject_role": "jongere", "category": "wegloopgedrag", "data_category": "signaal",
            "observed_on": (today_local() - timedelta(days=2)).isoformat(), "urgency": "midden",
            "description": "liep weg na school"}
    client.post(f"{API}/signals", json=body, headers=tokens["school"])
    response = client.post(f"{API}/signals", json={**body, "category": "veel_geld_op_zak"}, headers=tokens["police"])
    return response.json["case"]["reference"]


def meeting_body(world, reference, **overrides):
    starts = future(7)
    body = {"title": "Zorgtafel week 50", "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(), "location": "Stadhuis",
            "participants": [world.police.email, world.privacy.email], "cases": [reference]}
    body.update(overrides)
    return body


def error_shape(response, status, code):
    assert response.status_code == status, response.json
    assert set(response.json) == {"error"} and set(response.json["error"]) == {"code", "message", "fields"}
    assert response.json["error"]["code"] == code
    return response.json["error"]


@pytest.fixture
def meeting(client, world, tokens, reference):
    response = client.post(f"{API}/meetings", json=meeting_body(world, reference), headers=tokens["coordinator"])
    assert response.status_code == 201, response.json
    return response.json


def test_plan_a_meeting(client, world, tokens, reference, meeting):
    assert {"id", "title", "starts_at", "ends_at", "location", "uid", "sequence", "status", "participants",
            "agenda"} <= set(meeting)
    assert meeting["status"] == "gepland" and meeting["sequence"] == 0
    assert meeting["starts_at"].endswith(("+01:00", "+02:00"))
    assert {p["email"] for p in meeting["participants"]} == {world.coordinator.email, world.police.email,
                                                             world.privacy.email}
    (item,) = meeting["agenda"]
    assert item["case"] == reference and item["restricted"] is False and item["basis"]["article"] == "5.1"
    listing = client.get(f"{API}/meetings", headers=tokens["police"]).json
    assert [m["id"] for m in listing["items"]] == [meeting["id"]] and listing["next"] is None


def test_each_caller_sees_the_agenda_as_allowed(client, tokens, reference, meeting):
    url = f"{API}/meetings/{meeting['id']}"
    police = client.get(url, headers=tokens["police"]).json
    assert police["agenda"][0]["case"] == reference and police["agenda"][0]["basis"]["article"] == "5.2"
    privacy = client.get(url, headers=tokens["privacy"]).json["agenda"][0]
    assert privacy["restricted"] is True and "case" not in privacy and privacy["reason"]
    error_shape(client.get(url, headers=tokens["school"]), 404, "not_found")  # not a participant
    error_shape(client.get(f"{API}/meetings/999999", headers=tokens["police"]), 404, "not_found")
    error_shape(client.get(url), 401, "unauthenticated")


def test_invite_ics(client, tokens, reference, meeting):
    response = client.get(f"{API}/meetings/{meeting['id']}/invite.ics", headers=tokens["police"])
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "method=REQUEST" in response.headers["Content-Type"]
    cal = Calendar.from_ical(response.data)
    (event,) = cal.walk("VEVENT")
    assert cal["METHOD"] == "REQUEST" and str(event["UID"]) == meeting["uid"] and cal.walk("VTIMEZONE")
    assert reference in str(event["DESCRIPTION"])
    hidden = Calendar.from_ical(client.get(f"{API}/meetings/{meeting['id']}/invite.ics",
                                           headers=tokens["privacy"]).data)
    assert reference not in str(hidden.walk("VEVENT")[0]["DESCRIPTION"])
    error_shape(client.get(f"{API}/meetings/{meeting['id']}/invite.ics", headers=tokens["ggz"]), 404, "not_found")


@pytest.mark.parametrize("change,field", [
    ({"participants": ["niemand@nergens.nl"]}, "participants[0]"),
    ({"cases": ["ZT-0000-0000"]}, "cases[0]"),
    ({"starts_at": "2027-01-05T10:00:00"}, "starts_at"),
    ({"title": ""}, "title"),
    ({"location": "", "video_link": None}, "location"),
    ({"zaal": 3}, "zaal"),
])
def test_plan_refuses_invalid_fields(client, world, tokens, reference, change, field):
    response = client.post(f"{API}/meetings", json=meeting_body(world, reference, **change),
                           headers=tokens["coordinator"])
    assert field in error_shape(response, 422, "invalid")["fields"]


def test_plan_refusals(app, client, world, factory, tokens, reference):
    ggd = factory.user("professional", organisation_key="ggd-voorbeeld")
    response = client.post(f"{API}/meetings", json=meeting_body(world, reference, participants=[ggd.email]),
                           headers=tokens["coordinator"])
    assert "partij" in error_shape(response, 422, "invalid")["fields"]["participants[0]"]
    forbidden = error_shape(client.post(f"{API}/meetings", json=meeting_body(world, reference),
                                        headers=tokens["school"]), 403, "forbidden")
    assert "plan_meeting" in forbidden["message"]
    error_shape(client.post(f"{API}/meetings", data="{", headers={**tokens["coordinator"],
                                                                   "Content-Type": "application/json"}),
                400, "malformed")


def test_minutes_through_the_api(client, tokens, reference, meeting):
    url = f"{API}/meetings/{meeting['id']}/minutes"
    body = {"items": [{"case": reference, "decision": "plan_van_aanpak", "text": "regie bij de politie"}],
            "attendance": [{"participant": "onbekend@test.nl", "attendance": "aanwezig"}]}
    assert "attendance[0].participant" in error_shape(client.post(url, json=body, headers=tokens["coordinator"]),
                                                      422, "invalid")["fields"]
    body["attendance"] = []
    error_shape(client.post(url, json=body, headers=tokens["police"]), 403, "forbidden")
    wrong = {"items": [{"case": "ZT-0000-0000", "decision": "monitoren"}]}
    assert "items[0].case" in error_shape(client.post(url, json=wrong, headers=tokens["coordinator"]),
                                          422, "invalid")["fields"]
    draft = client.post(url, json=body, headers=tokens["coordinator"])
    assert draft.status_code == 200 and draft.json["minutes_status"] == "concept"
    done = client.post(url, json={**body, "status": "goedgekeurd"}, headers=tokens["coordinator"])
    assert done.status_code == 200 and done.json["minutes_status"] == "goedgekeurd"
    (change,) = done.json["status_changes"]
    # The case was 'aangemeld' (no transition to 'geagendeerd'), so plan van aanpak is skipped.
    assert change["case"] == reference and change["applied"] is False and change["from"] == "aangemeld"
    police = client.get(f"{API}/meetings/{meeting['id']}", headers=tokens["police"]).json
    assert police["agenda"][0]["minutes"]["text"] == "regie bij de politie"
    error_shape(client.post(url, json=body, headers=tokens["coordinator"]), 409, "conflict")


def test_actions_through_the_api(client, world, tokens, reference):
    body = {"case": reference, "title": "Contact met school opnemen", "assignee": world.ggz.email,
            "due_on": (today_local() + timedelta(days=5)).isoformat()}
    error_shape(client.post(f"{API}/actions", json=body, headers=tokens["school"]), 403, "forbidden")
    assert "case" in error_shape(client.post(f"{API}/actions", json={**body, "case": "ZT-0000-0000"},
                                             headers=tokens["coordinator"]), 422, "invalid")["fields"]
    assert "assignee" in error_shape(client.post(f"{API}/actions", json={**body, "assignee": "x@y.nl"},
                                                 headers=tokens["coordinator"]), 422, "invalid")["fields"]
    created = client.post(f"{API}/actions", json=body, headers=tokens["coordinator"])
    assert created.status_code == 201, created.json
    action = created.json
    assert action["status"] == "open" and action["assignee"] == world.ggz.email and len(action["history"]) == 1
    url = f"{API}/actions/{action['id']}"
    # The GGZ is involved now (the action), so it finds the case's actions; the school too (its signal).
    mine = client.get(f"{API}/actions", headers=tokens["ggz"]).json["items"]
    assert [a["id"] for a in mine] == [action["id"]]
    error_shape(client.patch(url, json={"status": "afgerond", "note": "gedaan"}, headers=tokens["school"]),
                403, "forbidden")
    assert "note" in error_shape(client.patch(url, json={"status": "afgerond"}, headers=tokens["ggz"]),
                                 422, "invalid")["fields"]
    done = client.patch(url, json={"status": "afgerond", "note": "gesprek gevoerd"}, headers=tokens["ggz"])
    assert done.status_code == 200 and done.json["status"] == "afgerond" and len(done.json["history"]) == 2
    error_shape(client.patch(url, json={"status": "in_behandeling", "note": "toch niet"}, headers=tokens["ggz"]),
                409, "conflict")
    error_shape(client.patch(f"{API}/actions/999999", json={"note": "abc"}, headers=tokens["ggz"]), 404, "not_found")
    error_shape(client.get(url, headers=tokens["privacy"]), 404, "not_found")


def test_the_openapi_document_lists_the_resources(client):
    paths = client.get(f"{API}/openapi.json").json["paths"]
    assert {"/meetings", "/meetings/{meeting_id}", "/meetings/{meeting_id}/invite.ics",
            "/meetings/{meeting_id}/minutes", "/actions", "/actions/{action_id}"} <= set(paths)
    assert "404" in paths["/actions/{action_id}"]["patch"]["responses"]


def test_minutes_in_the_contract_shape(client, tokens, reference, meeting):
    """CONTRACT.md: POST /meetings/{id}/minutes takes per agenda item {case, decision, text}."""
    url = f"{API}/meetings/{meeting['id']}/minutes"
    single = client.post(url, json={"case": reference, "decision": "monitoren", "text": "eerst afwachten"},
                         headers=tokens["coordinator"])
    assert single.status_code == 200, single.json
    assert single.json["minutes_status"] == "concept"
    listed = client.post(url, json=[{"case": reference, "decision": "plan_van_aanpak", "text": "regie bij school"}],
                         headers=tokens["coordinator"])
    assert listed.status_code == 200
    police = client.get(f"{API}/meetings/{meeting['id']}", headers=tokens["police"]).json
    assert police["agenda"][0]["minutes"]["text"] == "regie bij school"
    bad = client.post(url, json={"case": reference, "decision": "wegdoen"}, headers=tokens["coordinator"])
    assert "items[0].decision" in error_shape(bad, 422, "invalid")["fields"]
    error_shape(client.post(url, json="tekst", headers=tokens["coordinator"]), 400, "malformed")
