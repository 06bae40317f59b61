"""Password + TOTP login, replay, throttling, sessions that really end, redirects, CSRF."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from tests.helpers.fixtures import csrf_token
from zorgtafel.auth.models import AuthSession
from zorgtafel.extensions import db


def _password_step(client, account, password=None):
    page = client.get("/inloggen")
    return client.post("/inloggen", data={"email": account.email, "password": password or account.password,
                                          "csrf_token": csrf_token(page.text)})


def _code_step(client, code):
    page = client.get("/inloggen/code")
    return client.post("/inloggen/code", data={"code": code, "csrf_token": csrf_token(page.text)})


def test_password_and_totp_log_in(factory, auth, client):
    account = factory.user("professional")
    page = auth.login(account)
    assert page.status_code == 200
    assert "Overzicht" in page.text
    assert client.get("/account").status_code == 200


def test_wrong_totp_is_refused(factory, client):
    account = factory.user("professional")
    assert _password_step(client, account).status_code == 302
    response = _code_step(client, "000000" if account.code() != "000000" else "111111")
    assert response.status_code == 200
    assert "klopt niet" in response.text
    assert client.get("/account").status_code == 302  # still not logged in


def test_totp_code_works_only_once(app, factory, client):
    account = factory.user("professional")
    code = account.code()
    _password_step(client, account)
    assert _code_step(client, code).status_code == 302
    other = app.test_client()
    _password_step(other, account)
    assert _code_step(other, code).status_code == 200  # replayed code refused


def test_recovery_code_works_once(app, factory, client):
    account = factory.user("professional", enrolled=False)
    _password_step(client, account)
    page = client.get("/inloggen/instellen")
    secret = page.text.split('data-testid="totp-secret">')[1].split("<")[0].replace(" ", "")
    import pyotp

    response = client.post("/inloggen/instellen", data={"code": pyotp.TOTP(secret).now(),
                                                        "csrf_token": csrf_token(page.text)})
    assert response.status_code == 200
    codes = [c.split("</code>")[0] for c in response.text.split('<li><code>')[1:]]
    assert len(codes) == 10
    for attempt, expected in ((codes[0], 302), (codes[0], 200)):
        fresh = app.test_client()
        _password_step(fresh, account)
        assert _code_step(fresh, attempt).status_code == expected


def test_unknown_email_and_wrong_password_look_the_same(factory, client):
    account = factory.user("professional")
    wrong_password = _password_step(client, account, password="niet-het-goede-wachtwoord")
    class Ghost:
        email = "niemand@test.zorgtafel.nl"
        password = "wat-dan-ook-lang-genoeg"
    unknown = _password_step(client, Ghost)
    assert wrong_password.status_code == unknown.status_code == 200
    strip = lambda html: html.split('name="csrf_token"')[0]  # noqa: E731 - the token differs per page
    assert strip(wrong_password.text) == strip(unknown.text)


def test_account_throttled_after_repeated_failures(app, factory, client):
    app.config["LOGIN_LIMIT_ACCOUNT"] = "3 per 15 minutes"
    try:
        account = factory.user("professional")
        statuses = [_password_step(client, account, password="fout-fout-fout-fout").status_code for _ in range(4)]
        assert statuses[:3] == [200, 200, 200]
        assert statuses[3] == 429
        # the right password is refused too while the account is throttled
        assert _password_step(client, account).status_code == 429
    finally:
        app.config["LOGIN_LIMIT_ACCOUNT"] = "10000 per minute"


def test_ip_throttled(app, factory, client):
    app.config["LOGIN_LIMIT_IP"] = "2 per 15 minutes"
    try:
        account = factory.user("professional")
        statuses = [_password_step(client, account, password=f"fout-{i}-fout-fout").status_code for i in range(3)]
        assert statuses == [200, 200, 429]
    finally:
        app.config["LOGIN_LIMIT_IP"] = "10000 per minute"


def test_new_session_id_at_login(factory, auth, client):
    account = factory.user("professional")
    client.get("/inloggen")
    before = client.get_cookie("zorgtafel_session").value
    auth.login(account)
    after = client.get_cookie("zorgtafel_session").value
    assert before != after


def test_logout_ends_the_session_server_side(app, factory, auth, client):
    account = factory.user("professional")
    auth.login(account)
    stolen = client.get_cookie("zorgtafel_session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("zorgtafel_session", stolen)
    response = thief.get("/account")
    assert response.status_code == 302
    assert "/inloggen" in response.location


def test_deactivation_ends_sessions(app, factory, auth, client):
    account = factory.user("professional")
    admin = factory.user("beheerder")
    auth.login(account)
    assert client.get("/account").status_code == 200
    admin_client = app.test_client()
    from tests.helpers.fixtures import AuthActions

    admin_auth = AuthActions(app, admin_client)
    admin_auth.login(admin)
    response = admin_auth.post(f"/beheer/gebruikers/{account.id}/actief", page="/beheer/gebruikers")
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_idle_timeout(app, factory, auth, client):
    account = factory.user("professional")
    auth.login(account)
    assert client.get("/account").status_code == 200
    with time_machine.travel(timedelta(minutes=31), tick=False):
        response = client.get("/account")
    assert response.status_code == 302
    with app.app_context():
        session = db.session.scalar(select(AuthSession).where(AuthSession.user_id == account.id))
        assert session.end_reason == "idle_timeout"


def test_absolute_timeout(app, factory, auth, client):
    account = factory.user("professional")
    auth.login(account)
    base = time_machine.travel(timedelta(0), tick=False)
    # keep the session busy (never idle) for 12 hours and a bit
    for step in range(1, 27):
        with time_machine.travel(timedelta(minutes=29 * step), tick=False):
            response = client.get("/account")
            if response.status_code == 302:
                break
    assert response.status_code == 302
    assert step * 29 > 12 * 60


def test_open_redirect_refused(factory, auth, client):
    account = factory.user("professional")
    auth._reset_counter(account)
    page = client.get("/inloggen?next=https://evil.example/")
    response = client.post("/inloggen?next=https://evil.example/",
                           data={"email": account.email, "password": account.password,
                                 "csrf_token": csrf_token(page.text)})
    response = _code_step(client, account.code())
    assert response.status_code == 302
    assert response.location == "/"
    for bad in ("//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        from zorgtafel.auth.views import safe_next

        assert safe_next(bad) is None
    assert safe_next("/casussen?status=aangemeld") == "/casussen?status=aangemeld"


def test_local_next_is_followed(factory, auth, client):
    account = factory.user("professional")
    auth._reset_counter(account)
    page = client.get("/inloggen?next=/account")
    client.post("/inloggen?next=/account", data={"email": account.email, "password": account.password,
                                                  "csrf_token": csrf_token(page.text)})
    response = _code_step(client, account.code())
    assert response.location == "/account"


def test_csrf_refused(factory, auth, client):
    account = factory.user("professional")
    auth.login(account)
    response = client.post("/uitloggen", data={})
    assert response.status_code == 400
    assert client.get("/account").status_code == 200  # still logged in: the forged logout did nothing
    response = client.post("/inloggen", data={"email": account.email, "password": account.password})
    assert response.status_code == 400


def test_security_headers(factory, auth, client):
    response = client.get("/inloggen")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    account = factory.user("professional")
    auth.login(account)
    assert client.get("/account").headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers  # http in tests


def test_hsts_when_https(services, database_url):
    from tests.conftest import make_test_config
    from zorgtafel import create_app

    https_app = create_app(make_test_config(services, database_url, PREFERRED_URL_SCHEME="https"))
    response = https_app.test_client().get("/inloggen")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_password_change_ends_other_sessions(app, factory, auth, client):
    from tests.helpers.fixtures import AuthActions

    account = factory.user("professional")
    other = AuthActions(app, app.test_client())
    other.login(account)
    auth.login(account)
    response = auth.post("/account", {"form": "password", "current_password": account.password,
                                      "password": "een-heel-nieuw-wachtwoord", "confirm": "een-heel-nieuw-wachtwoord"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this session stays
    assert other.client.get("/account").status_code == 302  # the other one ended
