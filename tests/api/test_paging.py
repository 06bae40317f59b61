"""Opaque, signed cursors and keyset pages."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.api.helpers import API, assert_error, bearer, organisation_ids
from zorgtafel.core.api import decode_cursor, encode_cursor
from zorgtafel.core.errors import ApiError

VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-2**62, 2**62), st.text(max_size=20),
    st.dates(), st.datetimes(timezones=st.just(timezone.utc)),
)


@settings(max_examples=60, deadline=None)
@given(values=st.tuples(VALUES, VALUES, VALUES))
def test_cursor_round_trip(app, values):
    with app.app_context():
        assert decode_cursor(encode_cursor(values)) == values
        assert decode_cursor(encode_cursor(values, scope="a"), scope="a") == values


def _refused(app, cursor: str, scope: str = "") -> None:
    with app.app_context():
        with pytest.raises(ApiError) as info:
            decode_cursor(cursor, scope)
    assert info.value.code == 400


def test_a_cursor_is_opaque_and_signed(app):
    with app.app_context():
        cursor = encode_cursor((datetime(2025, 3, 1, 12, tzinfo=timezone.utc), 42))
    body, mac = cursor.split(".")
    # A client can read it (it is only base64), but changing it breaks the signature.
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps([payload[0], 41]).encode()).rstrip(b"=").decode()
    _refused(app, f"{forged}.{mac}")
    _refused(app, f"{body}.{mac[:-2]}AA")
    _refused(app, body)
    _refused(app, "")
    _refused(app, "!!!.???")
    _refused(app, cursor, scope="another list")


def test_a_cursor_from_another_secret_key_is_refused(app, monkeypatch):
    with app.app_context():
        cursor = encode_cursor((1,))
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-of-enough-length")
    _refused(app, cursor)


def test_cursor_refuses_values_it_cannot_carry(app):
    with app.app_context(), pytest.raises(TypeError):
        encode_cursor((object(),))


@pytest.fixture
def five_organisations(factory):
    prefix = "zt-page-"
    for i in range(5):
        factory.organisation(key=f"{prefix}{i}")
    return prefix


def test_pages_walk_the_list_once_in_order(app, client, token, five_organisations):
    expected = organisation_ids(app, five_organisations)
    seen, sizes, cursor = [], [], None
    while True:
        query = {"prefix": five_organisations, "limit": 2, **({"cursor": cursor} if cursor else {})}
        response = client.get(f"{API}/test/organisations", headers=bearer(token), query_string=query)
        assert response.status_code == 200, response.text
        body = response.get_json()
        assert set(body) == {"items", "next"}
        seen += [item["id"] for item in body["items"]]
        sizes.append(len(body["items"]))
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == expected
    assert sizes == [2, 2, 1]


def test_default_limit_and_no_next_on_a_short_list(client, token, five_organisations):
    body = client.get(f"{API}/test/organisations", headers=bearer(token),
                      query_string={"prefix": five_organisations}).get_json()
    assert len(body["items"]) == 5 and body["next"] is None


def test_an_exact_page_has_no_next(client, token, five_organisations):
    body = client.get(f"{API}/test/organisations", headers=bearer(token),
                      query_string={"prefix": five_organisations, "limit": 5}).get_json()
    assert len(body["items"]) == 5 and body["next"] is None


@pytest.mark.parametrize("limit", ["0", "201", "-1", "abc", "1.5", ""])
def test_an_invalid_limit_is_422(client, token, limit):
    response = client.get(f"{API}/test/organisations", headers=bearer(token),
                          query_string={"prefix": "x", "limit": limit})
    error = assert_error(response, 422, "invalid")
    assert set(error["fields"]) == {"limit"}


def test_limit_200_is_allowed(client, token):
    response = client.get(f"{API}/test/organisations", headers=bearer(token),
                          query_string={"prefix": "x", "limit": "200"})
    assert response.status_code == 200


def test_a_tampered_cursor_over_http_is_400(client, token, five_organisations):
    first = client.get(f"{API}/test/organisations", headers=bearer(token),
                       query_string={"prefix": five_organisations, "limit": 1}).get_json()
    body, mac = first["next"].split(".")
    forged = base64.urlsafe_b64encode(b"[0]").rstrip(b"=").decode()
    response = client.get(f"{API}/test/organisations", headers=bearer(token),
                          query_string={"prefix": five_organisations, "cursor": f"{forged}.{mac}"})
    assert_error(response, 400, "malformed")


def test_a_missing_query_field_is_422(client, token):
    error = assert_error(client.get(f"{API}/test/organisations", headers=bearer(token)), 422, "invalid")
    assert error["fields"] == {"prefix": "ontbreekt"}


def test_cursor_keeps_dates_apart_from_datetimes(app):
    values = (date(2025, 1, 1), datetime(2025, 1, 1, tzinfo=timezone.utc) + timedelta(hours=1), "2025-01-01")
    with app.app_context():
        decoded = decode_cursor(encode_cursor(values))
    assert decoded == values
    assert [type(v) for v in decoded] == [date, datetime, str]
