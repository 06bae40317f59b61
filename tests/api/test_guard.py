"""The API's guard: bearer token → policy → act → commit once, and its one error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.api.helpers import API, assert_error, bearer, organisation_ids
from zorgtafel.auth.models import ApiToken, AuthSession, User
from zorgtafel.core.api import ApiResource
from zorgtafel.core.models import utcnow
from zorgtafel.extensions import db


def _set(app, model, where, **values):
    with app.app_context():
        db.session.execute(update(model).where(where).values(**values))
        db.session.commit()


# -- 401 ---------------------------------------------------------------------------------------


def test_a_valid_token_is_the_actor(client, token, professional):
    response = client.get(f"{API}/test/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json() == {"id": professional.id}
    assert response.headers["Cache-Control"] == "no-store"


def test_no_token_is_401(client):
    error = assert_error(client.get(f"{API}/test/me"), 401, "unauthenticated")
    assert "Bearer" in error["message"]


@pytest.mark.parametrize("header", ["Bearer zt_not-a-real-token", "Bearer ", "Basic dXNlcjpwdw==", "zt_abc"])
def test_a_bad_token_is_401(client, header):
    response = client.get(f"{API}/test/me", headers={"Authorization": header})
    assert_error(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_401(app, client, token):
    _set(app, ApiToken, ApiToken.prefix == token[:10], expires_at=utcnow() - timedelta(seconds=1))
    assert_error(client.get(f"{API}/test/me", headers=bearer(token)), 401, "unauthenticated")


def test_a_revoked_token_is_401(app, client, token):
    _set(app, ApiToken, ApiToken.prefix == token[:10], revoked_at=utcnow())
    assert_error(client.get(f"{API}/test/me", headers=bearer(token)), 401, "unauthenticated")


def test_the_token_of_an_inactive_user_is_401(app, client, token, professional):
    # Only the flag: the token itself stays unrevoked, so the user check is what refuses.
    _set(app, User, User.id == professional.id, active=False)
    error = assert_error(client.get(f"{API}/test/me", headers=bearer(token)), 401, "unauthenticated")
    assert "ongeldig" in error["message"]  # the same answer as any bad token: no account probing


def test_a_session_cookie_does_not_authenticate_the_api(app, client, auth, professional, token):
    auth.login(professional, follow=False)  # not following: the dashboard is another room's
    assert client.get_cookie("zorgtafel_session") is not None
    with app.app_context():  # the browser session is live
        assert db.session.scalar(select(func.count()).select_from(AuthSession).where(
            AuthSession.user_id == professional.id, AuthSession.ended_at.is_(None))) == 1
    assert_error(client.get(f"{API}/test/me"), 401, "unauthenticated")
    response = client.post(f"{API}/test/echo", json={"name": "x", "count": 1, "when": "2025-01-01", "sub": {"kind": "a"}})
    assert_error(response, 401, "unauthenticated")
    # ...and the same client with a token is fine: no CSRF token is asked of the API.
    response = client.post(f"{API}/test/echo", headers=bearer(token),
                           json={"name": "x", "count": 1, "when": "2025-01-01", "sub": {"kind": "a"}})
    assert response.status_code == 201, response.text


def test_api_responses_set_no_cookie(client, token):
    response = client.get(f"{API}/test/me", headers=bearer(token))
    assert "Set-Cookie" not in response.headers


# -- 403 ---------------------------------------------------------------------------------------


def test_policy_denial_is_403_with_the_decisions_reason(client, token):
    error = assert_error(client.get(f"{API}/test/admin", headers=bearer(token)), 403, "forbidden")
    assert error["message"] == "Alleen een functioneel beheerder mag dit."
    assert "alleen voor beheerders" not in error["message"]


def test_the_same_resource_is_allowed_where_the_policy_allows(factory, token_for, client):
    admin = factory.user("beheerder")
    response = client.get(f"{API}/test/admin", headers=bearer(token_for(admin)))
    assert response.status_code == 200


def test_a_resource_that_names_no_action_fails(app):
    served = []

    class Forgetful(ApiResource):
        def current_actor(self):
            return object()

        def get(self, target):
            served.append(True)
            return {}

    assert Forgetful.methods == ["GET"]
    with app.test_request_context(f"{API}/forgetful"):
        with pytest.raises(RuntimeError, match="declares no policy action"):
            Forgetful().dispatch_request()
    assert served == []


def test_a_typo_in_operations_is_refused_at_import():
    with pytest.raises(TypeError, match="unknown keys"):
        class Typo(ApiResource):  # noqa: F841
            action = "personal"
            operations = {"GET": {"sumary": "oops"}}


# -- 400, 422 ------------------------------------------------------------------------------------

ECHO = {"name": "Anna", "count": 2, "when": "2025-01-01", "sub": {"kind": "a"}}


def test_a_valid_body_is_accepted_and_times_have_an_offset(client, token, professional):
    response = client.post(f"{API}/test/echo", headers=bearer(token), json=ECHO)
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    assert response.get_json() == {"name": "Anna", "actor": professional.id, "at": "2025-01-02T03:04:00+00:00",
                                   "when": "2025-01-01"}


@pytest.mark.parametrize("data, content_type", [
    ("{not json", "application/json"),
    ('["a", "list"]', "application/json"),
    ("null", "application/json"),
    ('{"name": "x"}', "text/plain"),
    ("name=x", "application/x-www-form-urlencoded"),
])
def test_malformed_body_is_400(client, token, data, content_type):
    response = client.post(f"{API}/test/echo", headers={**bearer(token), "Content-Type": content_type}, data=data)
    assert_error(response, 400, "malformed")


def test_invalid_fields_are_422_with_a_dutch_message_per_field(client, token):
    body = {"name": "", "count": 0, "when": "gisteren", "sub": {"kind": "z"}, "tags": ["a", "b", "c"],
            "extra": 1}
    error = assert_error(client.post(f"{API}/test/echo", headers=bearer(token), json=body), 422, "invalid")
    assert error["fields"] == {
        "name": "mag niet leeg zijn",
        "count": "moet minstens 1 zijn",
        "when": "verwacht een datum JJJJ-MM-DD",
        "sub.kind": "onbekende waarde; toegestaan: 'a' of 'b'",
        "tags": "te lang: hoogstens 2",
        "extra": "onbekend veld (tikfout?)",
    }


def test_missing_fields_are_named(client, token):
    error = assert_error(client.post(f"{API}/test/echo", headers=bearer(token), json={}), 422, "invalid")
    assert error["fields"] == {"name": "ontbreekt", "count": "ontbreekt", "when": "ontbreekt", "sub": "ontbreekt"}


def test_the_422_never_echoes_the_input(client, token):
    secret = "123456782"
    body = {**ECHO, "sub": {"kind": secret}}
    response = client.post(f"{API}/test/echo", headers=bearer(token), json=body)
    assert secret not in response.text


# -- 404, 405, 409, 204 ----------------------------------------------------------------------


def test_unknown_thing_is_404(client, token):
    assert client.get(f"{API}/test/things/1", headers=bearer(token)).get_json() == {"id": 1}
    assert_error(client.get(f"{API}/test/things/2", headers=bearer(token)), 404, "not_found")


def test_unknown_route_and_method_answer_in_the_api_shape(client, token):
    assert_error(client.get(f"{API}/bestaat-niet", headers=bearer(token)), 404, "not_found")
    assert_error(client.post(f"{API}/test/me", headers=bearer(token)), 405, "method_not_allowed")


def test_conflict_is_409(client, token):
    error = assert_error(client.put(f"{API}/test/things/1", headers=bearer(token)), 409, "conflict")
    assert error["message"] == "Dit ding is al afgerond."


def test_none_is_204_without_body(client, token):
    response = client.delete(f"{API}/test/things/1", headers=bearer(token))
    assert response.status_code == 204
    assert response.data == b""


def test_head_follows_get_also_with_an_action_mapping(client, token):
    response = client.head(f"{API}/test/things/1", headers=bearer(token))
    assert response.status_code == 200
    assert response.data == b""


def test_a_finished_response_passes_through(client, token):
    response = client.get(f"{API}/test/calendar.ics", headers=bearer(token))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.data.startswith(b"BEGIN:VCALENDAR")
    assert response.headers["Cache-Control"] == "no-store"


# -- one request, one transaction ---------------------------------------------------------------


def test_success_commits_and_a_refusal_leaves_nothing(app, client, token):
    kept, refused = "zt-api-kept-org", "zt-api-refused-org"
    response = client.post(f"{API}/test/write", headers=bearer(token), json={"key": kept})
    assert response.status_code == 201
    response = client.post(f"{API}/test/write", headers=bearer(token), json={"key": refused, "then_conflict": True})
    assert_error(response, 409, "conflict")
    assert len(organisation_ids(app, kept)) == 1
    assert organisation_ids(app, refused) == []
