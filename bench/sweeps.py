"""Bench of the sweeps beat runs (issue 8): over 100,000 cases and 1,000,000 actiepunten,
each sweep stays under a second because the due columns are indexed. A script that prints
figures, not a test: nothing here asserts a time.

How to run (from the repository root; PostgreSQL on 127.0.0.1:5432, Redis on 6379):

    .venv/bin/python bench/sweeps.py                                 # the full size, ~2-4 minutes
    .venv/bin/python bench/sweeps.py --cases 10000 --actions 100000  # a quick look
    .venv/bin/python bench/sweeps.py --admin-url postgresql://postgres@db:5432/postgres --keep

What it does:
1. creates a scratch database ``zorgtafel_bench_<random>`` on the admin URL's server and
   builds the schema with the app's own migrations (``flask db upgrade``, Alembic);
2. loads the reference convenant (tests/data/convenant-voorbeeld.yaml: one region, whose
   GGD left on 2026-10-01) and bulk-generates, with INSERT … SELECT generate_series and a
   fixed random seed: organisations' users, cases with a realistic status mix and status
   history, involvement, meetings, historical follow-up tasks and the actiepunten with
   their reminder columns as the reminder sweep leaves them (see ``generate``);
3. times each sweep beat runs — the follow-up in_weging sweep and party-left sweep, the
   meetings action-reminder and minutes-reminder sweeps — as the Celery task calls it, in
   a transaction that is rolled back (so every run sees the same data), median of
   ``--repeat`` runs after one warm-up;
4. prints the EXPLAIN (ANALYZE, BUFFERS) plan of the statement that reads the due column;
5. does it all again as the BASELINE with that sweep's due-column index dropped (DROP
   INDEX inside the rolled-back transaction: the index is back afterwards) and prints the
   ratios side by side;
6. drops the scratch database (``--keep`` leaves it for a closer look).

Redis is only needed because the app wants a URL; nothing is published (no commit).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, time as wall, timedelta, timezone
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

REFERENCE = ROOT / "tests" / "data" / "convenant-voorbeeld.yaml"
CONVENANT = "zorgtafel-su-voorbeeldregio"
#: involvement per organisation of the reference convenant: the chance a case involves it
INVOLVEMENT = {"politie-voorbeeld": 0.45, "jeugdggz-voorbeeld": 0.35, "lvbzorg-voorbeeld": 0.20,
               "college-voorbeeld": 0.40, "veiligthuis-voorbeeld": 0.30, "ggd-voorbeeld": 0.08,
               "zorgcoordinatie-voorbeeld": 0.10}
#: case status mix (cumulative thresholds of random()); in_weging is what the sweep looks for
STATUS_MIX = [("aangemeld", 0.04), ("in_weging", 0.10), ("geagendeerd", 0.15), ("plan_van_aanpak", 0.30),
              ("monitoring", 0.50), ("afgeschaald", 0.60), ("afgesloten", 0.98), ("heropend", 1.0)]
#: actiepunt status mix: most are done; 18 % still open or in behandeling
ACTION_MIX = [("afgerond", 0.72), ("vervallen", 0.82), ("open", 0.94), ("in_behandeling", 1.0)]
QUIET_ACTIONS = 25   # due within the last minute at a normal tick (re-armed during the day)
QUIET_MEETINGS = 3


def log(message: str) -> None:
    print(message, flush=True)


# -- the scratch database -------------------------------------------------------------------


def psycopg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_database(admin_url: str) -> tuple[str, str]:
    name = f"zorgtafel_bench_{secrets.token_hex(4)}"
    with psycopg.connect(psycopg_url(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
    return name, url.render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(psycopg_url(admin_url), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                     "AND pid <> pg_backend_pid()", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def make_app(database_url: str, redis_url: str):
    os.environ.setdefault("ZORGTAFEL_ENV", "development")
    from zorgtafel import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url,
                       "CELERY_KEY_PREFIX": f"zt-bench-{secrets.token_hex(3)}:", "LOG_LEVEL": "WARNING",
                       "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}})


# -- data ---------------------------------------------------------------------------------


def _case_when(mix, column: str = "r") -> str:
    parts = " ".join(f"WHEN {column} < {threshold} THEN '{name}'" for name, threshold in mix[:-1])
    return f"CASE {parts} ELSE '{mix[-1][0]}' END"


def generate(app, cases: int, actions: int, meetings: int, now: datetime) -> dict:
    """Bulk data in a few INSERT … SELECT statements; ``now`` is the bench's fixed moment."""
    from zorgtafel.convenant.loader import load_text
    from zorgtafel.extensions import db

    with app.app_context():
        load_text(REFERENCE.read_text(encoding="utf-8"), REFERENCE.name)
        db.session.commit()
        steps = [
            ("users", """
                INSERT INTO user_account (organisation_id, name, email, roles, active, language, notification_mode,
                                          totp_last_counter, created_at)
                SELECT o.id, 'Gebruiker ' || o.key || ' ' || g, 'u' || g || '@' || o.key || '.bench.test',
                       CASE WHEN o.kind = 'zorgcoordinatie' THEN ARRAY['zorgcoordinator']
                            ELSE ARRAY['professional'] END::varchar[],
                       true, 'nl', CASE WHEN g % 5 = 0 THEN 'digest' ELSE 'direct' END, 0, :now
                FROM organisation o CROSS JOIN generate_series(1, 30) g
                WHERE o.kind <> 'zorgcoordinatie' OR g <= 4"""),
            ("subjects", "INSERT INTO subject (created_at) SELECT :now FROM generate_series(1, :cases)"),
            ("cases", f"""
                INSERT INTO case_file (reference, subject_id, convenant_key, subject_role, status, created_at,
                                       status_changed_at, last_signal_on, max_urgency)
                SELECT 'ZT-' || upper(substr(h, 1, 4)) || '-' || upper(substr(h, 5, 4)), s.id, :key, 'jongere',
                       st, created, changed, (changed at time zone 'Europe/Amsterdam')::date, (s.id % 3)
                FROM (
                    SELECT s.id, lpad(to_hex(s.id), 8, '0') AS h, st,
                           CASE WHEN st = 'in_weging' THEN changed - random() * interval '5 days'
                                ELSE changed - random() * interval '400 days' END AS created, changed
                    FROM (
                        SELECT id, st,
                               -- in weging: entered in the last 40 days (about half longer than 10 working days)
                               CASE WHEN st = 'in_weging' THEN :now - random() * interval '40 days'
                                    WHEN st = 'aangemeld' THEN :now - random() * interval '10 days'
                                    ELSE :now - random() * interval '3 years' END AS changed
                        FROM (SELECT id, {_case_when(STATUS_MIX)} AS st
                              FROM (SELECT id, random() AS r FROM subject) x) y
                    ) s
                ) s"""),
            ("status history", """
                INSERT INTO case_status_change (case_id, from_status, to_status, at)
                SELECT id, NULL, 'aangemeld', created_at FROM case_file
                UNION ALL
                SELECT id, 'aangemeld', 'in_weging',
                       CASE WHEN status = 'in_weging' THEN status_changed_at
                            ELSE created_at + (status_changed_at - created_at) / 3 END
                FROM case_file WHERE status <> 'aangemeld'
                UNION ALL
                SELECT id, 'in_weging', status, status_changed_at FROM case_file
                WHERE status NOT IN ('aangemeld', 'in_weging')
                ORDER BY 4"""),
            ("involvement", """
                INSERT INTO involvement (case_id, organisation_id, source, since)
                SELECT c.id, o.id, 'signal', c.created_at
                FROM case_file c CROSS JOIN organisation o
                JOIN (SELECT * FROM jsonb_each_text(CAST(:involvement AS jsonb))) p ON p.key = o.key
                WHERE random() + 0 * c.id < p.value::float  -- per row: a bare random() would be decided per organisation"""),
            ("meetings", """
                INSERT INTO meeting (convenant_key, title, starts_at, ends_at, location, organiser_id, status, uid,
                                     sequence, minutes_status, minutes_remind_at, minutes_reminded_at, created_at)
                SELECT :key, 'Zorgtafel', starts, starts + interval '2 hours', '', :coordinator,
                       CASE WHEN starts > :now THEN 'gepland' WHEN g % 33 = 0 THEN 'geannuleerd' ELSE 'gehouden' END,
                       'bench-' || g || '@zorgtafel', 0,
                       CASE WHEN starts > :now OR g % 33 = 0 THEN NULL
                            WHEN remind <= :now AND g % 50 <> 0 THEN 'goedgekeurd' ELSE 'concept' END,
                       -- armed when planned, cleared by approval, cancellation or the reminder itself
                       CASE WHEN g % 33 = 0 OR remind <= :now - interval '1 minute' THEN NULL ELSE remind END,
                       CASE WHEN g % 50 = 0 AND remind <= :now - interval '1 minute' THEN remind END,
                       starts - interval '14 days'
                FROM (SELECT g, starts, date_trunc('day', starts + interval '2 hours') + interval '3 days 16 hours'
                             AS remind
                      FROM (SELECT g, date_trunc('hour', :now - interval '3 years'
                                   + (g::float / :meetings) * interval '3 years 28 days') AS starts
                            FROM generate_series(1, :meetings) g) x) y"""),
            ("historical follow-up tasks", """
                INSERT INTO coordinator_task (convenant_key, kind, subject, case_id, case_reference, reason, rule,
                                              created_at, due_on, status, closed_at, closed_note)
                SELECT :key, kind, kind || ':case:' || c.id, c.id, c.reference, 'historisch', 'bench', c.created_at,
                       (c.created_at at time zone 'Europe/Amsterdam')::date + 3, 'afgerond', c.created_at, 'klaar'
                FROM case_file c CROSS JOIN (VALUES ('triage'), ('match')) k(kind)
                WHERE c.id % 4 <> 0"""),
            ("actiepunten", f"""
                INSERT INTO action_item (case_id, meeting_id, title, assignee_id, assignee_organisation_id, due_on,
                                         status, created_by_id, created_at, closed_at)
                SELECT 1 + (g * 48271) % :cases + (SELECT min(id) - 1 FROM case_file),
                       CASE WHEN g % 10 < 7 THEN 1 + (g * 16807) % :meetings + (SELECT min(id) - 1 FROM meeting) END,
                       'Actiepunt ' || g, u.id, u.organisation_id, due, st, :coordinator,
                       due - interval '21 days',
                       CASE WHEN st IN ('afgerond', 'vervallen') THEN due END
                FROM (SELECT g, st,
                             CASE WHEN st IN ('open', 'in_behandeling')
                                  -- open: due from 40 days ago (overdue) to 140 days ahead
                                  THEN (:now at time zone 'Europe/Amsterdam')::date + (random() * 180 - 40)::int
                                  ELSE (:now at time zone 'Europe/Amsterdam')::date - (random() * 1095)::int END AS due
                      FROM (SELECT g, {_case_when(ACTION_MIX)} AS st
                            FROM (SELECT g::bigint AS g, random() AS r FROM generate_series(1, :actions) g) a) b) x
                JOIN (SELECT id, organisation_id, row_number() OVER (ORDER BY id) AS n FROM user_account
                      WHERE NOT roles @> ARRAY['zorgcoordinator']::varchar[]) u
                  ON u.n = 1 + (g * 7919) % (SELECT count(*) FROM user_account
                                            WHERE NOT roles @> ARRAY['zorgcoordinator']::varchar[])"""),
            # What arm() stores and the sweep leaves behind: three moments at 08:00 Amsterdam
            # (07:00 UTC in winter; calendar days stand in for working days here), each one
            # that has passed marked as sent, next_reminder_at the earliest one still to come.
            ("reminder columns", """
                UPDATE action_item SET
                    remind_at = m.r, due_remind_at = m.d, escalate_at = m.e,
                    remind_sent_at = CASE WHEN m.r <= :now - interval '1 minute' THEN m.r END,
                    due_remind_sent_at = CASE WHEN m.d <= :now - interval '1 minute' THEN m.d END,
                    escalated_at = CASE WHEN m.e <= :now - interval '1 minute' THEN m.e END,
                    next_reminder_at = CASE WHEN m.r > :now - interval '1 minute' THEN m.r
                                            WHEN m.d > :now - interval '1 minute' THEN m.d
                                            WHEN m.e > :now - interval '1 minute' THEN m.e END
                FROM (SELECT id, ((due_on - 2) + time '07:00') AT TIME ZONE 'UTC' AS r,
                             (due_on + time '07:00') AT TIME ZONE 'UTC' AS d,
                             ((due_on + 1) + time '07:00') AT TIME ZONE 'UTC' AS e
                      FROM action_item WHERE status IN ('open', 'in_behandeling')) m
                WHERE action_item.id = m.id"""),
            ("due this minute", """
                UPDATE action_item SET due_remind_at = t, due_remind_sent_at = NULL, next_reminder_at = t
                FROM (SELECT id, :now - random() * interval '55 seconds' AS t FROM action_item
                      WHERE status = 'open' AND due_on > (:now at time zone 'Europe/Amsterdam')::date + 3
                      ORDER BY id LIMIT :quiet_actions) q
                WHERE action_item.id = q.id"""),
            ("minutes due this minute", """
                UPDATE meeting SET minutes_remind_at = :now - interval '30 seconds', minutes_status = 'concept'
                WHERE id IN (SELECT id FROM meeting WHERE status = 'gehouden' AND minutes_status = 'concept'
                             ORDER BY starts_at DESC LIMIT :quiet_meetings)"""),
        ]
        import json

        coordinator_org = db.session.execute(text(
            "SELECT id FROM organisation WHERE key = 'zorgcoordinatie-voorbeeld'")).scalar()
        params = {"now": now, "cases": cases, "actions": actions, "meetings": meetings, "key": CONVENANT,
                  "involvement": json.dumps(INVOLVEMENT), "quiet_actions": QUIET_ACTIONS,
                  "quiet_meetings": QUIET_MEETINGS}
        db.session.execute(text("SELECT setseed(0.2026)"))
        for name, sql in steps:
            started = time.perf_counter()
            if name == "meetings":
                params["coordinator"] = db.session.execute(text(
                    "SELECT min(id) FROM user_account WHERE organisation_id = :o"), {"o": coordinator_org}).scalar()
            used = {k: v for k, v in params.items() if f":{k}" in sql}
            rows = db.session.execute(text(sql), used).rowcount
            log(f"  {name:<28} {rows:>10,} rows  {time.perf_counter() - started:6.1f} s")
        db.session.commit()
    with psycopg.connect(psycopg_url(app.config["SQLALCHEMY_DATABASE_URI"]), autocommit=True) as conn:
        started = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        log(f"  {'vacuum analyze':<28} {'':>10}       {time.perf_counter() - started:6.1f} s")
        sizes = conn.execute("""
            SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid))
            FROM pg_stat_user_tables WHERE relname IN ('case_file', 'case_status_change', 'involvement', 'meeting',
                  'action_item', 'coordinator_task') ORDER BY relname""").fetchall()
    return {name: (n, size) for name, n, size in sizes}


