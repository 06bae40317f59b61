"""The beat sweeps of the follow-up queue: conditions that no single event announces.
Each is idempotent — the (kind, subject) key makes a second run add nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from zorgtafel.cases.models import Case, StatusChange
from zorgtafel.convenant import policy
from zorgtafel.convenant.models import Involvement
from zorgtafel.core.timeutil import today_local
from zorgtafel.core.workdays import add_working_days
from zorgtafel.extensions import db
from zorgtafel.followup.models import OPEN, CoordinatorTask, DigestSent
from zorgtafel.followup.operations import deadlines, open_task
from zorgtafel.notify.operations import notify

BATCH = 1000


def in_weging_too_long() -> int:
    """Cases in weging longer than ``deadlines.in_weging`` working days."""
    created = 0
    for key in policy.in_force():
        terms, _ = deadlines(key)
        # The n-th working day before today: entered before it means more than n working days.
        cutoff = add_working_days(today_local(), -terms["in_weging"])
        entered = (select(StatusChange.case_id, func.max(StatusChange.id).label("change_id"))
                   .where(StatusChange.to_status == "in_weging").group_by(StatusChange.case_id).subquery())
        rows = db.session.execute(
            select(Case, entered.c.change_id).join(entered, entered.c.case_id == Case.id)
            .where(Case.convenant_key == key, Case.status == "in_weging",
                   func.timezone("Europe/Amsterdam", Case.status_changed_at) < cutoff)
            .limit(BATCH)
        ).all()
        for case, change_id in rows:
            created += open_task("in_weging_te_lang", f"case:{case.id}:{change_id}", convenant_key=key, case=case,
                                 reason=f"Casus staat langer dan {terms['in_weging']} werkdagen in weging.") is not None
    return created


def parties_left() -> int:
    """An organisation whose party period ended: review the cases it was involved in."""
    created = 0
    day = today_local()
    for key, conv in policy.in_force().items():
        for org_id, kind, _joined, left in conv.parties:
            if left is None or left > day:
                continue
            count = db.session.scalar(select(func.count(func.distinct(Involvement.case_id)))
                                      .join(Case, Case.id == Involvement.case_id)
                                      .where(Involvement.organisation_id == org_id, Case.convenant_key == key))
            if not count:
                continue
            created += open_task(
                "partij_uitgetreden", f"party:{key}:{org_id}:{left.isoformat()}", convenant_key=key, start=left,
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


