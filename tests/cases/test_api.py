"""The cases resources of JSON API v1, exactly as CONTRACT.md describes them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers.people import bsn, invalid_bsn, token_for
from zorgtafel.core.timeutil import today_local

STABLE_KEYS = {"lichamelijke_klachten", "plotselinge_gedragsverandering", "veel_geld_op_zak",
               "nieuwe_spullen_of_kleding", "middelengebruik", "verslechterde_schoolprestaties", "wegloopgedrag",
               "isolatie_van_vrienden_of_familie", "onderbuikgevoel"}


def signal(**overrides):
    body = {"subject": {"bsn": bsn()}, "subject_role": "jongere", "category": "wegloopgedrag",
            "data_category": "signaal", "observed_on": (today_local() - timedelta(days=2)).isoformat(),
            "urgency": "midden", "description": "liep weg"}
    body.update(overrides)
    return body


@pytest.fixture
def tokens(app, world):
    return {name: token_for(app, getattr(world, name)) for name in ("school", "police", "ggz", "coordinator",
                                                                     "coordinator2", "privacy")}


def test_signal_categories(client, tokens):
    response = client.get("/api/v1/signal-categories", headers=tokens["school"])
    assert response.status_code == 200
    keys = {item["key"] for item in response.json["items"]}
    assert STABLE_KEYS <= keys
    assert all({"key", "label", "label_en", "group"} <= set(i) for i in response.json["items"])


def test_register_and_match(client, tokens):
    body = signal()
    first = client.post("/api/v1/signals", json=body, headers=tokens["school"])
    assert first.status_code == 201, first.json
    assert set(first.json) == {"id", "case", "match"} and first.json["match"] is False
    second = client.post("/api/v1/signals", json=signal(subject=body["subject"], category="veel_geld_op_zak"),
                         headers=tokens["police"])
    assert second.status_code == 201 and second.json["match"] is True
    assert second.json["case"]["reference"] == first.json["case"]["reference"]


@pytest.mark.parametrize("change,field", [
    ({"subject": {"bsn": "123456789"}}, "subject.bsn"),
    ({"subject": {"family_name": "Jansen", "given_names": "Eva", "birth_date": "2999-01-01"}}, "subject.birth_date"),
    ({"subject": {"family_name": "Jansen", "birth_date": "2010-01-01"}}, "subject.given_names"),
    ({"subject": {}}, "subject.bsn"),
    ({"category": "bestaat_niet"}, "category"),
    ({"data_category": "geheim"}, "data_category"),
    ({"urgency": "spoed"}, "urgency"),
    ({"subject_role": "dader"}, "subject_role"),
    ({"observed_on": "gisteren"}, "observed_on"),
    ({"observed_on": "2999-01-01"}, "observed_on"),
    ({"description": "x" * 4001}, "description"),
    ({"extra": 1}, "extra"),
])
def test_invalid_fields_get_422_naming_the_field(client, tokens, change, field):
    response = client.post("/api/v1/signals", json=signal(**change), headers=tokens["school"])
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert set(response.json) == {"error"} and set(error) == {"code", "message", "fields"}


def test_wrong_bsn_message_is_dutch_and_does_not_echo(client, tokens):
    wrong = invalid_bsn()
    response = client.post("/api/v1/signals", json=signal(subject={"bsn": wrong}), headers=tokens["school"])
    assert "elfproef" in response.json["error"]["fields"]["subject.bsn"]
    assert wrong not in response.text


def test_malformed_and_unauthenticated(client, tokens):
    assert client.post("/api/v1/signals", data="{niet json", headers={**tokens["school"],
                                                                      "Content-Type": "application/json"}).status_code == 400
    assert client.post("/api/v1/signals", json=signal()).status_code == 401


def test_school_may_not_register_police_data(client, tokens):
    response = client.post("/api/v1/signals", json=signal(data_category="strafrechtelijk"), headers=tokens["school"])
    assert response.status_code == 403
    assert "strafrechtelijk" in response.json["error"]["message"]


def test_case_list_and_detail_with_restricted_entries(client, tokens):
    body = signal()
    client.post("/api/v1/signals", json=signal(subject=body["subject"], data_category="strafrechtelijk",
                                               category="veel_geld_op_zak", description="pv-nummer 42"),
                headers=tokens["police"])
    created = client.post("/api/v1/signals", json=body, headers=tokens["school"]).json
    reference = created["case"]["reference"]
    listing = client.get("/api/v1/cases?has_match=true", headers=tokens["school"])
    assert listing.status_code == 200
    item = next(i for i in listing.json["items"] if i["reference"] == reference)
    assert item["has_match"] is True and item["signal_count"] == 2 and "next" in listing.json
    detail = client.get(f"/api/v1/cases/{reference}", headers=tokens["school"])
    assert detail.status_code == 200
    signals = [e for e in detail.json["timeline"] if e["kind"] == "signal"]
    restricted = [e for e in signals if e["restricted"]]
    assert len(restricted) == 1
    assert restricted[0]["organisation"] == "Politie Eenheid Voorbeeld"
    assert restricted[0]["category"] is None and "description" not in restricted[0]
    assert restricted[0]["reason"] == "Geen inzage op grond van het convenant."
    assert "strafrechtelijk" not in str(restricted[0])
    assert "pv-nummer" not in detail.text
    own = [e for e in signals if not e["restricted"]][0]
    assert own["basis"] == {"convenant": "zorgtafel-su-voorbeeldregio", "version": 1, "article": "5.2"}
    assert own["description"] == "liep weg"
    coordinator_view = client.get(f"/api/v1/cases/{reference}", headers=tokens["coordinator"]).json
    assert "pv-nummer 42" in str(coordinator_view)


def test_invisible_case_is_404(client, tokens):
    created = client.post("/api/v1/signals", json=signal(), headers=tokens["police"]).json
    response = client.get(f"/api/v1/cases/{created['case']['reference']}", headers=tokens["school"])
    assert response.status_code == 404
    assert client.get("/api/v1/cases/ZT-0000-0000", headers=tokens["school"]).status_code == 404


def test_status_transitions(client, tokens):
    reference = client.post("/api/v1/signals", json=signal(), headers=tokens["school"]).json["case"]["reference"]
    path = f"/api/v1/cases/{reference}/status"
    assert client.post(path, json={"status": "monitoring", "note": ""}, headers=tokens["coordinator"]).status_code == 409
    assert client.post(path, json={"status": "in_weging"}, headers=tokens["school"]).status_code == 403
    ok = client.post(path, json={"status": "in_weging", "note": "weging gestart"}, headers=tokens["coordinator"])
    assert ok.status_code == 200 and ok.json["status"] == "in_weging"


def test_reveal_flow(client, tokens):
    reference = client.post("/api/v1/signals", json=signal(subject={"family_name": "Veldhuis", "given_names": "Ilse",
                                                                      "birth_date": "2009-01-31"}),
                            headers=tokens["school"]).json["case"]["reference"]
    asked = client.post(f"/api/v1/cases/{reference}/reveal", json={"reason": "afstemming met de raad"},
                        headers=tokens["coordinator"])
    assert asked.status_code == 202 and asked.json["request"]["status"] == "pending"
    request_id = asked.json["request"]["id"]
    assert client.get("/api/v1/reveal-requests", headers=tokens["coordinator"]).json["items"] == []
    pending = client.get("/api/v1/reveal-requests", headers=tokens["coordinator2"]).json["items"]
    assert [r["id"] for r in pending] == [request_id]
    own = client.post(f"/api/v1/reveal-requests/{request_id}/approve", json={"note": ""}, headers=tokens["coordinator"])
    assert own.status_code == 403
    before = client.get(f"/api/v1/reveal-requests/{request_id}", headers=tokens["coordinator"]).json
    assert before["status"] == "pending" and "identity" not in before
    approved = client.post(f"/api/v1/reveal-requests/{request_id}/approve", json={"note": "ok"},
                           headers=tokens["coordinator2"])
    assert approved.status_code == 200
    after = client.get(f"/api/v1/reveal-requests/{request_id}", headers=tokens["coordinator"]).json
    assert after["identity"]["family_name"] == "Veldhuis"
    again = client.get(f"/api/v1/reveal-requests/{request_id}", headers=tokens["coordinator"]).json
    assert "identity" not in again and again["shown_at"]  # shown once
    assert client.get(f"/api/v1/reveal-requests/{request_id}", headers=tokens["coordinator2"]).status_code == 404
    assert client.post(f"/api/v1/cases/{reference}/reveal", json={"reason": "ik wil het weten nu"},
                       headers=tokens["school"]).status_code == 403


def test_withdraw_through_the_api(client, tokens):
    created = client.post("/api/v1/signals", json=signal(), headers=tokens["school"]).json
    path = f"/api/v1/signals/{created['id']}"
    assert client.delete(path, json={"reason": "onterecht gebleken"}, headers=tokens["police"]).status_code == 404
    assert client.delete(path, json={"reason": "x"}, headers=tokens["school"]).status_code == 422
    assert client.delete(path, json={"reason": "onterecht gebleken"}, headers=tokens["school"]).status_code == 204
    detail = client.get(f"/api/v1/cases/{created['case']['reference']}", headers=tokens["coordinator"]).json
    assert [e for e in detail["timeline"] if e["kind"] == "signal"] == []


def test_list_paging_with_cursor(client, tokens):
    for _ in range(3):
        client.post("/api/v1/signals", json=signal(), headers=tokens["school"])
    first = client.get("/api/v1/cases?limit=2", headers=tokens["coordinator"]).json
    assert len(first["items"]) == 2 and first["next"]
    second = client.get(f"/api/v1/cases?limit=2&cursor={first['next']}", headers=tokens["coordinator"]).json
    assert len(second["items"]) == 1 and second["next"] is None
    assert client.get("/api/v1/cases?cursor=vervalst", headers=tokens["coordinator"]).status_code == 400
    assert client.get("/api/v1/cases?status=onzin", headers=tokens["coordinator"]).status_code == 422


def test_actions_on_an_invisible_case_look_like_an_unknown_case(client, tokens):
    """403 for an existing but invisible case would confirm it exists (security review H1)."""
    reference = client.post("/api/v1/signals", json=signal(), headers=tokens["police"]).json["case"]["reference"]
    for path, body in ((f"/api/v1/cases/{reference}/status", {"status": "in_weging"}),
                       (f"/api/v1/cases/{reference}/reveal", {"reason": "nieuwsgierig naar wie"})):
        assert client.post(path, json=body, headers=tokens["school"]).status_code == 404
        unknown = path.replace(reference, "ZT-0000-0000")
        assert client.post(unknown, json=body, headers=tokens["school"]).status_code == 404


def test_unknown_status_is_invalid_not_a_conflict(client, tokens):
    reference = client.post("/api/v1/signals", json=signal(), headers=tokens["school"]).json["case"]["reference"]
    response = client.post(f"/api/v1/cases/{reference}/status", json={"status": "vergeten"},
                           headers=tokens["coordinator"])
    assert response.status_code == 422 and "status" in response.json["error"]["fields"]


def test_reveal_requests_are_paged(client, tokens):
    for _ in range(3):
        reference = client.post("/api/v1/signals", json=signal(), headers=tokens["school"]).json["case"]["reference"]
        client.post(f"/api/v1/cases/{reference}/reveal", json={"reason": "afstemming met de raad nodig"},
                    headers=tokens["coordinator"])
    first = client.get("/api/v1/reveal-requests?limit=2", headers=tokens["coordinator2"]).json
    assert len(first["items"]) == 2 and first["next"]
    second = client.get(f"/api/v1/reveal-requests?limit=2&cursor={first['next']}", headers=tokens["coordinator2"]).json
    assert len(second["items"]) == 1 and second["next"] is None
    assert {i["id"] for i in first["items"]}.isdisjoint({i["id"] for i in second["items"]})


def test_organisation_in_two_convenants_names_one(app, client, tokens, world):
    from tests.helpers.convenant import load_reference, reference_text

    load_reference(app, reference_text().replace("key: zorgtafel-su-voorbeeldregio", "key: tweede-regio"))
    missing = client.post("/api/v1/signals", json=signal(), headers=tokens["school"])
    assert missing.status_code == 422 and "convenant" in missing.json["error"]["fields"]
    named = client.post("/api/v1/signals", json=signal(convenant="tweede-regio"), headers=tokens["school"])
    assert named.status_code == 201, named.json
    other = client.post("/api/v1/signals", json=signal(convenant="bestaat-niet"), headers=tokens["school"])
    assert other.status_code == 403


def test_merge_through_the_api_and_the_old_reference_answers(client, tokens):
    """The partner systems' view of a merge: the registration that gives both halves
    answers with the kept case; GET on the old reference gives that case."""
    number = bsn()
    person = {"family_name": "Wijnberg", "given_names": "Noor", "birth_date": "2011-05-06"}
    by_name = client.post("/api/v1/signals", json=signal(subject=person), headers=tokens["school"]).json
    by_bsn = client.post("/api/v1/signals", json=signal(subject={"bsn": number}), headers=tokens["police"]).json
    both = client.post("/api/v1/signals", json=signal(subject={"bsn": number, **person}, category="veel_geld_op_zak"),
                       headers=tokens["ggz"])
    assert both.status_code == 201 and both.json["case"]["reference"] == by_bsn["case"]["reference"]
    old = client.get(f"/api/v1/cases/{by_name['case']['reference']}", headers=tokens["school"])
    assert old.status_code == 200 and old.json["reference"] == by_bsn["case"]["reference"]
