"""``zorgtafel retention run [--dry-run]``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from zorgtafel.extensions import db
from zorgtafel.privacy import retention

retention_cli = AppGroup("retention", help="Bewaartermijnen van de convenanten toepassen.")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="toon wat zou verdwijnen, verander niets")
def run(dry_run: bool):
    """Pas de bewaartermijnen nu toe (beat doet dit dagelijks)."""
    if dry_run:
        plan = retention.plan()
        for reference, rule in plan.erase:
            click.echo(f"zou wissen: {reference} ({rule})")
        for reference in plan.inactive:
            click.echo(f"ter afsluiting voorleggen: {reference}")
        click.echo(f"{len(plan.erase)} te wissen, {len(plan.inactive)} ter afsluiting voor te leggen (proefrun)")
        return
    result = retention.run()
    db.session.commit()
    click.echo(f"{len(result.erase)} casussen gewist, {len(result.inactive)} ter afsluiting voorgelegd, "
               f"{result.audit_purged} logregels ouder dan {result.audit_days} dagen verwijderd")
