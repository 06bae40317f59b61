"""The hash chain: canonical serialisation, appending under one lock, and verification.

Appending is deferred to commit. ``record`` only queues an entry on the session; at
``before_commit`` the queue is chained and inserted while holding a transaction-level
advisory lock. Taking the lock at ``record`` time would hold it for the rest of the
request (template rendering included) and serialise every request that logs anything;
this way it is held for the insert and the COMMIT only. The lock is released by the
commit itself, so no second writer can read a head that is not yet committed: the chain
cannot fork, and a rolled-back transaction leaves neither an entry nor a gap.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import timezone

from flask import current_app
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from zorgtafel.audit.models import AuditCheckpoint, AuditEntry

GENESIS = "0" * 64
#: pg_advisory_xact_lock key of the chain; migration 0003's audit_purge() uses the same.
LOCK_KEY = 75130001
_PENDING = "zorgtafel_audit_pending"

#: every column the HMAC covers: all of them but ``hash`` itself.
CONTENT_FIELDS = (
    "seq", "time", "user_id", "organisation_id", "roles", "on_behalf_of", "action", "outcome",
    "case_reference", "object_type", "object_id", "basis_key", "basis_version", "basis_article",
    "reason", "request_id", "client_ip", "prev_hash",
)


def canonical(content: dict) -> bytes:
    """Sorted, whitespace-free JSON of ``content`` (the CONTENT_FIELDS); time as UTC with
    microseconds, whatever time zone the database connection returned it in."""
    content = dict(content)
    content["time"] = content["time"].astimezone(timezone.utc).isoformat(timespec="microseconds")
    content["roles"] = list(content["roles"]) if content["roles"] is not None else None
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_of(entry: AuditEntry) -> dict:
    return {name: getattr(entry, name) for name in CONTENT_FIELDS}


def entry_hash(content: dict, key: str | bytes) -> str:
    if isinstance(key, str):
        key = key.encode("utf-8")
    return hmac.digest(key, canonical(content), "sha256").hex()  # the one-shot C path


# -- appending ---------------------------------------------------------------------------


def enqueue(session: Session, entry: AuditEntry) -> None:
    """Queue ``entry`` for the chain; it is remembered with the innermost transaction so
    that rolling back a savepoint drops exactly the entries recorded inside it."""
    # Begin the transaction now if none is open, or a rollback before any SQL would find
    # nothing to roll back and the entry would survive into the next transaction.
    owner = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_PENDING, []).append((entry, owner))


def head(session: Session) -> tuple[int, str]:
    """(seq, hash) the next entry follows: the newest entry, else the latest purge
    checkpoint, else the genesis."""
    row = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    if row is None:
        row = session.execute(
            select(AuditCheckpoint.seq, AuditCheckpoint.hash).order_by(AuditCheckpoint.seq.desc()).limit(1)
        ).first()
    return (row.seq, row.hash) if row is not None else (0, GENESIS)


def append_pending(session: Session) -> None:
    """Chain and insert the queued entries now (lock held until this transaction ends)."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    key = current_app.config["AUDIT_KEY"]
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    seq, prev = head(session)  # read committed: after the lock this is the committed head
    for entry, _owner in pending:
        seq += 1
        entry.seq = seq
        entry.prev_hash = prev
        entry.hash = prev = entry_hash(content_of(entry), key)
    session.add_all(entry for entry, _owner in pending)
    session.flush()


@event.listens_for(Session, "before_commit")
def _append_before_commit(session: Session) -> None:
    if session.get_nested_transaction() is None:  # releasing a savepoint is not the commit
        append_pending(session)


@event.listens_for(Session, "do_orm_execute")
def _append_before_reading_the_log(state) -> None:
    # A transaction that reads the log sees its own entries, as it would any other row.
    if _PENDING in state.session.info and state.is_select and _reads_log(state.statement):
        append_pending(state.session)


