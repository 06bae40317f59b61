"""``zorgtafel user create`` and ``zorgtafel token create``."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from zorgtafel.auth import operations as ops
from zorgtafel.auth.models import ROLES
from zorgtafel.auth.queries import user_by_email
from zorgtafel.extensions import db

user_cli = AppGroup("user", help="Accounts beheren.")
token_cli = AppGroup("token", help="API-tokens beheren.")


@user_cli.command("create")
# Free text, checked by the operation: bad input exits 1 with the reason (CONTRACT.md), not
# with Click's usage error (exit 2).
@click.option("--email", default="")
@click.option("--name", default="")
@click.option("--organisation", "organisation_key", default="", help="sleutel van de organisatie")
@click.option("--role", "roles", multiple=True, metavar="ROL",
              help=f"{', '.join(ROLES)} (herhaal voor meer rollen; beheerder gaat niet samen met een andere)")
def create_user(email, name, organisation_key, roles):
    """Maak een account. Een wachtwoord op stdin wordt gebruikt; anders volgt een activeringslink."""
    password = None
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n") or None
    try:
        user, token = ops.create_user(None, email=email, name=name, organisation_key=organisation_key,
                                      roles=list(roles), password=password)
        db.session.commit()
    except ops.AccountError as exc:
        db.session.rollback()
        click.echo(f"Fout: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Account {user.email} aangemaakt (id {user.id}).")
    if token:
        click.echo(f"Activeringslink (eenmalig, 7 dagen geldig): {current_app.config['BASE_URL']}/activeren/{token}")


@token_cli.command("create")
@click.option("--email", required=True)
@click.option("--days", default=90, show_default=True, type=int)
def create_token(email, days):
    """Maak een API-token; het wordt één keer getoond, alleen de hash wordt bewaard."""
    user = user_by_email(email)
    if user is None:
        click.echo(f"Fout: geen account met e-mailadres {email}", err=True)
        sys.exit(1)
    try:
        token = ops.create_token(None, user, days)
        db.session.commit()
    except ops.AccountError as exc:
        db.session.rollback()
        click.echo(f"Fout: {exc}", err=True)
        sys.exit(1)
    click.echo(token)
