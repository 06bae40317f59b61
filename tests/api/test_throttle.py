"""Per-token throttling: 429 in the API's error shape, and it survives a Redis outage."""

from __future__ import annotations

import secrets

import pytest
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from tests.api.helpers import API, assert_error, bearer
from zorgtafel.extensions import limiter


@pytest.fixture
def three_per_minute(app, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")


def test_a_token_is_throttled_with_429(client, token, three_per_minute):
    for _ in range(3):
        assert client.get(f"{API}/test/me", headers=bearer(token)).status_code == 200
    response = client.get(f"{API}/test/me", headers=bearer(token))
    error = assert_error(response, 429, "throttled")
    assert "Te veel verzoeken" in error["message"]
    assert int(response.headers["Retry-After"]) > 0


def test_the_budget_is_per_token_and_shared_by_all_resources(client, token, factory, token_for, three_per_minute):
    other = token_for(factory.user("professional"))
    client.get(f"{API}/test/me", headers=bearer(token))
    client.get(f"{API}/test/things/1", headers=bearer(token))
    client.get(f"{API}/test/admin", headers=bearer(token))  # a refusal still costs
    assert_error(client.get(f"{API}/test/things/1", headers=bearer(token)), 429, "throttled")
    assert client.get(f"{API}/test/me", headers=bearer(other)).status_code == 200


def test_requests_without_token_are_throttled_per_address(client, three_per_minute):
    # An address of its own, so no other test's requests from 127.0.0.1 count here.
    address = {"REMOTE_ADDR": f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(256)}"}
    for _ in range(3):
        assert_error(client.get(f"{API}/test/me", environ_base=address), 401, "unauthenticated")
    assert_error(client.get(f"{API}/test/me", environ_base=address), 429, "throttled")
    assert_error(client.get(f"{API}/test/me", environ_base={"REMOTE_ADDR": "192.0.2.1"}), 401, "unauthenticated")


def test_throttling_keeps_working_when_redis_is_down(client, token, three_per_minute, monkeypatch):
    dead = storage_from_string("redis://127.0.0.1:1", socket_connect_timeout=0.2, socket_timeout=0.2)
    monkeypatch.setattr(limiter, "_storage", dead)
    monkeypatch.setattr(limiter, "_limiter", FixedWindowRateLimiter(dead))
    monkeypatch.setattr(limiter, "_storage_dead", False)
    for _ in range(3):
        assert client.get(f"{API}/test/me", headers=bearer(token)).status_code == 200
    assert limiter._storage_dead  # it noticed, and fell back to this process's memory
    assert_error(client.get(f"{API}/test/me", headers=bearer(token)), 429, "throttled")
