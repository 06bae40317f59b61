"""Thin Celery tasks of the privacy room."""

from celery import shared_task

from zorgtafel.extensions import db


@shared_task(name="zorgtafel.privacy.retention")
def apply_retention() -> int:
    """Daily: idempotent by nature (what was erased is gone; proposals are de-duplicated by
    the follow-up queue)."""
    from zorgtafel.privacy import retention

    result = retention.run()
    db.session.commit()
    return len(result.erase)