def _reads_log(statement) -> bool:
    try:
        froms = list(statement.get_final_froms())
    except AttributeError:
        return False
    while froms:
        f = froms.pop()
        if hasattr(f, "left"):  # a join: look at both sides
            froms += [f.left, f.right]
        elif getattr(getattr(f, "element", f), "name", None) == AuditEntry.__tablename__:
            return True
    return False


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
        return
    session.info[_PENDING] = [(e, owner) for e, owner in pending if not _within(owner, previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _drop_on_close(session: Session, transaction) -> None:
    # A session closed without commit (request teardown) takes its queue with it.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _within(owner, transaction) -> bool:
    while owner is not None:
        if owner is transaction:
            return True
        owner = owner.parent
    return False


# -- verification ----------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    broken_seq: int | None = None
    reason: str = ""

    def line(self) -> str:
        if self.ok:
            return f"OK {self.count} entries"
        return f"BROKEN at entry {self.broken_seq}: {self.reason}"


# Core columns, read as plain tuples: verification is a hot loop over the whole table.
_TABLE = AuditEntry.__table__
_COLUMNS = [_TABLE.c[name] for name in CONTENT_FIELDS] + [_TABLE.c.hash]
_N = len(CONTENT_FIELDS)


def verify(session: Session, key: str, anchor: Anchor | None = None, batch_size: int = 5000) -> Verdict:
    """Walk the chain in keyset batches (constant memory) and name the first broken entry.

    Per entry: its seq is the next one (a gap is a deleted or moved row), its prev_hash is
    the previous entry's hash (swapped or inserted rows), its HMAC matches its content (an
    edited field). At the end: the last anchor is not beyond the head (a truncated tail),
    and a purge checkpoint is confirmed by the chained entry the purge wrote.
    """
    checkpoint = session.execute(
        select(AuditCheckpoint.seq, AuditCheckpoint.hash).order_by(AuditCheckpoint.seq.desc()).limit(1)
    ).first()
    expected, prev = (checkpoint.seq + 1, checkpoint.hash) if checkpoint else (1, GENESIS)
    purge_marker = f"{checkpoint.seq}:{checkpoint.hash}" if checkpoint else None
    purge_confirmed = checkpoint is None
    count, last = 0, 0

    def broken(seq: int, reason: str) -> Verdict:
        return Verdict(False, count, seq, reason)

    key_bytes = key.encode("utf-8") if isinstance(key, str) else key
    while True:
        rows = session.execute(
            select(*_COLUMNS).where(_TABLE.c.seq > last).order_by(_TABLE.c.seq).limit(batch_size)
        ).all()
        if not rows:
            break
        for row in rows:
            content = dict(zip(CONTENT_FIELDS, row[:_N]))
            seq, stored_hash = content["seq"], row[_N]
            if seq > expected:
                return broken(expected, f"entry is missing (the next stored entry is {seq})")
            if seq < expected:
                return broken(seq, f"entry lies before the purge checkpoint at {expected - 1}")
            if content["prev_hash"] != prev:
                return broken(seq, "prev_hash does not match the previous entry (inserted, removed or swapped row)")
            if not hmac.compare_digest(entry_hash(content, key_bytes), stored_hash):
                return broken(seq, "hash does not match the content (edited field or forged entry)")
            if anchor is not None and seq == anchor.seq and stored_hash != anchor.hash:
                return broken(seq, f"hash differs from the anchor of {anchor.at}")
            if content["action"] == "audit_purge" and content["object_id"] == purge_marker:
                purge_confirmed = True
            prev, expected, count = stored_hash, expected + 1, count + 1
        last = rows[-1][0]

    if anchor is not None and anchor.seq >= expected:
        return broken(expected, f"chain ends at {expected - 1} but was anchored at {anchor.seq} on {anchor.at} "
                                f"(truncated tail)")
    if not purge_confirmed:
        return broken(checkpoint.seq + 1, "purge checkpoint has no matching audit_purge entry in the chain")
    return Verdict(True, count)
