"""Behind the TLS reverse proxy (review M8): with ``ZORGTAFEL_TRUSTED_PROXIES=n`` the client's
address, scheme and host come from the right-most ``n`` X-Forwarded-* values, so login
throttling is per client and the audit log's client_ip is the client's; with 0 (the default)
those headers are ignored and a client cannot forge its address."""

from __future__ import annotations

import pytest
from flask import request
from sqlalchemy import select
from werkzeug.middleware.proxy_fix import ProxyFix

from tests.conftest import make_test_config
from tests.helpers.fixtures import csrf_token
from zorgtafel import create_app
from zorgtafel.audit.models import AuditEntry
from zorgtafel.config import ConfigError, Settings
from zorgtafel.extensions import db

PROXY = "10.0.0.2"  # the address every request arrives from: the reverse proxy's
CLIENT = "203.0.113.7"
OTHER_CLIENT = "198.51.100.9"


def _app(services, database_url, hops: int):
    application = create_app(make_test_config(services, database_url, TRUSTED_PROXIES=hops))
    application.seen = []

    @application.before_request
    def _probe():  # what the app sees of each request
        application.seen.append((request.remote_addr, request.scheme, request.host))

    return application


@pytest.fixture(scope="module")
def behind_proxy(services, database_url):
    return _app(services, database_url, 1)


@pytest.fixture(scope="module")
def direct(services, database_url):
    return _app(services, database_url, 0)


def _client(application, forwarded_for: str | None = None, **headers):
    client = application.test_client()
    client.environ_base["REMOTE_ADDR"] = PROXY
    if forwarded_for is not None:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    for name, value in headers.items():
        client.environ_base["HTTP_" + name.upper()] = value
    return client


def _failed_login(client, account):
    page = client.get("/inloggen")
    return client.post("/inloggen", data={"email": account.email, "password": "fout-fout-fout-fout",
                                          "csrf_token": csrf_token(page.text)})


def _last_login_entry(application):
    with application.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == "login")
                                  .order_by(AuditEntry.seq.desc()).limit(1)).one()


def test_the_proxy_headers_are_trusted_only_when_configured(behind_proxy, direct):
    assert isinstance(behind_proxy.wsgi_app, ProxyFix)
    assert (behind_proxy.wsgi_app.x_for, behind_proxy.wsgi_app.x_proto, behind_proxy.wsgi_app.x_host) == (1, 1, 1)
    assert not isinstance(direct.wsgi_app, ProxyFix)


def test_behind_one_proxy_the_client_address_scheme_and_host_are_the_clients(behind_proxy):
    client = _client(behind_proxy, CLIENT, x_forwarded_proto="https", x_forwarded_host="zorgtafel.example.nl")
    client.get("/inloggen")
    assert behind_proxy.seen[-1] == (CLIENT, "https", "zorgtafel.example.nl")
    _client(behind_proxy, "2001:db8::7").get("/inloggen")
    assert behind_proxy.seen[-1][0] == "2001:db8::7"


def test_a_forged_address_before_the_proxys_own_is_ignored(behind_proxy):
    # The client sends its own X-Forwarded-For; the proxy appends the address it saw.
    _client(behind_proxy, f"6.6.6.6, {CLIENT}").get("/inloggen")
    assert behind_proxy.seen[-1][0] == CLIENT


@pytest.mark.parametrize("forwarded", ["niet-een-adres", "1.2.3.4.5", "x" * 200])
def test_a_forwarded_value_that_is_no_ip_address_is_not_taken(behind_proxy, forwarded):
    _client(behind_proxy, forwarded).get("/inloggen")
    assert behind_proxy.seen[-1][0] == PROXY


def test_without_trusted_proxies_the_headers_are_ignored(direct):
    _client(direct, CLIENT, x_forwarded_proto="https", x_forwarded_host="evil.example").get("/inloggen")
    assert direct.seen[-1] == (PROXY, "http", "localhost")


@pytest.mark.parametrize("hops,expected", [(1, CLIENT), (0, PROXY)])
def test_the_audit_log_records_the_client_address(behind_proxy, direct, factory, hops, expected):
    application = behind_proxy if hops else direct
    account = factory.user("professional")
    assert _failed_login(_client(application, CLIENT), account).status_code == 200
    entry = _last_login_entry(application)
    assert (entry.outcome, entry.object_id, entry.client_ip) == ("failure", str(account.id), expected)


def _throttled(application, factory, limit_for: str, then: str) -> tuple[list[int], int]:
    """Failed logins from ``limit_for`` until throttled, then one from ``then``."""
    account = factory.user("professional")
    application.config["LOGIN_LIMIT_IP"] = "2 per 15 minutes"
    try:
        first = [_failed_login(_client(application, limit_for), account).status_code for _ in range(3)]
        return first, _failed_login(_client(application, then), account).status_code
    finally:
        application.config["LOGIN_LIMIT_IP"] = "10000 per minute"


def test_behind_the_proxy_throttling_is_per_client(behind_proxy, factory):
    first, other = _throttled(behind_proxy, factory, CLIENT, OTHER_CLIENT)
    assert first == [200, 200, 429]
    assert other == 200  # another client behind the same proxy is not locked out


def test_without_trusted_proxies_a_forged_header_does_not_escape_the_throttle(direct, factory):
    first, other = _throttled(direct, factory, CLIENT, OTHER_CLIENT)
    assert first == [200, 200, 429]
    assert other == 429  # same socket address: a different X-Forwarded-For changes nothing


def test_the_setting(monkeypatch):
    monkeypatch.delenv("ZORGTAFEL_TRUSTED_PROXIES", raising=False)
    assert Settings.from_env().trusted_proxies == 0
    monkeypatch.setenv("ZORGTAFEL_TRUSTED_PROXIES", "2")
    settings = Settings.from_env()
    assert settings.flask_config()["TRUSTED_PROXIES"] == 2
    for wrong in ("-1", "11"):
        with pytest.raises(ConfigError, match="ZORGTAFEL_TRUSTED_PROXIES"):
            Settings(trusted_proxies=int(wrong)).validate()
    monkeypatch.setenv("ZORGTAFEL_TRUSTED_PROXIES", "een")
    with pytest.raises(ConfigError, match="ZORGTAFEL_TRUSTED_PROXIES"):
        Settings.from_env()
