"""Issue 8, end to end: a real ``celery -A worker beat`` (redbeat) and a real worker, with the
test-only ``BEAT_EVERY_SECONDS`` hook making every beat entry fire each second. Beat-driven
sweeps put exactly one task per condition on the queue however often they run, an event
(a match registered through the API) gives one task, and every task is closed by the
system when its reason is resolved through the API.

Nothing here sleeps a fixed time: each step polls the database or the worker's log (how many
sweeps have finished) with a timeout."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from tests.helpers.people import bsn, token_for
from tests.helpers.worker import (  # noqa: F401 - fixtures
    ROOT, CeleryWorker, committed, forget_keys, smtp_server, wait_drained, wait_until, worker_config,
)
from worker import beat_schedule
from worker.schedule import BEAT_SCHEDULE
from zorgtafel.core.timeutil import today_local
from zorgtafel.extensions import db
from zorgtafel.followup.models import CoordinatorTask

EVERY = 1.0  # seconds between two runs of every beat entry, in this test only
FOLLOWUP_SWEEP = "zorgtafel.followup.sweep"
ACTION_SWEEP = "zorgtafel.meetings.sweep_action_reminders"


class CeleryBeat:
    """``python -m celery -A worker beat`` (the RedBeat scheduler from the app's config) in
    its own process group, configured like the session's worker plus BEAT_EVERY_SECONDS."""

    def __init__(self, config: dict, log_dir):
        self.config = config
        self.log_path = log_dir / f"beat-{config['CELERY_QUEUE']}.log"
        self.process: subprocess.Popen | None = None

    def launch(self) -> "CeleryBeat":
        """Start the process without waiting: the worker starts meanwhile."""
        env = dict(os.environ, ZORGTAFEL_ENV="test", ZORGTAFEL_TEST_CONFIG=json.dumps(self.config))
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "worker", "beat", "--loglevel", "INFO",
                 "--max-interval", "1", "--schedule", str(self.log_path.with_suffix(".schedule"))],
                cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        return self

    def wait_ready(self, timeout: float = 30) -> None:
        wait_until(self._ready, timeout, interval=0.05, message=f"beat to take the redbeat lock ({self.log_path})")

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"beat exited with {self.process.returncode}:\n{self.log()}")
        return b"beat: Acquired lock" in self.log_path.read_bytes()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        """SIGTERM: beat closes its scheduler and releases the redbeat lock."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


@pytest.fixture(scope="module")
def worker_and_beat(app, services, database_url, smtp_server):
    """A worker and a beat of this session, started side by side (each builds the app)."""
    config = worker_config(services, database_url, smtp_server)
    beat = CeleryBeat({**config, "BEAT_EVERY_SECONDS": EVERY}, services.tmp).launch()
    worker = CeleryWorker(config, services.tmp, concurrency=2)
    try:
        worker.start()
        beat.wait_ready()
        yield worker, beat
    finally:
        beat.stop()
        worker.stop()
        forget_keys(app)


@pytest.fixture
def running(app, worker_and_beat):
    """Requested after ``committed``: beat stops, and the worker finishes what beat sent,
    before the tables are emptied (a sweep racing the TRUNCATE could deadlock it)."""
    worker, beat = worker_and_beat
    yield worker
    beat.stop()
    wait_drained(app)


def succeeded(worker, task: str) -> int:
    log = worker.log_path.read_text(errors="replace")
    return sum(1 for line in log.splitlines() if f"Task {task}[" in line and " succeeded in " in line)


def wait_runs(worker, more: int, *tasks: str, timeout: float = 20) -> None:
    """Wait until the worker has finished ``more`` further runs of each of ``tasks``: beat
    has ticked at least that often since now."""
    start = {task: succeeded(worker, task) for task in tasks}
    wait_until(lambda: all(succeeded(worker, t) >= n + more for t, n in start.items()), timeout, interval=0.1,
               message=f"{more} more runs of {', '.join(tasks)} (log {worker.log_path})")


def tasks_of(app, kind: str, case_id: int | None = None) -> list[CoordinatorTask]:
    with app.app_context():
        query = select(CoordinatorTask).where(CoordinatorTask.kind == kind)
        if case_id is not None:
            query = query.where(CoordinatorTask.case_id == case_id)
        rows = db.session.scalars(query.order_by(CoordinatorTask.id)).all()
        db.session.expunge_all()
        return rows


def sql(app, statement: str, **params):
    with app.app_context():
        result = db.session.execute(text(statement), params)
        value = result.scalar() if result.returns_rows else None
        db.session.commit()
        return value


def signal_body(subject: dict, category: str = "wegloopgedrag", urgency: str = "midden") -> dict:
    return {"subject": subject, "subject_role": "jongere", "category": category, "data_category": "signaal",
            "observed_on": (today_local() - timedelta(days=2)).isoformat(), "urgency": urgency, "description": ""}


def test_the_test_hook_is_ignored_outside_tests():
    assert beat_schedule({"ZORGTAFEL_ENV": "production", "BEAT_EVERY_SECONDS": 1}) is BEAT_SCHEDULE
    assert beat_schedule({"ZORGTAFEL_ENV": "test"}) is BEAT_SCHEDULE
    fast = beat_schedule({"ZORGTAFEL_ENV": "test", "BEAT_EVERY_SECONDS": 2})
    assert set(fast) == set(BEAT_SCHEDULE) and {e["schedule"] for e in fast.values()} == {2.0}
    assert all(fast[n]["task"] == e["task"] and fast[n].get("options") == e.get("options")
               for n, e in BEAT_SCHEDULE.items())
    assert not isinstance(BEAT_SCHEDULE["followup-sweep"]["schedule"], float)  # the real one is untouched


@pytest.mark.worker
@pytest.mark.committed
def test_beat_and_worker_keep_one_task_per_condition(app, committed, world, client, running):
    worker = running
    school, police, coordinator = (token_for(app, a) for a in (world.school, world.police, world.coordinator))

    # -- conditions no event announces: a case in weging for weeks, an actiepunt overdue --
    created = client.post("/api/v1/signals", json=signal_body({"bsn": bsn()}), headers=school)
    assert created.status_code == 201, created.json
    weighing = created.json["case"]["reference"]
    assert client.post(f"/api/v1/cases/{weighing}/status", json={"status": "in_weging", "note": ""},
                       headers=coordinator).status_code == 200
    action = client.post("/api/v1/actions", headers=coordinator, json={
        "case": weighing, "title": "Gesprek met de mentor", "assignee": world.school.email,
        "due_on": (today_local() + timedelta(days=1)).isoformat()})
    assert action.status_code == 201, action.json
    action_id = action.json["id"]
    # Time has passed: in weging since five weeks, the action was due last week and its
    # escalation moment has come (what arm() stores, moved back in SQL).
    case_id = sql(app, "SELECT id FROM case_file WHERE reference = :r", r=weighing)
    sql(app, "UPDATE case_file SET status_changed_at = now() - interval '35 days' WHERE id = :c", c=case_id)
    sql(app, "UPDATE case_status_change SET at = now() - interval '35 days' WHERE case_id = :c", c=case_id)
    sql(app, "UPDATE action_item SET due_on = :d, remind_at = NULL, due_remind_at = NULL, "
             "escalate_at = now() - interval '1 hour', next_reminder_at = now() - interval '1 hour' WHERE id = :a",
        d=today_local() - timedelta(days=7), a=action_id)

    wait_until(lambda: tasks_of(app, "in_weging_te_lang", case_id) and tasks_of(app, "actie_te_laat", case_id),
               20, interval=0.1, message="beat's sweeps to put both tasks on the queue")

    # -- an event: a second organisation's signal makes a match, registered through the API --
    subject = {"bsn": bsn()}
    assert client.post("/api/v1/signals", json=signal_body(subject), headers=school).status_code == 201
    second = client.post("/api/v1/signals", json=signal_body(subject, "veel_geld_op_zak", "hoog"), headers=police)
    assert second.status_code == 201 and second.json["match"] is True
    matched = second.json["case"]["reference"]
    matched_id = sql(app, "SELECT id FROM case_file WHERE reference = :r", r=matched)

    # several ticks of every sweep later, still exactly one task per condition
    wait_runs(worker, 3, FOLLOWUP_SWEEP, ACTION_SWEEP)
    [in_weging] = tasks_of(app, "in_weging_te_lang", case_id)
    [overdue] = tasks_of(app, "actie_te_laat", case_id)
    [match] = tasks_of(app, "match", matched_id)
    assert in_weging.status == overdue.status == match.status == "open"
    assert match.due_on == _working_days_ahead(1)  # urgency hoog: one working day
    assert overdue.subject == f"action:{action_id}:{today_local() - timedelta(days=7)}"
    assert sql(app, "SELECT count(*) FROM coordinator_task WHERE kind IN "
                    "('in_weging_te_lang', 'actie_te_laat', 'match')") == 3

    # -- resolved through the API: each closed by the system, with a note --
    assert client.patch(f"/api/v1/actions/{action_id}", json={"status": "afgerond", "note": "gesprek gevoerd"},
                        headers=school).status_code == 200
    for reference, steps in ((weighing, ["geagendeerd"]), (matched, ["in_weging", "geagendeerd"])):
        for status in steps:
            response = client.post(f"/api/v1/cases/{reference}/status", json={"status": status, "note": ""},
                                   headers=coordinator)
            assert response.status_code == 200, response.json
    wait_runs(worker, 2, FOLLOWUP_SWEEP, ACTION_SWEEP)
    closed = {kind: tasks_of(app, kind, cid) for kind, cid in
              (("in_weging_te_lang", case_id), ("actie_te_laat", case_id), ("match", matched_id))}
    for kind, rows in closed.items():
        assert len(rows) == 1, kind  # closed, and no sweep made a new one
        assert rows[0].status == "afgerond" and rows[0].closed_by_id is None and rows[0].closed_note, kind
    assert "geagendeerd" in closed["match"][0].closed_note
    with app.app_context():
        open_left = db.session.scalar(select(func.count()).select_from(CoordinatorTask).where(
            CoordinatorTask.kind.in_(closed), CoordinatorTask.status.in_(("open", "in_behandeling"))))
    assert open_left == 0


def _working_days_ahead(n: int):
    from zorgtafel.core.workdays import add_working_days

    return add_working_days(today_local(), n)
