"""``zorgtafel convenant load FILE``."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from zorgtafel.convenant.loader import ConvenantRefused, load_file
from zorgtafel.extensions import db

convenant_cli = AppGroup("convenant", help="Convenanten laden en bekijken.")


@convenant_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
def load(path: str):
    """Valideer en laad een convenant (nieuwe sleutel, of een hogere versie)."""
    try:
        convenant = load_file(path)
        db.session.commit()
    except ConvenantRefused as exc:
        db.session.rollback()
        click.echo(f"Geweigerd: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{convenant.key} {convenant.version}")