# -- measuring ------------------------------------------------------------------------------


@dataclass
class Scenario:
    sweep: str
    case: str
    indexes: tuple[str, ...]  # the due-column index(es) that the baseline drops
    pick: str  # regex: which of the sweep's statements reads the due column
    run: Callable[[], int]
    prepare: Callable[[], object] | None = None  # untimed, in the same transaction (e.g. a first run)
    expect: tuple[str, ...] = ()  # the index the plan should show, where not one of ``indexes``


@dataclass
class Result:
    times: list[float] = field(default_factory=list)
    handled: int = 0
    statement_ms: float = 0.0
    plan: str = ""
    uses_index: bool = False
    seq_scans: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times) * 1000


class Capture:
    def __init__(self, engine):
        self.engine = engine
        self.statements: list[tuple[str, object]] = []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, parameters))

    def __enter__(self):
        self.statements.clear()
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)


def drop(scenario: Scenario) -> None:
    """DROP INDEX is transactional in PostgreSQL: the rollback after the run brings it back."""
    from zorgtafel.extensions import db

    for name in scenario.indexes:
        db.session.execute(text(f"DROP INDEX {name}"))


def measure(app, scenario: Scenario, baseline: bool, repeat: int) -> Result:
    from zorgtafel.extensions import db

    result = Result()
    with app.app_context():
        capture = Capture(db.engine)
        chosen = None
        for attempt in range(repeat + 1):  # the first is a warm-up and finds the statement
            if baseline:
                drop(scenario)
            if scenario.prepare:
                scenario.prepare()
            with capture:
                started = time.perf_counter()
                handled = scenario.run()
                elapsed = time.perf_counter() - started
            db.session.rollback()
            if attempt == 0:
                chosen = next((s for s in capture.statements if re.search(scenario.pick, s[0], re.S)), None)
            else:
                result.times.append(elapsed)
                result.handled = handled
        if chosen is None:
            result.plan = "(the sweep ran no statement matching %r)" % scenario.pick
            return result
        if baseline:
            drop(scenario)
        if scenario.prepare:
            scenario.prepare()
        connection = db.session.connection()
        rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + chosen[0], chosen[1]).all()
        db.session.rollback()
    result.plan = "\n".join(r[0] for r in rows)
    found = re.search(r"Execution Time: ([\d.]+) ms", result.plan)
    result.statement_ms = float(found.group(1)) if found else float("nan")
    result.uses_index = any(re.search(rf"\b{name}\b", result.plan) for name in scenario.expect or scenario.indexes)
    result.seq_scans = sorted(set(re.findall(r"Seq Scan on (\w+)", result.plan)))
    return result


