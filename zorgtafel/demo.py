"""Seed the demo: the package's own fictional convenant and one account per role, with
known passwords and TOTP secrets (demo only — the demo refuses to run in production)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import select

from zorgtafel.auth import operations as auth_ops
from zorgtafel.auth.models import User
from zorgtafel.extensions import db

DEMO_CONVENANT = Path(__file__).parent / "data" / "demo-convenant.yaml"
DEMO_PASSWORD = "demo-wachtwoord-2026"

#: role, e-mail, name, organisation key, fixed TOTP secret (base32)
DEMO_USERS = [
    ("zorgcoordinator", "coordinator@demo.zorgtafel.nl", "Sanne de Vries (demo)", "zorgcoordinatie-demo", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXA"),
    ("zorgcoordinator", "coordinator2@demo.zorgtafel.nl", "Ahmed Bakker (demo)", "zorgcoordinatie-demo", "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA"),
    ("professional", "politie@demo.zorgtafel.nl", "Inspecteur Jansen (demo)", "politie-demo", "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"),
    ("professional", "school@demo.zorgtafel.nl", "Mentor El Amrani (demo)", "college-demo", "ORSXG5BAMJ2WY3DFORUW4ZZAORSXG5BA"),
    ("professional", "ggz@demo.zorgtafel.nl", "Behandelaar Visser (demo)", "jeugdggz-demo", "NBSWY3DPFQQHO33SNRSCCZDFNVXSA4TF"),
    ("privacy", "privacy@demo.zorgtafel.nl", "Privacyfunctionaris Smit (demo)", "politie-demo", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
    ("beheerder", "beheer@demo.zorgtafel.nl", "Beheerder Mulder (demo)", "zorgcoordinatie-demo", "MZXW6YTBOJRGC4TCMF2GQZLSMVXGKZLS"),
]


def seed_demo() -> list[dict]:
    if current_app.config["ZORGTAFEL_ENV"] == "production":
        raise RuntimeError("de demo-gegevens worden nooit in productie geladen")
    _seed_convenant()
    logins = []
    for role, email, name, org_key, secret in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user, _ = auth_ops.create_user(None, email=email, name=name, organisation_key=org_key, roles=[role],
                                           password=DEMO_PASSWORD)
            user.totp_secret_sealed = auth_ops._seal_secret(user.id, secret)
        logins.append({"role": role, "email": email, "password": DEMO_PASSWORD, "totp_secret": secret})
    db.session.commit()
    return logins


def _seed_convenant() -> None:
    # Until the convenant loader lands, the demo seeds the file's organisations only.
    import yaml

    from zorgtafel.auth.models import Organisation

    data = yaml.safe_load(DEMO_CONVENANT.read_text(encoding="utf-8"))
    for party in data["organisations"]:
        if db.session.scalar(select(Organisation).where(Organisation.key == party["key"])) is None:
            db.session.add(Organisation(key=party["key"], name=party["name"], kind=party["kind"]))
    db.session.flush()
