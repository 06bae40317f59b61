"""Writing the access log, purging it under the convenant's ``audit_log_days`` and
anchoring its head. Other packages call ``record`` from their operations; the policy's
decisions and the login events arrive through blinker signals (``init_app`` connects them).

Like every operation: an explicit actor (None for the system), flush at most, never commit.
"""

from __future__ import annotations

import logging
import re

from flask import current_app, g, has_request_context, request
from sqlalchemy import text

from zorgtafel.audit import anchors, chain
from zorgtafel.audit.models import OUTCOMES, AuditEntry
from zorgtafel.core.models import utcnow
from zorgtafel.extensions import db

log = logging.getLogger(__name__)

#: a case reference is pseudonym-derived (DESIGN); anything else, a name above all, is refused.
CASE_REFERENCE = re.compile(r"^ZT-[0-9A-Z]{4}-[0-9A-Z]{4}$")
#: allowed decisions not worth an entry: one's own account and overview hold no one else's data.
UNLOGGED_ALLOWED = frozenset({"personal"})
#: auth events → (action, reason shown for a failure)
AUTH_EVENTS = {
    "login": ("login", None),
    "login_password": ("login", "e-mailadres of wachtwoord onjuist, of account niet actief"),
    "login_second_factor": ("login", "tweede factor onjuist of al gebruikt"),
    "logout": ("logout", None),
    "user_created": ("user_created", None),
    "user_activated": ("user_activated", None),
    "user_deactivated": ("user_deactivated", None),
}


def record(actor, action: str, *, outcome: str, case_reference: str | None = None,
           object_type: str | None = None, object_id=None, basis=None, reason: str | None = None,
           on_behalf_of: int | None = None) -> AuditEntry:
    """Log one event in the caller's transaction.

    ``basis`` is the policy's ``Basis`` (convenant_key, version, article) or None;
    ``on_behalf_of`` the id of the partner organisation a coordinator acts for. The entry
    joins the chain when the transaction commits (its ``seq`` and ``hash`` are set then,
    or earlier if the transaction reads the log); a rollback discards it.
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; one of {', '.join(OUTCOMES)}")
    if not action:
        raise ValueError("an audit entry needs an action")
    if case_reference is not None and not CASE_REFERENCE.match(case_reference):
        raise ValueError("case_reference must be a case reference (ZT-XXXX-XXXX), never a name")
    entry = AuditEntry(
        time=utcnow(),
        user_id=getattr(actor, "id", None),
        organisation_id=getattr(actor, "organisation_id", None),
        roles=sorted(actor.roles) if getattr(actor, "roles", None) else None,
        on_behalf_of=on_behalf_of,
        action=action,
        outcome=outcome,
        case_reference=case_reference,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        basis_key=getattr(basis, "convenant_key", None),
        basis_version=getattr(basis, "version", None),
        basis_article=getattr(basis, "article", None),
        reason=reason,
        request_id=g.get("request_id") if has_request_context() else None,
        client_ip=request.remote_addr if has_request_context() else None,
    )
    for column in ("action", "object_type", "object_id", "basis_key", "basis_article", "reason", "request_id"):
        value = getattr(entry, column)
        if value is not None and "\x00" in value:
            # PostgreSQL text cannot hold NUL: the commit, and with it the logged action, would fail.
            setattr(entry, column, value.replace("\x00", "\ufffd"))
    chain.enqueue(db.session(), entry)
    return entry


def describe(target) -> tuple[str | None, str | None, str | None]:
    """(case_reference, object_type, object_id) of a policy target.

    The policy's ``Target`` carries these fields for the log; a domain object is asked for
    its ``policy_target()`` first, the same way the policy does. A bare object falls back
    to its table name and ``id``. Without any of that the endpoint is the object, so a
    denied page is still recognisable in the log.
    """
    as_target = getattr(target, "policy_target", None)
    if callable(as_target):
        target = as_target()
    if target is not None:
        object_type = getattr(target, "object_type", None) or getattr(target, "__tablename__", None)
        object_id = getattr(target, "object_id", None) or getattr(target, "id", None)
        case_reference = getattr(target, "case_reference", None)
        if case_reference or object_type or object_id:
            return case_reference, object_type, None if object_id is None else str(object_id)
    return None, "page", request.endpoint if has_request_context() else None


# -- signal receivers ----------------------------------------------------------------------


def on_decision(sender, *, actor, action, target, decision, **_):
    """Every denied decision, and every allowed one except one's own pages. The guard
    commits before answering 403, so a denial's entry stays."""
    if decision.allowed and action in UNLOGGED_ALLOWED:
        return
    case_reference, object_type, object_id = describe(target)
    record(actor, action, outcome="allowed" if decision.allowed else "denied", case_reference=case_reference,
           object_type=object_type, object_id=object_id, basis=decision.basis,
           reason=None if decision.allowed else (decision.reason or "geweigerd"))


def on_access(sender, *, actor, action, object_type, case_reference=None, object_id=None, **_):
    """An explicit access another room announces (a list, an inbox, a calendar file)."""
    record(actor, action, outcome="success", case_reference=case_reference, object_type=object_type,
           object_id=object_id)


def on_auth_event(sender, *, user, event, outcome, actor=None, **_):
    action, failure_reason = AUTH_EVENTS.get(event, (event, None))
    # A failed login has no authenticated actor; the account tried is the best we know.
    who = actor if actor is not None else (user if action == "login" else None)
    record(who, action, outcome=outcome, object_type="user_account" if user is not None else None,
           object_id=getattr(user, "id", None), reason=failure_reason if outcome == "failure" else None)


# -- retention and anchoring -----------------------------------------------------------------


def purge_older_than(days: int) -> int:
    """Delete the oldest entries older than ``days`` (the convenant's ``audit_log_days``)
    through the database function ``audit_purge``, the only path past the append-only
    trigger. It writes a checkpoint (the seq and hash the chain continues from); this
    records the purge itself in the chain, which is what makes the checkpoint trustworthy
    for ``verify``. Returns the number of entries deleted. The caller commits."""
    if int(days) < 1:
        raise ValueError("days must be at least 1")
    row = db.session.execute(text("SELECT checkpoint_seq, checkpoint_hash, deleted FROM audit_purge(:days)"),
                             {"days": int(days)}).one()
    if row.deleted:
        record(None, "audit_purge", outcome="success", object_type="audit_checkpoint",
               object_id=f"{row.checkpoint_seq}:{row.checkpoint_hash}",
               reason=f"{row.deleted} vermeldingen ouder dan {days} dagen verwijderd")
    return row.deleted


def anchor_head(path: str | None = None) -> chain.Anchor | None:
    """Write the head (seq, hash, time) to the anchor file — the committed head, as the
    beat task and the command run in a fresh transaction; idempotent: an
    unchanged head writes nothing. A head behind the last anchor is refused and logged,
    never anchored, so a truncation cannot be made to look normal."""
    seq, hash_ = chain.head(db.session())
    if seq == 0:
        return None
    try:
        return anchors.append(path or current_app.config["AUDIT_ANCHOR_PATH"], seq, hash_)
    except anchors.AnchorConflict:
        log.error("audit anchor refused", exc_info=True)
        raise


def verify(batch_size: int = 5000) -> chain.Verdict:
    """Verify the whole chain against the last anchor."""
    anchor = anchors.read_last(current_app.config["AUDIT_ANCHOR_PATH"])
    return chain.verify(db.session(), current_app.config["AUDIT_KEY"], anchor, batch_size=batch_size)
