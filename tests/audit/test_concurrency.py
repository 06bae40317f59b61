"""Concurrent writers on separate connections make one unbroken chain, and the chain lock
is held for the commit only, not for the whole transaction. These commit for real."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from tests.audit.conftest import Actor, entries
from tests.conftest import truncate_all
from zorgtafel.audit import operations as ops
from zorgtafel.audit.models import AuditEntry
from zorgtafel.extensions import db

pytestmark = pytest.mark.committed
WRITERS = 20
PER_WRITER = 10


@pytest.fixture
def committed_app(app, anchor_path):
    yield app
    truncate_all(app)


def _run_threads(target, count: int) -> None:
    errors: list[BaseException] = []

    def guarded(i):
        try:
            target(i)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors


def test_twenty_concurrent_writers_make_one_chain(committed_app):
    app = committed_app
    start = threading.Barrier(WRITERS)

    def writer(i: int) -> None:
        with app.app_context():
            start.wait()
            for j in range(PER_WRITER):
                ops.record(Actor(id=i + 1), "read", outcome="allowed", object_id=f"{i}-{j}")
                if j % 3 == 0:
                    db.session.rollback()  # a rollback among the writers leaves no gap
                else:
                    db.session.commit()

    _run_threads(writer, WRITERS)
    with app.app_context():
        found = entries()
        kept_per_writer = sum(1 for j in range(PER_WRITER) if j % 3)
        assert [e.seq for e in found] == list(range(1, WRITERS * kept_per_writer + 1))
        assert len({e.object_id for e in found}) == len(found)
        assert ops.anchor_head().seq == len(found)
        assert ops.verify().line() == f"OK {len(found)} entries"


def test_an_open_transaction_does_not_block_other_writers(committed_app):
    app = committed_app
    a_recorded, b_done = threading.Event(), threading.Event()

    def slow(_):
        with app.app_context():
            ops.record(Actor(id=1), "read", outcome="allowed", object_id="slow")
            db.session.execute(select(1))  # the transaction is really open on the server
            a_recorded.set()
            # Were the chain locked at record time, the fast writer could not commit now.
            assert b_done.wait(10), "the fast writer was blocked by an open transaction"
            db.session.commit()

    def fast(_):
        with app.app_context():
            assert a_recorded.wait(10)
            ops.record(Actor(id=2), "read", outcome="allowed", object_id="fast")
            db.session.commit()
            b_done.set()

    _run_threads(lambda i: (slow if i == 0 else fast)(i), 2)
    with app.app_context():
        assert [e.object_id for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq))] == \
            ["fast", "slow"]
        assert ops.verify().ok