def _until_nothing_new(sweep) -> None:
    """Work off the backlog (BATCH rows per run) as beat would over a few ticks."""
    while sweep():
        pass


def scenarios(now: datetime) -> list[Scenario]:
    from zorgtafel.followup import sweeps
    from zorgtafel.meetings import reminders

    # 08:00 Amsterdam: every reminder, due-day notice and escalation of the day falls due at
    # once; the sweep takes SWEEP_LIMIT of them per run. 17:00: the minutes reminders.
    peak = datetime.combine((now + timedelta(days=1)).date(), wall(7, 0), tzinfo=timezone.utc)
    minutes_peak = datetime.combine((now + timedelta(days=1)).date(), wall(16, 0), tzinfo=timezone.utc)
    # in weging: the due predicate is status = 'in_weging' AND status_changed_at < cutoff; the
    # planner may serve it from either index, so the baseline drops both.
    in_weging = ("ix_case_file_status_changed", "ix_case_file_status")
    party = ("ix_involvement_organisation_id",)
    actions, minutes = ("ix_action_item_reminder_due",), ("ix_meeting_minutes_due",)
    return [
        Scenario("followup in_weging", "first run (backlog, BATCH rows)", in_weging,
                 r"INSERT INTO coordinator_task.*FROM case_file", sweeps.in_weging_too_long),
        Scenario("followup in_weging", "next run (nothing new)", in_weging,
                 r"INSERT INTO coordinator_task.*FROM case_file", sweeps.in_weging_too_long,
                 prepare=lambda: _until_nothing_new(sweeps.in_weging_too_long)),
        Scenario("followup party left", "first run (count + task)", party, r"FROM involvement", sweeps.parties_left),
        Scenario("followup party left", "next run (task exists)", party, r"coordinator_task.kind",
                 sweeps.parties_left, prepare=sweeps.parties_left, expect=("uq_coordinator_task_kind_subject",)),
        Scenario("meetings action reminders", f"a normal minute ({QUIET_ACTIONS} due)", actions,
                 r"FROM action_item.*FOR UPDATE", lambda: reminders.sweep_action_reminders(now=now)),
        Scenario("meetings action reminders", "08:00 burst (SWEEP_LIMIT of the day's)", actions,
                 r"FROM action_item.*FOR UPDATE", lambda: reminders.sweep_action_reminders(now=peak)),
        # what a smaller batch per tick would cost (the sweep takes ``limit``; beat passes none)
        Scenario("meetings action reminders", "08:00 burst, limit=60 per run", actions,
                 r"FROM action_item.*FOR UPDATE", lambda: reminders.sweep_action_reminders(now=peak, limit=60)),
        Scenario("meetings minutes reminders", f"a normal minute ({QUIET_MEETINGS} due)", minutes,
                 r"FROM meeting.*FOR UPDATE", lambda: reminders.sweep_minutes_reminders(now=now)),
        Scenario("meetings minutes reminders", "17:00 (the day's reminders)", minutes,
                 r"FROM meeting.*FOR UPDATE", lambda: reminders.sweep_minutes_reminders(now=minutes_peak)),
    ]


