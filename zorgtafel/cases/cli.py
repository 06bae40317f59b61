"""``zorgtafel vault rotate``: move every sealed record to the first (current) key."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from zorgtafel.cases import vault
from zorgtafel.extensions import db

vault_cli = AppGroup("vault", help="De versleutelde identiteitskluis.")


@vault_cli.command("rotate")
@click.option("--batch-size", default=500, show_default=True)
def rotate(batch_size: int):
    """Herverpak alle gegevenssleutels onder de huidige sleutel (de eerste in
    ZORGTAFEL_VAULT_KEY). Houd de oude sleutel erachter geconfigureerd tot dit klaar is."""
    from zorgtafel.auth.operations import rotate_totp_secrets

    moved = vault.rotate(batch_size)
    totp = rotate_totp_secrets()
    db.session.commit()
    click.echo(f"{moved} identiteiten en {totp} tweede-factorsleutels herverpakt")
