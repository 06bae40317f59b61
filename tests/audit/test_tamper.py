"""Hypothesis-generated logs, tampered with as a superuser would (trigger disabled): every
kind of tampering is detected and the first broken entry is named."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.audit.conftest import Actor, as_superuser_without_trigger, entries
from zorgtafel.audit import operations as ops
from zorgtafel.audit.chain import CONTENT_FIELDS, GENESIS, canonical
from zorgtafel.extensions import db

ACTIONS = ["read", "register", "reveal", "login", "logout", "manage_users", "read_audit"]
OUTCOMES = ["allowed", "denied", "success", "failure"]
REFERENCES = [None, "ZT-AB12-CD34", "ZT-9XK2-77QA"]

event = st.fixed_dictionaries({
    "actor": st.builds(Actor, id=st.integers(1, 50), organisation_id=st.integers(1, 5),
                       roles=st.lists(st.sampled_from(["professional", "privacy", "zorgcoordinator"]), max_size=2)),
    "action": st.sampled_from(ACTIONS),
    "outcome": st.sampled_from(OUTCOMES),
    "case_reference": st.sampled_from(REFERENCES),
    "object_id": st.none() | st.integers(1, 10**6),
    "reason": st.none() | st.text(max_size=30),
})
logs = st.lists(event, min_size=1, max_size=12)

# Each edit makes the field differ from whatever it held.
EDITS = {
    "time": "time + interval '1 microsecond'",
    "user_id": "coalesce(user_id, 0) + 1",
    "organisation_id": "coalesce(organisation_id, 0) + 1",
    "roles": "array_append(coalesce(roles, '{}'), 'beheerder')",
    "action": "action || 'x'",
    "outcome": "CASE outcome WHEN 'denied' THEN 'allowed' ELSE 'denied' END",
    "case_reference": "CASE WHEN case_reference = 'ZT-0000-0001' THEN 'ZT-0000-0002' ELSE 'ZT-0000-0001' END",
    "object_id": "coalesce(object_id, '') || '0'",
    "reason": "coalesce(reason, '') || ' '",
    "basis_article": "coalesce(basis_article, '') || '.1'",
    "client_ip": "coalesce(client_ip, '') || '1'",
    "prev_hash": "repeat('f', 64)",
    "hash": "repeat('e', 64)",
    "seq": "seq + 1000",
}
HEALTH = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _fresh_chain(log, anchor_path) -> int:
    db.session.rollback()  # an example that failed must not poison the next one
    as_superuser_without_trigger("DELETE FROM audit_entry; DELETE FROM audit_checkpoint")
    anchor_path.unlink(missing_ok=True)
    for e in log:
        ops.record(e["actor"], e["action"], outcome=e["outcome"], case_reference=e["case_reference"],
                   object_type="signal", object_id=e["object_id"], reason=e["reason"])
    db.session.commit()
    assert ops.anchor_head() is not None  # the beat task's work, just before the attack
    assert ops.verify().ok
    return len(log)


def _move(seq_from: int, seq_to: int) -> str:
    return f"UPDATE audit_entry SET seq = {seq_to} WHERE seq = {seq_from};"


def _shift_up_from(k: int) -> str:
    # Through negative numbers: the primary key is checked row by row.
    return (f"UPDATE audit_entry SET seq = -seq - 1 WHERE seq >= {k};"
            f"UPDATE audit_entry SET seq = -seq WHERE seq < 0;")


def _assert_broken_at(expected: int) -> None:
    verdict = ops.verify(batch_size=100)
    assert not verdict.ok
    assert verdict.broken_seq == expected, verdict.line()
    assert verdict.line().startswith(f"BROKEN at entry {expected}: ")


@HEALTH
@given(log=logs, data=st.data())
def test_untouched_chain_verifies(ctx, anchor_path, log, data):
    n = _fresh_chain(log, anchor_path)
    verdict = ops.verify(batch_size=100)
    assert verdict.ok and verdict.count == n and verdict.line() == f"OK {n} entries"


@HEALTH
@given(log=logs, data=st.data())
def test_edited_field(ctx, anchor_path, log, data):
    n = _fresh_chain(log, anchor_path)
    k = data.draw(st.integers(1, n))
    column = data.draw(st.sampled_from(sorted(EDITS)))
    as_superuser_without_trigger(f"UPDATE audit_entry SET {column} = {EDITS[column]} WHERE seq = :k", k=k)
    _assert_broken_at(k)


@HEALTH
@given(log=logs, data=st.data())
def test_deleted_row(ctx, anchor_path, log, data):
    n = _fresh_chain(log, anchor_path)
    k = data.draw(st.integers(1, n))
    as_superuser_without_trigger("DELETE FROM audit_entry WHERE seq = :k", k=k)
    _assert_broken_at(k)  # the last one is a truncated tail, caught by the anchor


@HEALTH
@given(log=logs.filter(lambda log: len(log) >= 2), data=st.data())
def test_swapped_rows(ctx, anchor_path, log, data):
    n = _fresh_chain(log, anchor_path)
    k = data.draw(st.integers(1, n - 1))
    as_superuser_without_trigger(_move(k, -1) + _move(k + 1, k) + _move(-1, k + 1))
    _assert_broken_at(k)


@HEALTH
@given(log=logs, data=st.data())
def test_inserted_row(ctx, anchor_path, log, data):
    n = _fresh_chain(log, anchor_path)
    k = data.draw(st.integers(1, n + 1))
    copy_of = data.draw(st.none() | st.integers(1, n))
    rows = entries()
    if copy_of is not None:  # a replayed genuine entry, hash and all
        forged = rows[copy_of - 1]
        values = {c.name: getattr(forged, c.key) for c in forged.__table__.columns}
    else:  # a fabricated one that links to its predecessor but lacks the key
        values = {c.name: getattr(rows[0], c.key) for c in rows[0].__table__.columns}
        values.update(action="read", reason="alles in orde", seq=k,
                      prev_hash=rows[k - 2].hash if k > 1 else GENESIS)
        content = {name: values[name] for name in CONTENT_FIELDS}
        values["hash"] = hmac.new(b"guessed-key", canonical(content), hashlib.sha256).hexdigest()
    values["seq"] = k
    columns = ", ".join(values)
    as_superuser_without_trigger(_shift_up_from(k) + f"INSERT INTO audit_entry ({columns}) VALUES "
                                 f"({', '.join(':' + c for c in values)})", **values)
    # A copy of entry k put back at k *is* entry k; the break is the renumbered original.
    _assert_broken_at(k + 1 if copy_of == k else k)


@HEALTH
@given(log=logs, data=st.data())
def test_truncated_tail(ctx, anchor_path, log, data):
    n = _fresh_chain(log, anchor_path)
    t = data.draw(st.integers(1, n))
    as_superuser_without_trigger("DELETE FROM audit_entry WHERE seq > :keep", keep=n - t)
    _assert_broken_at(n - t + 1)


def test_truncated_tail_needs_the_anchor(ctx, anchor_path):
    """Without an anchor a cut-off tail looks like a shorter chain: why beat anchors."""
    _fresh_chain([{"actor": Actor(), "action": "read", "outcome": "allowed", "case_reference": None,
                   "object_id": i, "reason": None} for i in range(3)], anchor_path)
    as_superuser_without_trigger("DELETE FROM audit_entry WHERE seq = 3")
    anchor_path.unlink()
    assert ops.verify().line() == "OK 2 entries"


def test_verify_streams_in_batches(ctx, anchor_path, monkeypatch):
    """Batches smaller than the chain still see every link across the batch borders."""
    _fresh_chain([{"actor": Actor(), "action": "read", "outcome": "allowed", "case_reference": None,
                   "object_id": i, "reason": None} for i in range(250)], anchor_path)
    assert ops.verify(batch_size=100).line() == "OK 250 entries"
    as_superuser_without_trigger("UPDATE audit_entry SET prev_hash = repeat('0', 64) WHERE seq = 201")
    assert ops.verify(batch_size=100).broken_seq == 201
    db.session.execute(text("SELECT 1"))