def report(rows: list[tuple[Scenario, Result, Result]], show_plans: bool) -> None:
    if show_plans:
        for scenario, indexed, base in rows:
            for label, result in (("WITH INDEX", indexed), (f"BASELINE: {', '.join(scenario.indexes)} dropped", base)):
                log(f"\n--- {scenario.sweep} — {scenario.case} — {label}")
                log(result.plan)
    log("\n=== sweeps: median wall time of one run (Python + SQL), and the due statement alone (EXPLAIN ANALYZE)")
    header = (f"{'sweep':<27} {'case':<38} {'rows':>5} {'indexed ms':>10} {'baseline ms':>11} {'ratio':>6}"
              f"   {'stmt ms':>8} {'base stmt':>9} {'ratio':>7}  index used / baseline seq scans")
    log(header)
    log("-" * len(header))
    for scenario, indexed, base in rows:
        ratio = base.median / indexed.median if indexed.median else float("nan")
        stmt_ratio = base.statement_ms / indexed.statement_ms if indexed.statement_ms else float("nan")
        flag = " " if indexed.median < 1000 else "!"
        log(f"{scenario.sweep:<27} {scenario.case:<38} {indexed.handled:>5} {indexed.median:>9.1f}{flag} "
            f"{base.median:>11.1f} {ratio:>5.1f}x   {indexed.statement_ms:>8.2f} {base.statement_ms:>9.2f} "
            f"{stmt_ratio:>6.1f}x  {'yes' if indexed.uses_index else 'NO'} / {', '.join(base.seq_scans) or '-'}")
    slow = [s for s, r, _ in rows if r.median >= 1000]
    log("\nall sweeps under a second with their indexes" if not slow else
        "\nOVER A SECOND: " + "; ".join(f"{s.sweep} ({s.case})" for s in slow))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin-url", default=os.environ.get("ZORGTAFEL_BENCH_ADMIN_URL")
                        or os.environ.get("ZORGTAFEL_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL URL of a role that may CREATE DATABASE")
    parser.add_argument("--redis-url", default=os.environ.get("ZORGTAFEL_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--actions", type=int, default=1_000_000)
    parser.add_argument("--meetings", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per scenario (after one warm-up)")
    parser.add_argument("--no-plans", action="store_true", help="only the table, not the EXPLAIN output")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)

    app = None
    name, url = create_database(args.admin_url)
    log(f"scratch database {name}")
    try:
        app = make_app(url, args.redis_url)
        with app.app_context():
            from flask_migrate import upgrade

            started = time.perf_counter()
            upgrade()
            log(f"  {'migrations (alembic head)':<28} {'':>10}       {time.perf_counter() - started:6.1f} s")
        now = datetime.now(timezone.utc).replace(microsecond=0)
        sizes = generate(app, args.cases, args.actions, args.meetings, now)
        log("\n=== data")
        for table, (n, size) in sizes.items():
            log(f"  {table:<20} {n:>10,} rows  {size:>8}")
        rows = []
        for scenario in scenarios(now):
            indexed = measure(app, scenario, baseline=False, repeat=args.repeat)
            base = measure(app, scenario, baseline=True, repeat=args.repeat)
            rows.append((scenario, indexed, base))
        report(rows, show_plans=not args.no_plans)
    finally:
        if args.keep:
            log(f"\nkept: {url}")
        else:
            from zorgtafel.extensions import db

            if app is not None:
                with app.app_context():
                    db.engine.dispose()
            drop_database(args.admin_url, name)
            log(f"\ndropped {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
