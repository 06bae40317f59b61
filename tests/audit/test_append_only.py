"""The log cannot be changed: the application's role lacks the privileges, the owner is
stopped by the trigger, and retention has one controlled path that keeps the chain
verifiable."""

from __future__ import annotations

from datetime import timedelta

import psycopg.errors
import pytest
import time_machine
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.audit.conftest import Actor, as_superuser_without_trigger, entries, fill
from zorgtafel.audit import operations as ops
from zorgtafel.audit.models import AuditCheckpoint
from zorgtafel.core.models import utcnow
from zorgtafel.extensions import db

APP_ROLE = "zorgtafel_app"


def _run(sql: str, role: str | None = None):
    """Run ``sql`` in a savepoint (as ``role`` if given); return the database error or None."""
    savepoint = db.session.begin_nested()
    try:
        if role:
            db.session.execute(text(f"SET LOCAL ROLE {role}"))
        db.session.execute(text(sql))
    except DBAPIError as exc:
        savepoint.rollback()
        return exc.orig
    savepoint.rollback()  # a statement that worked must not change the test's data either
    return None


@pytest.mark.parametrize("sql", [
    "UPDATE audit_entry SET reason = 'niets gezien' WHERE seq = 1",
    "DELETE FROM audit_entry WHERE seq = 1",
    "TRUNCATE audit_entry",
    "INSERT INTO audit_checkpoint (seq, hash, deleted, days) VALUES (5, repeat('a', 64), 5, 1)",
    "DELETE FROM audit_checkpoint",
])
def test_app_role_may_not_change_the_log(ctx, sql):
    fill(2)
    error = _run(sql, role=APP_ROLE)
    assert isinstance(error, psycopg.errors.InsufficientPrivilege), error


def test_app_role_may_read_append_and_purge(ctx):
    fill(2)
    assert _run("SELECT count(*) FROM audit_entry", role=APP_ROLE) is None
    assert _run("SELECT count(*) FROM audit_checkpoint", role=APP_ROLE) is None
    assert _run("INSERT INTO audit_entry (seq, time, action, outcome, prev_hash, hash) "
                "VALUES (3, now(), 'read', 'allowed', repeat('0', 64), repeat('0', 64))", role=APP_ROLE) is None
    assert _run("SELECT * FROM audit_purge(1825)", role=APP_ROLE) is None


@pytest.mark.parametrize("sql", [
    "UPDATE audit_entry SET reason = 'niets gezien' WHERE seq = (SELECT max(seq) FROM audit_entry)",
    "DELETE FROM audit_entry WHERE seq = (SELECT max(seq) FROM audit_entry)",
    "TRUNCATE audit_entry",
    "UPDATE audit_checkpoint SET days = 1",
    "DELETE FROM audit_checkpoint",
    "TRUNCATE audit_checkpoint",
])
def test_owner_is_stopped_by_the_trigger(ctx, sql):
    _old_and_new(days_ago=10, old=2, new=2)
    ops.purge_older_than(5)  # so that there is a checkpoint row to attack too
    db.session.commit()
    error = _run(sql)  # the test connects as the owner (a superuser, even)
    assert error is not None and "alleen-toevoegen" in str(error)


def _old_and_new(days_ago: int, old: int, new: int) -> None:
    with time_machine.travel(utcnow() - timedelta(days=days_ago), tick=False):
        fill(old, action="read")
    fill(new, action="register")


def test_purge_deletes_only_old_entries_and_verification_still_holds(ctx, anchor_path):
    _old_and_new(days_ago=10, old=4, new=3)
    assert ops.anchor_head().seq == 7
    assert ops.purge_older_than(5) == 4
    db.session.commit()
    remaining = entries()
    assert [e.seq for e in remaining] == [5, 6, 7, 8]
    checkpoint = db.session.scalars(select(AuditCheckpoint)).one()
    assert (checkpoint.seq, checkpoint.deleted, checkpoint.days) == (4, 4, 5)
    assert remaining[0].prev_hash == checkpoint.hash
    purge = remaining[-1]
    assert (purge.action, purge.object_id, purge.user_id) == ("audit_purge", f"4:{checkpoint.hash}", None)
    assert ops.verify().line() == "OK 4 entries"
    assert ops.purge_older_than(5) == 0  # nothing older left: no second checkpoint
    db.session.commit()
    assert ops.verify().ok


def test_purge_never_removes_the_head(ctx):
    _old_and_new(days_ago=10, old=3, new=0)
    assert ops.purge_older_than(5) == 2
    db.session.commit()
    assert [e.seq for e in entries()] == [3, 4]
    assert ops.verify().ok


def test_purge_refuses_less_than_a_day(ctx):
    with pytest.raises(ValueError):
        ops.purge_older_than(0)
    assert "at least 1" in str(_run("SELECT * FROM audit_purge(0)"))


def test_tampering_after_a_purge_is_still_found(ctx, anchor_path):
    _old_and_new(days_ago=10, old=3, new=3)
    ops.purge_older_than(5)
    db.session.commit()
    as_superuser_without_trigger("DELETE FROM audit_entry WHERE seq = 4")  # the first kept entry
    assert ops.verify().broken_seq == 4


def test_a_forged_checkpoint_is_found(ctx):
    """Deleting the oldest entries behind a hand-made checkpoint: no chained purge entry."""
    fill(5)
    first_kept = entries()[2]
    as_superuser_without_trigger(
        "INSERT INTO audit_checkpoint (seq, hash, deleted, days) VALUES (2, :hash, 2, 1);"
        "DELETE FROM audit_entry WHERE seq <= 2", hash=first_kept.prev_hash)
    verdict = ops.verify()
    assert not verdict.ok and verdict.broken_seq == 3 and "checkpoint" in verdict.reason


def test_record_after_everything_was_purged_continues_from_the_checkpoint(ctx):
    fill(3)
    as_superuser_without_trigger(
        "INSERT INTO audit_checkpoint (seq, hash, deleted, days) "
        "SELECT seq, hash, 3, 1 FROM audit_entry WHERE seq = 3;"
        "DELETE FROM audit_entry")
    ops.record(Actor(), "read", outcome="allowed")
    db.session.commit()
    assert [(e.seq, e.prev_hash) for e in entries()] == [(4, db.session.scalar(select(AuditCheckpoint.hash)))]
