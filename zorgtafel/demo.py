"""Seed the demo: the package's own fictional convenant, one account per role with known
passwords and TOTP secrets, and a small synthetic situation to look at (a match, a case in
weging, the next overleg with an action). Demo only — refused in production. Every person
here is invented; the BSNs are random numbers that pass the elfproef."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

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
    password_hash = None  # argon2 is slow on purpose: one hash serves all demo accounts
    for role, email, name, org_key, secret in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user, _ = auth_ops.create_user(None, email=email, name=name, organisation_key=org_key, roles=[role])
            password_hash = password_hash or auth_ops.hasher.hash(DEMO_PASSWORD)
            user.password_hash = password_hash
            user.activation_token_hash = user.activation_expires_at = None
            user.totp_secret_sealed = auth_ops._seal_secret(user.id, secret)
        logins.append({"role": role, "email": email, "password": DEMO_PASSWORD, "totp_secret": secret})
    db.session.commit()
    _seed_situation()
    db.session.commit()
    return logins


def _seed_convenant() -> None:
    from zorgtafel.convenant.loader import ConvenantRefused, load_file

    try:
        load_file(DEMO_CONVENANT)
    except ConvenantRefused as exc:
        if not exc.already_loaded:
            raise
    db.session.commit()


def _bsn(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        last = sum(d * w for d, w in zip(digits, range(9, 1, -1))) % 11
        if last <= 9:
            return "".join(map(str, digits)) + str(last)


def _seed_situation() -> None:
    """Only on the first start: a second start reuses what is there."""
    from zorgtafel.cases.models import Case
    from zorgtafel.cases.operations import change_status, register_signal
    from zorgtafel.core.timeutil import AMSTERDAM, today_local
    from zorgtafel.meetings.actions import create_action
    from zorgtafel.meetings.operations import plan_meeting

    if db.session.scalar(select(func.count()).select_from(Case)):
        return
    users = {u.email.split("@")[0]: u for u in db.session.scalars(select(User))}
    rng = random.Random(2026)
    today = today_local()
    ago = lambda days: today - timedelta(days=days)  # noqa: E731

    def signal(who, subject, category, days, urgency="midden", data_category="signaal", text=""):
        return register_signal(users[who], subject=subject, subject_role="jongere", category=category,
                               data_category=data_category, observed_on=ago(days), urgency=urgency, description=text)

    first = {"bsn": _bsn(rng)}
    signal("school", first, "verslechterde_schoolprestaties", 20, text="Cijfers gekelderd sinds de herfstvakantie.")
    signal("school", first, "nieuwe_spullen_of_kleding", 12, text="Draagt opvallend dure kleding.")
    matched = signal("politie", first, "veel_geld_op_zak", 6, urgency="hoog", data_category="strafrechtelijk",
                     text="Aangetroffen met contant geld bij een controle (demo).").case
    second = {"family_name": "Demo-de Jong", "given_names": "Fleur", "birth_date": "2010-05-17"}
    weighing = signal("ggz", second, "lichamelijke_klachten", 9, data_category="gezondheid",
                      text="Terugkerende klachten (demo).").case
    change_status(users["coordinator"], weighing, "in_weging", "Wegen met de GGZ.")
    signal("school", {"bsn": _bsn(rng)}, "onderbuikgevoel", 3, urgency="laag",
           text="Iets klopt niet; kan het nog niet benoemen.")

    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    starts = datetime.combine(tuesday, time(10, 0), tzinfo=AMSTERDAM)
    participants = [users[k] for k in ("coordinator", "coordinator2", "politie", "school", "ggz")]
    plan_meeting(users["coordinator"], title="Zorgtafel (demo)", starts_at=starts,
                 ends_at=starts + timedelta(hours=1, minutes=30), location="Zorg- en Veiligheidshuis, zaal 2",
                 participants=participants, cases=[matched], send_invitations=False)
    create_action(users["coordinator"], matched, title="Gesprek met de mentor plannen", assignee=users["school"],
                  due_on=today + timedelta(days=7), note="Afgesproken bij de weging.")
