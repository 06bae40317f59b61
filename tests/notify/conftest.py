"""Fixtures of the notify tests: the real SMTP server and Celery worker, test users with
distinctive names (so a scan of the e-mails would find them), a test attachment."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pytest

from tests.helpers.worker import celery_worker, committed, smtp_app, smtp_server  # noqa: F401
from zorgtafel.notify.channels import register_attachment

REFERENCE = "ZT-AB12-CD34"
#: names and text that must never appear in an e-mail
SEEDED = ["Fatima Jansen-de Vries", "Jansen", "Stichting Zonnebloem Jeugdzorg", "Zonnebloem",
          "nieuwe kleding en veel geld", "Pietje Puk"]


def _builder(target_id: int) -> tuple[str, str, bytes]:
    return f"bijlage-{target_id}.txt", "text/plain", f"testbijlage {target_id}".encode()


register_attachment("test-bijlage", _builder)


@dataclass
class Person:
    id: int
    email: str


@pytest.fixture
def people(app):
    """A professional (direct e-mail), a digest user and a zorgcoördinator, whose names
    and organisation are seeded strings. Plain rows: no password hashing, these never log in."""
    from zorgtafel.auth.models import Organisation, User
    from zorgtafel.extensions import db

    tag = secrets.token_hex(3)
    with app.app_context():
        orgs = [Organisation(key=f"{k}-{tag}", name=name, kind=k) for k, name in
                [("jeugd-ggz", "Stichting Zonnebloem Jeugdzorg"), ("onderwijs", "Testschool"),
                 ("zorgcoordinatie", "Zorgcoördinatie")]]
        users = {
            "direct": User(name="Fatima Jansen-de Vries", organisation=orgs[0], roles=["professional"]),
            "digest": User(name="Pietje Puk", organisation=orgs[1], roles=["professional"],
                           notification_mode="digest"),
            "coordinator": User(name="Coördinator", organisation=orgs[2], roles=["zorgcoordinator"]),
        }
        for role, user in users.items():
            user.email = f"{role}-{tag}@test.zorgtafel.nl"
        db.session.add_all(users.values())
        db.session.commit()
        return {role: Person(u.id, u.email) for role, u in users.items()}
