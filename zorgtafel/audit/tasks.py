"""Celery tasks of the audit room (thin: one operation each)."""

from __future__ import annotations

from celery import shared_task

from zorgtafel.audit import operations as ops
from zorgtafel.extensions import db


@shared_task(name="zorgtafel.audit.anchor")
def anchor() -> int | None:
    """Anchor the chain head outside the database. Idempotent: an unchanged head, or a
    redelivered message, writes nothing new."""
    try:
        written = ops.anchor_head()
    finally:
        db.session.rollback()  # nothing was written to the database
    return None if written is None else written.seq
