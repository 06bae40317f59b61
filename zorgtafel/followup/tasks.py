"""Thin Celery tasks of the follow-up queue: each runs one sweep and commits."""

from celery import shared_task

from zorgtafel.extensions import db


@shared_task(name="zorgtafel.followup.sweep")
def sweep() -> int:
    from zorgtafel.followup import sweeps

    created = sweeps.in_weging_too_long() + sweeps.parties_left()
    db.session.commit()
    return created


@shared_task(name="zorgtafel.followup.digest")
def digest() -> int:
    from zorgtafel.followup import sweeps

    sent = sweeps.daily_digest()
    db.session.commit()
    return sent
