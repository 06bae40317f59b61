"""Select builders of the follow-up queue: only tasks of convenants whose queue the actor
may work (the coordinators of that convenant), overdue first, then by due date."""

from __future__ import annotations

from sqlalchemy import case, false, select

from zorgtafel.convenant import policy
from zorgtafel.core.timeutil import today_local
from zorgtafel.extensions import db
from zorgtafel.followup.models import OPEN, CoordinatorTask
from zorgtafel.followup.operations import may_work


def queue_keys(actor) -> list[str]:
    return [c.key for c in policy.convenants_of(actor) if may_work(actor, c.key).allowed]


def queue_clause(actor):
    keys = queue_keys(actor)
    return CoordinatorTask.convenant_key.in_(keys) if keys else false()


def queue(actor, *, status: tuple[str, ...] = OPEN, kind: str | None = None, overdue: bool | None = None,
          after: tuple | None = None, limit: int = 100) -> list[CoordinatorTask]:
    today = today_local()
    late = case((CoordinatorTask.due_on < today, 0), else_=1)
    query = select(CoordinatorTask).where(queue_clause(actor), CoordinatorTask.status.in_(status))
    if kind:
        query = query.where(CoordinatorTask.kind == kind)
    if overdue is not None:
        query = query.where(CoordinatorTask.due_on < today if overdue else CoordinatorTask.due_on >= today)
    if after is not None:
        from sqlalchemy import tuple_

        query = query.where(tuple_(late, CoordinatorTask.due_on, CoordinatorTask.id) > tuple_(*after))
    return list(db.session.scalars(query.order_by(late, CoordinatorTask.due_on, CoordinatorTask.id).limit(limit)))


def sort_key(task: CoordinatorTask) -> tuple:
    return (0 if task.due_on < today_local() else 1, task.due_on, task.id)
