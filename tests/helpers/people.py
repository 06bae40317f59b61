"""Synthetic people for tests: BSNs that pass the elfproef, names that are not real people."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from tests.helpers.convenant import load_reference

_rng = random.Random(20261129)


def bsn(rng: random.Random | None = None) -> str:
    """A random nine-digit number passing the elfproef (9a+8b+…+2h−i ≡ 0 mod 11)."""
    rng = rng or _rng
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        if digits[0] == 0:
            continue
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1)))
        last = total % 11
        if last <= 9:
            return "".join(map(str, digits)) + str(last)


def invalid_bsn(rng: random.Random | None = None) -> str:
    good = bsn(rng)
    return good[:-1] + str((int(good[-1]) + 1) % 10)


@dataclass
class World:
    orgs: dict
    police: object
    school: object
    ggz: object
    coordinator: object
    coordinator2: object
    privacy: object
    key: str = "zorgtafel-su-voorbeeldregio"


@pytest.fixture
def world(app, factory) -> World:
    """The reference convenant with one account per role that the journeys need."""
    key, orgs = load_reference(app)
    return World(
        orgs=orgs,
        police=factory.user("professional", organisation_key="politie-voorbeeld"),
        school=factory.user("professional", organisation_key="college-voorbeeld"),
        ggz=factory.user("professional", organisation_key="jeugdggz-voorbeeld"),
        coordinator=factory.user("zorgcoordinator", organisation_key="zorgcoordinatie-voorbeeld"),
        coordinator2=factory.user("zorgcoordinator", organisation_key="zorgcoordinatie-voorbeeld"),
        privacy=factory.user("privacy", organisation_key="politie-voorbeeld"),
        key=key,
    )


def actor(account):
    """The User row of a test account, in the current application context."""
    from zorgtafel.auth.models import User
    from zorgtafel.extensions import db

    return db.session.get(User, account.id)


def register(account, *, subject=None, category="wegloopgedrag", data_category="signaal", urgency="midden",
             observed_on=None, description="", subject_role="jongere"):
    """Register a signal through the operation, as ``account``."""
    from datetime import timedelta

    from zorgtafel.cases.operations import register_signal
    from zorgtafel.core.timeutil import today_local

    return register_signal(actor(account), subject=subject or {"bsn": bsn()}, subject_role=subject_role,
                           category=category, data_category=data_category, urgency=urgency,
                           observed_on=observed_on or today_local() - timedelta(days=1), description=description)


def token_for(app, account) -> dict:
    """Authorization headers with a fresh API token of ``account``."""
    from zorgtafel.auth.operations import create_token
    from zorgtafel.extensions import db

    with app.app_context():
        token = create_token(None, actor(account))
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}
