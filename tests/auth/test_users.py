"""User creation (CLI and operations), tokens, and the beheerder's page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from zorgtafel.auth import operations as ops
from zorgtafel.auth.models import ApiToken, User
from zorgtafel.extensions import db


@pytest.fixture
def org_key(factory, app):
    from zorgtafel.auth.models import Organisation

    org_id = factory.organisation("politie")
    with app.app_context():
        return db.session.get(Organisation, org_id).key


@pytest.mark.parametrize("args,message", [
    (dict(email="geen-adres", name="A", roles=["professional"]), "geldig e-mailadres"),
    (dict(email="a@b.nl", name="", roles=["professional"]), "naam"),
    (dict(email="a@b.nl", name="A", roles=[]), "rol"),
    (dict(email="a@b.nl", name="A", roles=["superuser"]), "Onbekende rol"),
    (dict(email="a@b.nl", name="A", roles=["professional"], organisation_key="bestaat-niet"), "Onbekende organisatie"),
    (dict(email="a@b.nl", name="A", roles=["professional"], password="kort"), "minstens 12"),
    (dict(email="a@b.nl", name="A", roles=["professional"], organisation_key=""), "Kies een organisatie"),
    # separation of duties: a beheerder+zorgcoordinator account would read every case
    (dict(email="a@b.nl", name="A", roles=["beheerder", "zorgcoordinator"]), "scheiding van functies"),
    (dict(email="a@b.nl", name="A", roles=["privacy", "beheerder"]), "De rol beheerder gaat niet samen"),
])
def test_create_user_errors(ctx, org_key, args, message):
    args.setdefault("organisation_key", org_key)
    with pytest.raises(ops.AccountError, match=message):
        ops.create_user(None, **args)


def test_duplicate_email_refused(ctx, org_key):
    ops.create_user(None, email="Dubbel@Test.nl", name="A", organisation_key=org_key, roles=["professional"],
                    password="lang-genoeg-wachtwoord")
    with pytest.raises(ops.AccountError, match="al een account"):
        ops.create_user(None, email="dubbel@test.nl ", name="B", organisation_key=org_key, roles=["professional"],
                        password="lang-genoeg-wachtwoord")


def test_cli_user_create_with_password_on_stdin(app, org_key):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "create", "--email", "cli@test.nl", "--name", "Cli Gebruiker",
                                 "--organisation", org_key, "--role", "professional"],
                           input="een-lang-wachtwoord-123\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "cli@test.nl"))
        assert user.password_hash.startswith("$argon2id$")
        assert ops.verify_password_hash(user, "een-lang-wachtwoord-123")


def test_cli_user_create_activation_link(app, org_key):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "create", "--email", "act@test.nl", "--name", "Act",
                                 "--organisation", org_key, "--role", "zorgcoordinator"], input="")
    assert result.exit_code == 0, result.output
    assert "/activeren/" in result.output
    token = result.output.split("/activeren/")[1].split()[0]
    client = app.test_client()
    from tests.helpers.fixtures import csrf_token

    page = client.get(f"/activeren/{token}")
    response = client.post(f"/activeren/{token}", data={"password": "nieuw-wachtwoord-42", "confirm": "nieuw-wachtwoord-42",
                                                        "csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    # the link works once
    page = client.get(f"/activeren/{token}")
    response = client.post(f"/activeren/{token}", data={"password": "ander-wachtwoord-42", "confirm": "ander-wachtwoord-42",
                                                        "csrf_token": csrf_token(page.text)})
    assert "ongeldig of verlopen" in response.text


def test_only_sole_beheerder_passes(ctx, org_key):
    user, _ = ops.create_user(None, email="beheer@test.nl", name="B", organisation_key=org_key, roles=["beheerder"])
    assert user.roles == ["beheerder"]
    user, _ = ops.create_user(None, email="werk@test.nl", name="W", organisation_key=org_key,
                              roles=["professional", "zorgcoordinator", "privacy"])
    assert user.roles == ["privacy", "professional", "zorgcoordinator"]


def test_roles_are_checked_wherever_they_are_set(ctx, org_key):
    """Not only create_user: any later change of roles (an editor, a script) is refused too."""
    user, _ = ops.create_user(None, email="later@test.nl", name="L", organisation_key=org_key,
                              roles=["zorgcoordinator"])
    with pytest.raises(ops.AccountError, match="scheiding van functies"):
        user.roles = ["zorgcoordinator", "beheerder"]
    with pytest.raises(ops.AccountError, match="Onbekende rol"):
        user.roles = ["superuser"]
    with pytest.raises(ops.AccountError, match="scheiding van functies"):
        User(email="direct@test.nl", name="D", organisation_id=user.organisation_id, roles=["beheerder", "privacy"])
    assert user.roles == ["zorgcoordinator"]


@pytest.mark.parametrize("args,message", [
    (["--organisation", "nergens", "--role", "professional"], "Onbekende organisatie"),
    (["--role", "koning"], "Onbekende rol 'koning'"),
    (["--role", "beheerder", "--role", "zorgcoordinator"], "De rol beheerder gaat niet samen met een andere rol"),
    ([], "Kies minstens één rol"),
    (["--role", "professional", "--email", ""], "Vul een geldig e-mailadres in"),
    (["--role", "professional", "--name", ""], "Vul een naam in"),
    (["--role", "professional", "--organisation", ""], "Kies een organisatie"),
])
def test_cli_user_create_refusals(app, org_key, args, message):
    """CONTRACT.md: bad input exits 1 with the reason (not Click's usage error, exit 2)."""
    runner = app.test_cli_runner()
    base = ["user", "create", "--email", "x@test.nl", "--name", "X", "--organisation", org_key]
    result = runner.invoke(args=base + args, input="een-lang-wachtwoord-123\n")
    assert result.exit_code == 1, result.output
    assert f"Fout: {message}" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@test.nl")) is None


def test_token_create_stores_only_the_hash(app, factory):
    account = factory.user("professional")
    result = app.test_cli_runner().invoke(args=["token", "create", "--email", account.email, "--days", "30"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("zt_")
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == account.id))
        assert row.token_hash == ops.sha256(token)
        assert token not in (row.token_hash, row.prefix)
        assert ops.authenticate_token(token).id == account.id
        assert ops.authenticate_token(token + "x") is None


def test_token_create_unknown_email(app):
    result = app.test_cli_runner().invoke(args=["token", "create", "--email", "niemand@test.nl"])
    assert result.exit_code == 1
    assert "geen account" in result.output


def test_beheerder_adds_and_deactivates(app, factory, auth, client):
    admin = factory.user("beheerder")
    target_org = factory.organisation("onderwijs", key="school-beheer-test")
    auth.login(admin)
    response = auth.post("/beheer/gebruikers", {"name": "Nieuwe Docent", "email": "docent@test.nl",
                                                "organisation": "school-beheer-test", "roles": ["professional"]})
    assert response.status_code == 200
    assert "/activeren/" in response.text
    bad = auth.post("/beheer/gebruikers", {"name": "", "email": "geen", "organisation": "school-beheer-test",
                                           "roles": ["professional"]})
    assert bad.status_code == 422
    assert "Er is iets niet goed ingevuld" in bad.text
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "docent@test.nl"))
        assert user.organisation_id == target_org
    auth.post(f"/beheer/gebruikers/{user.id}/actief", page="/beheer/gebruikers")
    with app.app_context():
        assert db.session.get(User, user.id).active is False
    auth.post(f"/beheer/gebruikers/{user.id}/actief", page="/beheer/gebruikers")
    with app.app_context():
        assert db.session.get(User, user.id).active is True


@pytest.mark.parametrize("backstop", [False, True], ids=["form", "operation"])
def test_beheer_page_refuses_beheerder_with_another_role(app, factory, auth, client, monkeypatch, backstop):
    """The form checks first; the operation is the backstop (and says the same)."""
    from zorgtafel.auth.forms import UserForm

    if backstop:
        monkeypatch.setattr(UserForm, "validate_roles", lambda self, field: None)
    admin = factory.user("beheerder")
    org = f"zc-beheer-{int(backstop)}"
    factory.organisation("zorgcoordinatie", key=org)
    auth.login(admin)
    email = f"petten{int(backstop)}@test.nl"
    response = auth.post("/beheer/gebruikers", {"name": "Twee Petten", "email": email, "organisation": org,
                                                "roles": ["beheerder", "zorgcoordinator"]})
    assert response.status_code == 422
    next_to_the_field = response.text.split('id="roles-error">')[1].split("</div>")[0]
    assert "De rol beheerder gaat niet samen met een andere rol (scheiding van functies)" in next_to_the_field
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == email)) is None
