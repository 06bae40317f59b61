"""The statements the beat sweeps run reach their due column through an index (issue 8:
"one sweep over 100,000 cases and 1,000,000 actions stays under a second through indexes").

The timings live in bench/sweeps.py (a script, no timed assertion here). This test takes
the very statement each sweep sends — captured from the engine while it runs — and asks
PostgreSQL for its plan (EXPLAIN without ANALYZE) over a few thousand seeded rows with the
shape of real data (most actions closed, few cases in weging), with ``enable_seqscan`` off:
on tables this small the planner would rightly prefer a sequential scan. A predicate that
cannot use the index (e.g. a function around the due column) plans a different index or a
Seq Scan, and fails here."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, text

from zorgtafel.extensions import db
from zorgtafel.followup import sweeps
from zorgtafel.meetings import reminders

SWEEPS = {
    # sweep: (run it, which statement reads the due column, its table, the due column, the index that serves it)
    "in_weging": (sweeps.in_weging_too_long, r"INSERT INTO coordinator_task.*FROM case_file", "case_file",
                  "status_changed_at", "ix_case_file_status_changed"),
    "party_left": (sweeps.parties_left, r"FROM involvement", "involvement", "organisation_id",
                   "ix_involvement_organisation_id"),
    "action_reminders": (reminders.sweep_action_reminders, r"FROM action_item.*FOR UPDATE", "action_item",
                         "next_reminder_at", "ix_action_item_reminder_due"),
    "minutes_reminders": (reminders.sweep_minutes_reminders, r"FROM meeting.*FOR UPDATE", "meeting",
                          "minutes_remind_at", "ix_meeting_minutes_due"),
}


def run_and_capture(sweep) -> list[tuple[str, object]]:
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        sweep()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return statements


SEED = [
    "INSERT INTO subject (created_at) SELECT now() FROM generate_series(1, 2000)",
    # 5 % in weging, entered up to 40 days ago; the rest spread over the other statuses
    """INSERT INTO case_file (reference, subject_id, convenant_key, subject_role, status, created_at, status_changed_at)
       SELECT 'ZT-' || lpad(to_hex(s.id), 4, '0') || '-PLAN', s.id, :key, 'jongere',
              CASE WHEN s.id % 20 = 0 THEN 'in_weging' WHEN s.id % 3 = 0 THEN 'afgesloten' ELSE 'monitoring' END,
              now() - interval '400 days', now() - (s.id % 40) * interval '1 day'
       FROM subject s WHERE NOT EXISTS (SELECT 1 FROM case_file c WHERE c.subject_id = s.id)""",
    """INSERT INTO case_status_change (case_id, from_status, to_status, at)
       SELECT id, 'aangemeld', status, status_changed_at FROM case_file""",
    # each organisation of the convenant involved in some cases, the GGD (which left) in few
    """INSERT INTO involvement (case_id, organisation_id, source)
       SELECT c.id, p.organisation_id, 'signal' FROM case_file c
       JOIN convenant_party p ON (c.id + p.organisation_id) % (CASE WHEN p.left_on IS NULL THEN 3 ELSE 40 END) = 0""",
    # 3,000 actions: 85 % closed (no reminder pending), the open ones due in the coming months
    """INSERT INTO action_item (case_id, title, assignee_id, assignee_organisation_id, due_on, status, created_by_id,
                                created_at, next_reminder_at)
       SELECT c.id, 'Actiepunt', :user, :organisation, current_date + g % 90, st, :user, now(),
              CASE WHEN st = 'open' THEN now() + (g % 90) * interval '1 day' END
       FROM (SELECT g, CASE WHEN g % 7 = 0 THEN 'open' ELSE 'afgerond' END AS st
             FROM generate_series(1, 3000) g) a
       JOIN case_file c ON c.id = (SELECT min(id) FROM case_file) + g % 2000""",
    # 500 meetings; only the last few still wait for approved minutes
    """INSERT INTO meeting (convenant_key, title, starts_at, ends_at, location, organiser_id, status, uid, sequence,
                           minutes_status, minutes_remind_at, created_at)
       SELECT :key, 'Zorgtafel', now() - g * interval '2 days', now() - g * interval '2 days' + interval '1 hour', '',
              :user, 'gehouden', 'plan-' || g, 0, 'concept',
              CASE WHEN g < 10 THEN now() + (10 - g) * interval '1 day' END, now()
       FROM generate_series(1, 500) g""",
]


@pytest.fixture
def seeded(ctx, world):
    from zorgtafel.auth.models import User

    user = db.session.get(User, world.coordinator.id)
    params = {"key": world.key, "user": user.id, "organisation": user.organisation_id}
    for statement in SEED:
        db.session.execute(text(statement), {k: v for k, v in params.items() if f":{k}" in statement})
    for table in ("case_file", "case_status_change", "involvement", "action_item", "meeting", "coordinator_task"):
        db.session.execute(text(f"ANALYZE {table}"))  # sees this transaction's rows; the estimates stay harmless


@pytest.mark.parametrize("name", sorted(SWEEPS))
def test_the_sweep_reads_its_due_column_through_an_index(seeded, name):
    sweep, pick, table, column, index = SWEEPS[name]
    statements = run_and_capture(sweep)
    chosen = [(s, p) for s, p in statements if re.search(pick, s, re.S)]
    assert chosen, f"{name}: no statement matching {pick!r} among {len(statements)}"
    statement, parameters = chosen[0]
    connection = db.session.connection()
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
    assert f"Seq Scan on {table}" not in plan, plan
    # the index is used, and bounded by the due column itself (not merely filtered after)
    scans = re.findall(rf"Index (?:Only )?Scan (?:using|on) {index}\b.*?\n\s+Index Cond: ([^\n]*)", plan)
    assert scans and any(column in cond for cond in scans), plan


def test_a_full_batch_still_makes_progress(ctx, world, monkeypatch):
    """A run that hits BATCH leaves the rest for the next run; cases that already have
    their task are skipped in SQL, so the next run does not pick the same ones again."""
    from datetime import date, datetime, timezone

    import time_machine

    from tests.helpers.people import actor, register
    from zorgtafel.cases.operations import change_status

    cases = [register(world.school).case for _ in range(3)]
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=timezone.utc), tick=False):
        for case in cases:
            change_status(actor(world.coordinator), case, "in_weging", "")
        db.session.flush()
    monkeypatch.setattr(sweeps, "BATCH", 2)
    with time_machine.travel(datetime(2026, 12, 16, 9, tzinfo=timezone.utc), tick=False):
        assert [sweeps.in_weging_too_long() for _ in range(3)] == [2, 1, 0]
    rows = db.session.execute(text("SELECT case_id, due_on FROM coordinator_task WHERE kind = 'in_weging_te_lang'"))
    assert sorted(rows) == sorted((c.id, date(2026, 12, 17)) for c in cases)
