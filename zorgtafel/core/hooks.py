"""Run callbacks only after the surrounding transaction has committed.

Side effects (publishing outbox rows to the broker, writing the audit anchor) must never
happen for work that is later rolled back, so they queue here and fire on ``after_commit``;
a rollback discards them.
"""

from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_KEY = "zorgtafel_after_commit"


def after_commit(session: Session, callback: Callable[[], None], *, key: str | None = None) -> None:
    """Queue ``callback`` for after the next successful commit of ``session``.

    A ``key`` de-duplicates: one nudge per transaction, however many rows asked for it.
    """
    pending: dict = session.info.setdefault(_KEY, {})
    pending[key or id(callback)] = callback


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    pending: dict = session.info.pop(_KEY, {})
    for callback in pending.values():
        try:
            callback()
        except Exception:  # a failed side effect is retried by its sweep, never by the request
            log.exception("after-commit callback failed")


@event.listens_for(Session, "after_soft_rollback")
def _discard_on_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # only the outermost rollback discards
        session.info.pop(_KEY, None)
        _note_rollback()


ROLLED_BACK = "zorgtafel.rolled_back"


def _note_rollback() -> None:
    """Tell the request guard that work of this request was undone (with it, any audit
    entry queued earlier in the request), so it can log its decision again."""
    from flask import has_request_context, request

    if has_request_context():
        request.environ[ROLLED_BACK] = True
