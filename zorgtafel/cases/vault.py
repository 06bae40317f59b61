"""The identity vault: the only place a name, birth date or BSN is kept, sealed with an
AES-GCM envelope (core.crypto). Rotation re-wraps data keys in batches, without downtime:
both the old and the new key-encryption key are configured while it runs."""

from __future__ import annotations

import json
from datetime import date

from flask import current_app
from sqlalchemy import select

from zorgtafel.cases.identity import SubjectKey
from zorgtafel.cases.models import IdentityVault
from zorgtafel.core.crypto import Envelope, Sealed
from zorgtafel.extensions import db


def _envelope() -> Envelope:
    return Envelope.from_spec(current_app.config["VAULT_KEY"])


def _context(subject_id: int) -> bytes:
    return f"subject:{subject_id}".encode()


def read(subject_id: int) -> dict:
    row = db.session.get(IdentityVault, subject_id)
    if row is None:
        return {}
    sealed = Sealed(row.kek_id, row.wrapped_key, row.nonce, row.ciphertext)
    return json.loads(_envelope().open(sealed, context=_context(subject_id)))


def store(subject_id: int, key: SubjectKey) -> None:
    """Add what this registration tells to the subject's sealed identity. What is known
    stays: a later registration fills gaps, it never overwrites (conflicts go to the
    coordinator as possible duplicates)."""
    identity = read(subject_id)
    given = {
        "bsn": key.bsn,
        "family_name": key.family_name,
        "given_names": key.given_names,
        "birth_date": key.birth_date.isoformat() if isinstance(key.birth_date, date) else None,
    }
    merged = {**{k: v for k, v in given.items() if v}, **identity}
    if merged == identity:
        return
    sealed = _envelope().seal(json.dumps(merged, sort_keys=True).encode(), context=_context(subject_id))
    row = db.session.get(IdentityVault, subject_id)
    if row is None:
        row = IdentityVault(subject_id=subject_id)
        db.session.add(row)
    row.kek_id, row.wrapped_key, row.nonce, row.ciphertext = (sealed.kek_id, sealed.wrapped_key, sealed.nonce,
                                                              sealed.ciphertext)
    db.session.flush()


def rotate(batch_size: int = 500) -> int:
    """Re-wrap every record not yet under the current KEK; commits per batch so a long
    rotation never holds locks for long. Returns how many records moved."""
    envelope = _envelope()
    moved = 0
    while True:
        rows = db.session.scalars(
            select(IdentityVault).where(IdentityVault.kek_id != envelope.current_kid)
            .limit(batch_size).with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return moved
        for row in rows:
            sealed = envelope.rewrap(Sealed(row.kek_id, row.wrapped_key, row.nonce, row.ciphertext))
            row.kek_id, row.wrapped_key = sealed.kek_id, sealed.wrapped_key
        moved += len(rows)
        db.session.commit()
