"""Creating, closing and working follow-up tasks. Creation is idempotent (one row per
kind and subject); closing on resolution is done by the system with a note."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from zorgtafel.audit.operations import record
from zorgtafel.cases.errors import CaseError
from zorgtafel.convenant import policy
from zorgtafel.convenant.models import Convenant
from zorgtafel.convenant.schema import Deadlines
from zorgtafel.core.models import utcnow
from zorgtafel.core.timeutil import today_local
from zorgtafel.core.workdays import add_working_days
from zorgtafel.extensions import db
from zorgtafel.followup.kinds import KINDS
from zorgtafel.followup.models import OPEN, CoordinatorTask, TaskUpdate

#: the coordinator's queue is worked under the coordinator's own rule (art. 8.1)
QUEUE_ACTION = "write_minutes"

TRANSITIONS = {
    "open": {"in_behandeling", "afgerond", "vervallen"},
    "in_behandeling": {"open", "afgerond", "vervallen"},
    "afgerond": set(),
    "vervallen": set(),
}


def deadlines(convenant_key: str) -> tuple[dict, str]:
    """The deadlines in force for a convenant and its label for the task's rule; the
    defaults where the convenant has no ``deadlines:`` section (the reference has none)."""
    view = policy.in_force().get(convenant_key)
    if view is None:
        return Deadlines().model_dump(), "standaardtermijnen"
    conv = db.session.get(Convenant, view.id)
    return conv.deadlines or Deadlines().model_dump(), f"convenant {conv.key} v{conv.version}"


def terms(kind: str, convenant_key: str, *, urgency: str | None = None, start: date | None = None) -> tuple[date, str]:
    """The due date of a new task of ``kind`` and the rule that set it (shown on the task)."""
    spec = KINDS[kind]
    deadlines_in_force, source = deadlines(convenant_key)
    deadlines_in_force = {**Deadlines().model_dump(), **deadlines_in_force}  # a version loaded before a deadline existed
    if spec.deadline == "match":
        days = deadlines_in_force["match"][urgency or "midden"]
    else:
        days = deadlines_in_force[spec.deadline]
    rule = f"deadlines.{spec.deadline}{'.' + urgency if spec.deadline == 'match' else ''}={days} werkdagen ({source})"
    return add_working_days(start or today_local(), days), rule


def open_task(kind: str, subject: str, *, convenant_key: str, reason: str, case=None,
              urgency: str | None = None, start: date | None = None) -> CoordinatorTask | None:
    """Create the task unless it exists (whatever its status). Returns the new task."""
    due, rule = terms(kind, convenant_key, urgency=urgency, start=start)
    inserted = db.session.execute(
        insert(CoordinatorTask).values(
            convenant_key=convenant_key, kind=kind, subject=subject, reason=reason, rule=rule, due_on=due,
            case_id=getattr(case, "id", None), case_reference=getattr(case, "reference", None), status="open",
            created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["kind", "subject"])
        .returning(CoordinatorTask.id)
    ).scalar()
    return db.session.get(CoordinatorTask, inserted) if inserted else None


def close_open(kind: str, note: str, *, subject: str | None = None, case_id: int | None = None,
               subject_prefix: str | None = None) -> int:
    """The reason is gone: close the open tasks of this kind for the subject or case."""
    query = select(CoordinatorTask).where(CoordinatorTask.kind == kind, CoordinatorTask.status.in_(OPEN))
    if subject is not None:
        query = query.where(CoordinatorTask.subject == subject)
    if subject_prefix is not None:
        query = query.where(CoordinatorTask.subject.startswith(subject_prefix))
    if case_id is not None:
        query = query.where(CoordinatorTask.case_id == case_id)
    tasks = db.session.scalars(query.with_for_update()).all()
    for task in tasks:
        _set(task, None, "afgerond", note)
    return len(tasks)


def _set(task: CoordinatorTask, actor, status: str, note: str | None) -> None:
    db.session.add(TaskUpdate(task_id=task.id, actor_id=getattr(actor, "id", None), from_status=task.status,
                              to_status=status, note=note))
    task.status = status
    if status == "in_behandeling":
        task.picked_up_by_id = actor.id
        task.picked_up_at = utcnow()
    elif status == "open":
        task.picked_up_by_id = None
        task.picked_up_at = None
    else:
        task.closed_at = utcnow()
        task.closed_by_id = getattr(actor, "id", None)
        task.closed_note = note
    db.session.flush()


def may_work(actor, convenant_key: str):
    return policy.decide(actor, QUEUE_ACTION, policy.Target(convenant_key))


def update_task(actor, task: CoordinatorTask, status: str, note: str = "") -> None:
    """Pick up, hand back, finish or drop a task; finishing and dropping need a note."""
    decision = may_work(actor, task.convenant_key)
    if not decision.allowed:
        raise CaseError(decision.reason, status=403)
    note = (note or "").strip()
    # Lock and re-read: two coordinators working the same task at once see each other.
    task = db.session.get(CoordinatorTask, task.id, with_for_update=True, populate_existing=True)
    if status not in TRANSITIONS:
        raise CaseError("Kies open, in_behandeling, afgerond of vervallen.", field="status")
    if status not in TRANSITIONS[task.status]:
        raise CaseError(f"Een taak die '{task.status}' is, kan niet naar '{status}'.", field="status", status=409)
    if status in ("afgerond", "vervallen") and len(note) < 3:
        raise CaseError("Schrijf kort op wat er is gedaan of waarom de taak vervalt.", field="note")
    _set(task, actor, status, note or None)
    if status == "afgerond" and task.kind == "mogelijk_dubbel":
        _resolve_duplicate(task, note)
    record(actor, "change", outcome="success", case_reference=task.case_reference, object_type="coordinator_task",
           object_id=task.id, basis=decision.basis)


def _resolve_duplicate(task: CoordinatorTask, note: str) -> None:
    from zorgtafel.cases.models import PossibleDuplicate

    duplicate_id = int(task.subject.split(":")[1])
    db.session.execute(update(PossibleDuplicate).where(PossibleDuplicate.id == duplicate_id)
                       .values(resolved_at=utcnow(), resolution="beoordeeld"))
