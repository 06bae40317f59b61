"""``/api/v1/coordinator-tasks``: the queue for integrations."""

from __future__ import annotations

from typing import Literal

from flask import g
from pydantic import Field

from zorgtafel.audit.operations import record
from zorgtafel.cases.errors import CaseError
from zorgtafel.convenant import policy
from zorgtafel.core.api import ApiModel, ApiResource, encode_cursor, not_found
from zorgtafel.core.errors import ApiError
from zorgtafel.core.timeutil import today_local
from zorgtafel.extensions import db
from zorgtafel.followup.kinds import KINDS
from zorgtafel.followup.models import OPEN, TASK_STATUSES, CoordinatorTask
from zorgtafel.followup.operations import QUEUE_ACTION, update_task
from zorgtafel.followup.queries import queue, sort_key


def task_json(task: CoordinatorTask) -> dict:
    return {"id": task.id, "kind": task.kind, "case": task.case_reference, "reason": task.reason,
            "rule": task.rule, "created_at": task.created_at, "due_on": task.due_on, "status": task.status,
            "overdue": task.status in OPEN and task.due_on < today_local(), "picked_up_by": task.picked_up_by_id,
            "closed_note": task.closed_note}


class TaskQuery(ApiModel):
    status: Literal[TASK_STATUSES] | None = None  # type: ignore[valid-type]
    kind: Literal[tuple(KINDS)] | None = None  # type: ignore[valid-type]
    overdue: bool | None = None


class CoordinatorTasks(ApiResource):
    action = "personal"  # filtered in SQL to the convenants whose queue the caller works
    summary = "The zorgcoördinator's queue, overdue first"
    tags = ("coordinator-tasks",)
    query_model = TaskQuery
    paged = True

    def get(self, target):
        q = self.query()
        limit, after = self.paging()
        statuses = (q.status,) if q.status else OPEN
        rows = queue(g.actor, status=statuses, kind=q.kind, overdue=q.overdue, after=after, limit=limit + 1)
        following = encode_cursor(sort_key(rows[limit - 1]), "api_v1.coordinator_tasks") if len(rows) > limit else None
        record(g.actor, "search", outcome="success", object_type="coordinator_task_list")
        return {"items": [task_json(t) for t in rows[:limit]], "next": following}


class TaskPatch(ApiModel):
    status: Literal[TASK_STATUSES]  # type: ignore[valid-type]
    note: str = Field(default="", max_length=2000)


class CoordinatorTaskItem(ApiResource):
    action = QUEUE_ACTION
    summary = "Pick up, hand back, finish or drop a task (finishing and dropping need a note)"
    tags = ("coordinator-tasks",)
    request_model = TaskPatch
    errors = (404, 409)

    def load(self, task_id: int):
        task = db.session.get(CoordinatorTask, task_id)
        if task is None:
            not_found()
        return policy.Target(task.convenant_key, case_reference=task.case_reference, object_type="coordinator_task",
                             object_id=task.id)

    def denied(self, decision):
        not_found()

    def patch(self, target, task_id: int):
        data = self.payload()
        task = db.session.get(CoordinatorTask, task_id)
        try:
            update_task(g.actor, task, data.status, data.note)
        except CaseError as exc:
            raise ApiError(exc.status, str(exc), fields=exc.fields) from None
        return task_json(task)


RESOURCES = [
    ("/coordinator-tasks", CoordinatorTasks, "coordinator_tasks"),
    ("/coordinator-tasks/<int:task_id>", CoordinatorTaskItem, "coordinator_task"),
]
