"""The beat sweeps of the follow-up queue: conditions that no single event announces.
Each is idempotent — the (kind, subject) key makes a second run add nothing."""

from __future__ import annotations

from datetime import time

from sqlalchemy import Date, DateTime, exists, func, literal, select
from sqlalchemy.dialects.postgresql import insert

from zorgtafel.cases.models import Case, StatusChange
from zorgtafel.convenant import policy
from zorgtafel.convenant.models import Involvement
from zorgtafel.core.models import utcnow
from zorgtafel.core.timeutil import today_local
from zorgtafel.core.workdays import add_working_days, at_local
from zorgtafel.extensions import db
from zorgtafel.followup.models import OPEN, CoordinatorTask, DigestSent
from zorgtafel.followup.operations import deadlines, open_task, terms
from zorgtafel.notify.operations import notify

BATCH = 1000


def in_weging_too_long() -> int:
    """Cases in weging longer than ``deadlines.in_weging`` working days: one task per stay in
    weging (the subject names the status change that started it).

    One INSERT … SELECT per convenant. The due column is compared as it is stored (a UTC
    instant), so ``ix_case_file_status_changed (status, status_changed_at)`` bounds the
    scan; cases that already have their task are skipped in SQL, so a run that hits BATCH
    still makes progress on the next one (see bench/sweeps.py for the plans)."""
    created = 0
    today = today_local()
    for key in policy.in_force():
        days = deadlines(key)[0]["in_weging"]
        # Entered before the n-th working day before today (local midnight) = more than n working days.
        cutoff = at_local(add_working_days(today, -days), time(0))
        due, rule = terms("in_weging_te_lang", key)
        entered = (select(func.max(StatusChange.id)).where(StatusChange.case_id == Case.id,
                                                           StatusChange.to_status == "in_weging")
                   .correlate(Case).scalar_subquery())
        overdue = (select(Case.id.label("case_id"), Case.reference.label("reference"), entered.label("change_id"))
                   .where(Case.status == "in_weging", Case.status_changed_at < cutoff, Case.convenant_key == key)
                   .subquery())
        subject = func.concat("case:", overdue.c.case_id, ":", overdue.c.change_id)
        fresh = (select(literal(key), literal("in_weging_te_lang"), subject, overdue.c.case_id, overdue.c.reference,
                        literal(f"Casus staat langer dan {days} werkdagen in weging."), literal(rule),
                        literal(due, Date), literal("open"), literal(utcnow(), DateTime(timezone=True)))
                 .where(~exists().where(CoordinatorTask.kind == "in_weging_te_lang", CoordinatorTask.subject == subject))
                 .order_by(overdue.c.case_id).limit(BATCH))
        columns = ["convenant_key", "kind", "subject", "case_id", "case_reference", "reason", "rule", "due_on",
                   "status", "created_at"]
        created += len(db.session.execute(
            insert(CoordinatorTask).from_select(columns, fresh)
            .on_conflict_do_nothing(index_elements=["kind", "subject"]).returning(CoordinatorTask.id)).all())
    return created


def parties_left() -> int:
    """An organisation whose party period ended: review the cases it was involved in. Once
    per party and leaving date; the count is made only when the task is still to be made."""
    created = 0
    day = today_local()
    for key, conv in policy.in_force().items():
        for org_id, kind, _joined, left in conv.parties:
            if left is None or left > day:
                continue
            subject = f"party:{key}:{org_id}:{left.isoformat()}"
            if db.session.scalar(select(exists().where(CoordinatorTask.kind == "partij_uitgetreden",
                                                       CoordinatorTask.subject == subject))):
                continue
            count = db.session.scalar(select(func.count(func.distinct(Involvement.case_id)))
                                      .join(Case, Case.id == Involvement.case_id)
                                      .where(Involvement.organisation_id == org_id, Case.convenant_key == key))
            if not count:
                continue
            created += open_task(
                "partij_uitgetreden", subject, convenant_key=key, start=left,
                reason=f"Een partij ({kind}) is per {left:%d-%m-%Y} uitgetreden en was betrokken bij {count} "
                       "casussen: loop na wat dat voor die casussen betekent.") is not None
    return created


def daily_digest() -> int:
    """One content-free e-mail per coordinator per day listing nothing but that work is
    due today or overdue (the queue in Zorgtafel has the rest)."""
    today = today_local()
    sent = 0
    for key in policy.in_force():
        due = db.session.scalar(select(func.count()).select_from(CoordinatorTask).where(
            CoordinatorTask.convenant_key == key, CoordinatorTask.status.in_(OPEN), CoordinatorTask.due_on <= today))
        if not due:
            continue
        from zorgtafel.cases.operations import coordinators

        for user_id in sorted(coordinators(key)):
            fresh = db.session.execute(insert(DigestSent).values(user_id=user_id, day=today)
                                       .on_conflict_do_nothing(index_elements=["user_id", "day"])
                                       .returning(DigestSent.id)).scalar()
            if fresh:
                notify(None, [user_id], "taken_overzicht", link="/taken")
                sent += 1
    return sent


def open_count(actor) -> int:
    """For the navigation badge: one cheap count."""
    from zorgtafel.followup.queries import queue_clause

    return db.session.scalar(select(func.count()).select_from(CoordinatorTask).where(
        queue_clause(actor), CoordinatorTask.status.in_(OPEN)))


