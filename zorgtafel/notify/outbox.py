"""The transactional outbox (DESIGN rule 5).

``enqueue`` writes a row in the caller's transaction; nothing reaches the broker unless
that transaction commits. After the commit a nudge publishes pending rows at once; the
beat relay (every minute) publishes whatever is left, e.g. after a Redis outage. A row is
marked published only after the broker took the message, so the relay may publish a
message twice (crash between publish and mark) but never loses one: the tasks are
idempotent.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from zorgtafel.core.hooks import after_commit
from zorgtafel.core.models import utcnow
from zorgtafel.extensions import db
from zorgtafel.notify.models import OutboxMessage

log = logging.getLogger(__name__)
_ID_NAME = re.compile(r"^[a-z][a-z0-9_]*_ids?$")
NUDGE_LIMIT = 500  # rows one after-commit nudge publishes (bounds a request); beat takes the rest
KEEP_PUBLISHED = timedelta(days=7)


class BrokerUnavailable(RuntimeError):
    pass


def _check_ids(ids: dict) -> None:
    """Ids only: names end in ``_id``/``_ids``, values are integers or lists of them.
    Celery arguments are visible in the broker and in logs (DESIGN rule 7)."""
    for name, value in ids.items():
        values = value if isinstance(value, list) else [value]
        if not _ID_NAME.match(name) or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise ValueError(f"outbox arguments are ids only, not {name}={value!r}")


def enqueue(task_name: str, **ids) -> OutboxMessage:
    """Add a message to the caller's transaction; it is published after the commit. The
    row is flushed with the caller's next flush (many rows: one batched INSERT)."""
    _check_ids(ids)
    row = OutboxMessage(task_name=task_name, kwargs=ids, created_at=utcnow())
    db.session.add(row)
    app = current_app._get_current_object()
    after_commit(db.session(), lambda: nudge(app), key="notify.outbox.nudge")
    return row


def nudge(app: Flask) -> None:
    """Publish right after a commit, in a session of its own (the committing one can no
    longer emit SQL). Never raises: a broker outage leaves the rows for the relay."""
    try:
        with app.app_context(), Session(db.engine) as session:
            relay(session, limit=NUDGE_LIMIT)
    except BrokerUnavailable as exc:
        log.warning("outbox: broker unavailable, rows wait for the relay", extra={"error": str(exc)})
    except Exception:
        log.exception("outbox: nudge failed, rows wait for the relay")


def relay(session: Session, *, limit: int = 10_000, batch: int = 100) -> int:
    """Publish pending rows oldest first, ``batch`` per transaction, with FOR UPDATE SKIP
    LOCKED so concurrent relays (nudges, beat) never publish the same row at the same
    time. Returns the number published; raises BrokerUnavailable when Redis is away."""
    celery = current_app.extensions["celery"]
    published = 0
    with celery.connection_for_write() as conn:
        try:
            # Fail fast: kombu would otherwise retry for seconds inside a web request.
            conn.ensure_connection(max_retries=0)
        except Exception as exc:
            raise BrokerUnavailable(str(exc)) from exc
        producer = celery.amqp.Producer(conn, auto_declare=False)
        while published < limit:
            rows = session.scalars(
                select(OutboxMessage).where(OutboxMessage.published_at.is_(None)).order_by(OutboxMessage.id)
                .limit(min(batch, limit - published)).with_for_update(skip_locked=True)
            ).all()
            if not rows:
                break
            try:
                for row in rows:
                    celery.send_task(row.task_name, kwargs=row.kwargs, producer=producer, retry=False)
                    row.published_at = utcnow()
                    published += 1
            except Exception as exc:
                session.commit()  # keep what did go out marked; the rest stays pending
                raise BrokerUnavailable(str(exc)) from exc
            session.commit()
    return published


def prune(session: Session, now=None) -> int:
    """Forget rows published long ago; the outbox is a queue, not an archive."""
    cutoff = (now or utcnow()) - KEEP_PUBLISHED
    result = session.execute(delete(OutboxMessage).where(OutboxMessage.published_at < cutoff))
    return result.rowcount or 0

