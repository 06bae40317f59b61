"""``zorgtafel audit verify`` and ``zorgtafel audit anchor``."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from zorgtafel.audit import anchors, operations as ops
from zorgtafel.extensions import db

audit_cli = AppGroup("audit", help="Het toegangslogboek (NEN 7513).")


@audit_cli.command("verify")
@click.option("--batch-size", default=5000, show_default=True, type=click.IntRange(100, 100_000),
              help="vermeldingen per leesronde; het geheugengebruik hangt hier alleen van af")
def verify(batch_size: int):
    """Controleer de hele keten tegen het laatste anker. Drukt `OK <n> entries` af, of
    stopt met code 1 en noemt de eerste gebroken vermelding."""
    verdict = ops.verify(batch_size=batch_size)
    db.session.rollback()  # read only
    if verdict.ok:
        click.echo(verdict.line())
        return
    click.echo(verdict.line(), err=True)
    sys.exit(1)


@audit_cli.command("anchor")
def anchor():
    """Schrijf de huidige kop van de keten nu naar het ankerbestand (beat doet dit elke tien minuten)."""
    try:
        written = ops.anchor_head()
    except anchors.AnchorConflict as exc:
        click.echo(f"Fout: {exc}", err=True)
        sys.exit(1)
    finally:
        db.session.rollback()
    click.echo("Het logboek is leeg; niets te verankeren." if written is None else f"{written.seq} {written.hash}")
