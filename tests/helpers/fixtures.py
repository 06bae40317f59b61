"""Factories and the login helper shared by the tests."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache

import pyotp
import pytest
from sqlalchemy import select, update

from zorgtafel.auth import operations as auth_ops
from zorgtafel.auth.models import Organisation, User
from zorgtafel.extensions import db

PASSWORD = "correct-paard-batterij-nietje"


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return auth_ops.hasher.hash(PASSWORD)


@dataclass
class Account:
    id: int
    email: str
    password: str
    totp_secret: str | None
    organisation_id: int
    organisation_key: str

    def code(self, offset_steps: int = 0) -> str:
        return pyotp.TOTP(self.totp_secret).at(time.time() + 30 * offset_steps)


class Factory:
    """Creates committed rows (inside the test's outer transaction) and returns plain data."""

    def __init__(self, app):
        self.app = app

    def organisation(self, kind: str = "onderwijs", key: str | None = None, name: str | None = None) -> int:
        with self.app.app_context():
            key = key or f"{kind}-{secrets.token_hex(3)}"
            org = db.session.scalar(select(Organisation).where(Organisation.key == key))
            if org is None:
                org = Organisation(key=key, name=name or f"Organisatie {key}", kind=kind)
                db.session.add(org)
                db.session.commit()
            return org.id

    def user(self, role: str = "professional", *, kind: str = "onderwijs", organisation_key: str | None = None,
             enrolled: bool = True, email: str | None = None, roles: list[str] | None = None) -> Account:
        with self.app.app_context():
            if organisation_key is None:
                org_id = self.organisation(kind)
                organisation_key = db.session.get(Organisation, org_id).key
            email = email or f"{role}-{secrets.token_hex(4)}@test.zorgtafel.nl"
            user, _ = auth_ops.create_user(None, email=email, name=f"Test {role}", organisation_key=organisation_key,
                                           roles=roles or [role])
            # argon2 is slow on purpose; one hash of the shared test password serves every account
            user.password_hash = _password_hash()
            user.activation_token_hash = None
            secret = None
            if enrolled:
                secret = pyotp.random_base32()
                user.totp_secret_sealed = auth_ops._seal_secret(user.id, secret)
            db.session.commit()
            return Account(user.id, email, PASSWORD, secret, user.organisation_id, organisation_key)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class AuthActions:
    """Log in through the real pages: password, then a TOTP code."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def _reset_counter(self, account: Account) -> None:
        # A TOTP code works once; several logins of one account within 30 s in a test
        # would otherwise replay. Production never does this.
        with self.app.app_context():
            db.session.execute(update(User).where(User.id == account.id).values(totp_last_counter=0))
            db.session.commit()

    def login(self, account: Account, follow: bool = True):
        self._reset_counter(account)
        page = self.client.get("/inloggen")
        response = self.client.post("/inloggen", data={"email": account.email, "password": account.password,
                                                       "csrf_token": csrf_token(page.text)})
        assert response.status_code == 302, response.text
        page = self.client.get(response.location)
        response = self.client.post(response.location, data={"code": account.code(),
                                                              "csrf_token": csrf_token(page.text)})
        assert response.status_code == 302, response.text
        return self.client.get(response.location) if follow else response

    def post(self, path: str, data: dict | None = None, page: str | None = None, **kwargs):
        """POST a form with the CSRF token taken from ``page`` (default: the same path)."""
        html = self.client.get(page or path).text
        payload = dict(data or {})
        payload["csrf_token"] = csrf_token(html)
        return self.client.post(path, data=payload, **kwargs)

    def logout(self):
        return self.post("/uitloggen", page="/account")


@pytest.fixture
def factory(app):
    return Factory(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def auth(app, client):
    return AuthActions(app, client)
