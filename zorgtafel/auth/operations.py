"""Business rules of accounts and login. Functions take an explicit actor (None for the
operator's command line) and flush; the caller commits."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from sqlalchemy import event, func, select, update

from zorgtafel.auth.models import ROLES, ApiToken, AuthSession, Organisation, RecoveryCode, User
from zorgtafel.core.crypto import Envelope, Sealed
from zorgtafel.core.models import utcnow
from zorgtafel.core.signals import auth_event
from zorgtafel.extensions import db

hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against for unknown e-mail addresses so both paths cost one argon2 verify.
_DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 12
RECOVERY_CODES = 10
TOTP_ISSUER = "Zorgtafel"
#: Separation of duties: the functional administrator manages accounts, organisations and
#: convenants and sees no case content; combined with a working role that would no longer hold.
SOLE_ROLE = "beheerder"
SOLE_ROLE_MESSAGE = ("De rol beheerder gaat niet samen met een andere rol (scheiding van functies): een beheerder "
                     "beheert accounts en ziet geen casussen. Maak voor het andere werk een apart account.")
log = logging.getLogger(__name__)


class AccountError(ValueError):
    """A Dutch message that may be shown to the person who caused it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _envelope() -> Envelope:
    return Envelope.from_spec(current_app.config["VAULT_KEY"])


def _log_auth_event(sender, user=None, event: str = "", outcome: str = "", actor=None, **_ignored) -> None:
    """One JSON line per account event for operations (the audit log keeps its own record).
    Ids only: never the e-mail address or name that was typed or stored."""
    log.info(f"auth.{event}", extra={"outcome": outcome, "user_id": getattr(user, "id", None),
                                     "actor_id": getattr(actor, "id", None)})


auth_event.connect(_log_auth_event, weak=False)


# -- users ---------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"Kies een wachtwoord van minstens {MIN_PASSWORD} tekens.", "password")
    if len(set(password)) < 5:
        raise AccountError("Dit wachtwoord is te eenvoudig; gebruik meer verschillende tekens.", "password")


def check_roles(roles) -> None:
    """Known roles only, at least one, and ``beheerder`` never together with another role."""
    roles = set(roles or ())
    if not roles:
        raise AccountError("Kies minstens één rol.", "role")
    unknown = sorted(r for r in roles if r not in ROLES)
    if unknown:
        raise AccountError(f"Onbekende rol {unknown[0]!r}; kies uit {', '.join(ROLES)}.", "role")
    if SOLE_ROLE in roles and len(roles) > 1:
        raise AccountError(SOLE_ROLE_MESSAGE, "role")


@event.listens_for(User.roles, "set", propagate=True)
def _roles_checked_wherever_set(target, value, oldvalue, initiator):
    # Wherever roles are set (create_user, a future role editor, a script): the same rules.
    check_roles(value)


def create_user(actor, *, email: str, name: str, organisation_key: str, roles: list[str],
                password: str | None = None) -> tuple[User, str | None]:
    """Create an account. Without a password, returns a one-time activation token."""
    email = normalise_email(email)
    if not EMAIL_RE.match(email):
        raise AccountError("Vul een geldig e-mailadres in.", "email")
    name = (name or "").strip()
    if not name:
        raise AccountError("Vul een naam in.", "name")
    check_roles(roles)
    organisation_key = (organisation_key or "").strip()
    if not organisation_key:
        raise AccountError("Kies een organisatie.", "organisation")
    organisation = db.session.scalar(select(Organisation).where(Organisation.key == organisation_key))
    if organisation is None:
        raise AccountError(f"Onbekende organisatie {organisation_key!r}.", "organisation")
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError("Er bestaat al een account met dit e-mailadres.", "email")
    user = User(email=email, name=name, organisation=organisation, roles=sorted(set(roles)), active=True)
    token = None
    if password is not None:
        check_password_strength(password)
        user.password_hash = hasher.hash(password)
    else:
        token = secrets.token_urlsafe(32)
        user.activation_token_hash = sha256(token)
        user.activation_expires_at = utcnow() + timedelta(days=7)
    db.session.add(user)
    db.session.flush()
    auth_event.send(current_app._get_current_object(), user=user, event="user_created", outcome="success",
                    actor=actor)
    return user, token


def activate(token: str, password: str) -> User:
    user = db.session.scalar(select(User).where(User.activation_token_hash == sha256(token or "")))
    if user is None or user.activation_expires_at is None or user.activation_expires_at < utcnow():
        raise AccountError("Deze activeringslink is ongeldig of verlopen. Vraag de beheerder om een nieuwe.")
    check_password_strength(password)
    user.password_hash = hasher.hash(password)
    user.activation_token_hash = None
    user.activation_expires_at = None
    db.session.flush()
    return user


def set_active(actor, user: User, active: bool) -> None:
    user.active = active
    user.deactivated_at = None if active else utcnow()
    if not active:
        end_all_sessions(user, reason="deactivated")
        db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                           .values(revoked_at=utcnow()))
    db.session.flush()
    auth_event.send(current_app._get_current_object(), user=user,
                    event="user_activated" if active else "user_deactivated", outcome="success", actor=actor)


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password_hash(user, current):
        raise AccountError("Het huidige wachtwoord klopt niet.", "current_password")
    check_password_strength(new)
    user.password_hash = hasher.hash(new)
    # A changed password ends every other session (a stolen one included); this one stays.
    current = user.auth_session.id if user.auth_session is not None else None
    db.session.execute(
        update(AuthSession).where(AuthSession.user_id == user.id, AuthSession.ended_at.is_(None),
                                  AuthSession.id != (current or 0))
        .values(ended_at=utcnow(), end_reason="password_changed")
    )
    db.session.flush()


# -- login, first factor -----------------------------------------------------------------


def verify_password_hash(user: User | None, password: str) -> bool:
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        ok = hasher.verify(stored, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    return ok and user is not None and user.password_hash is not None


def authenticate_password(email: str, password: str) -> User | None:
    """The user for a correct e-mail and password of an active account, else None.
    Unknown e-mail and wrong password take the same path and about the same time."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    ok = verify_password_hash(user, password)
    if ok and hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    if not ok or not user.active:
        auth_event.send(current_app._get_current_object(), user=user, event="login_password", outcome="failure",
                        actor=None)
        return None
    return user


# -- second factor -------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def _seal_secret(user_id: int, secret: str) -> bytes:
    sealed = _envelope().seal(secret.encode(), context=f"totp:{user_id}".encode())
    kid = sealed.kek_id.encode()
    return bytes([len(kid)]) + kid + bytes([len(sealed.wrapped_key)]) + sealed.wrapped_key + sealed.nonce + sealed.ciphertext


def _open_secret(user: User) -> str:
    raw = user.totp_secret_sealed
    n = raw[0]
    kid = raw[1:1 + n].decode()
    rest = raw[1 + n:]
    m = rest[0]
    wrapped, rest = rest[1:1 + m], rest[1 + m:]
    sealed = Sealed(kid, wrapped, rest[:12], rest[12:])
    return _envelope().open(sealed, context=f"totp:{user.id}".encode()).decode()


def _matching_counter(secret: str, code: str, at: float | None = None) -> int | None:
    """The TOTP time step a code belongs to (±1 step of clock drift), or None."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    now = int(at if at is not None else time.time())
    counter = now // totp.interval
    for step in (counter, counter - 1, counter + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enrol_totp(user: User, secret: str, code: str) -> list[str]:
    """Confirm enrolment with a first code; returns fresh recovery codes (shown once)."""
    step = _matching_counter(secret, code)
    if step is None:
        raise AccountError("Deze code klopt niet. Controleer de tijd op uw telefoon en probeer het opnieuw.", "code")
    user.totp_secret_sealed = _seal_secret(user.id, secret)
    user.totp_last_counter = step
    db.session.flush()
    return new_recovery_codes(user)


def verify_second_factor(user: User, code: str) -> bool:
    """A TOTP code (each works once) or an unused recovery code."""
    if not user.enrolled:
        return False
    step = _matching_counter(_open_secret(user), code)
    if step is not None:
        # Atomic compare-and-set: two requests racing with one code cannot both win.
        won = db.session.execute(
            update(User).where(User.id == user.id, User.totp_last_counter < step)
            .values(totp_last_counter=step).returning(User.id)
        ).scalar()
        if won:
            db.session.refresh(user, ["totp_last_counter"])
            return True
        return False
    normalised = re.sub(r"[\s-]", "", code or "").lower()
    if len(normalised) == 10:
        used = db.session.execute(
            update(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == sha256(normalised),
                   RecoveryCode.used_at.is_(None))
            .values(used_at=utcnow()).returning(RecoveryCode.id)
        ).scalar()
        return used is not None
    return False


def new_recovery_codes(user: User) -> list[str]:
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=sha256(c)) for c in codes)
    db.session.flush()
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def reset_second_factor(actor, user: User) -> None:
    """Forget the second factor; the next login enrols a new one. Ends the sessions."""
    user.totp_secret_sealed = None
    user.totp_last_counter = 0
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    end_all_sessions(user, reason="second_factor_reset")
    db.session.flush()


# -- sessions ----------------------------------------------------------------------------


def start_session(user: User) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()  # the application's clock decides timeouts, so it also stamps the start
    session = AuthSession(token_hash=sha256(token), user_id=user.id, created_at=now, last_seen_at=now)
    db.session.add(session)
    db.session.flush()
    user.session_token = token
    user.auth_session = session
    auth_event.send(current_app._get_current_object(), user=user, event="login", outcome="success", actor=user)
    return token


def live_session(token: str, *, idle: timedelta, absolute: timedelta, now: datetime | None = None):
    """The user of a live session, touching it; ends and refuses a timed-out one."""
    now = now or utcnow()
    session = db.session.scalar(select(AuthSession).where(AuthSession.token_hash == sha256(token or "")))
    if session is None or session.ended_at is not None:
        return None
    if now - session.last_seen_at > idle:
        _end(session, "idle_timeout", now)
        return None
    if now - session.created_at > absolute:
        _end(session, "absolute_timeout", now)
        return None
    if not session.user.active:
        _end(session, "deactivated", now)
        return None
    if now - session.last_seen_at > timedelta(seconds=30):  # no write on every click
        session.last_seen_at = now
    user = session.user
    user.session_token = token
    user.auth_session = session
    return user


def _end(session: AuthSession, reason: str, now: datetime | None = None) -> None:
    session.ended_at = now or utcnow()
    session.end_reason = reason
    db.session.flush()


def end_session(user: User, reason: str = "logout") -> None:
    if user.auth_session is not None and user.auth_session.ended_at is None:
        _end(user.auth_session, reason)
        auth_event.send(current_app._get_current_object(), user=user, event="logout", outcome="success", actor=user)


def end_all_sessions(user: User, reason: str) -> None:
    db.session.execute(
        update(AuthSession).where(AuthSession.user_id == user.id, AuthSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


# -- API tokens --------------------------------------------------------------------------


def create_token(actor, user: User, days: int = 90) -> str:
    if days < 1 or days > 366:
        raise AccountError("Een token is 1 tot 366 dagen geldig.", "days")
    if not user.active:
        raise AccountError("Dit account is gedeactiveerd.", "email")
    token = "zt_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=sha256(token), prefix=token[:10],
                            expires_at=utcnow() + timedelta(days=days)))
    db.session.flush()
    return token


def authenticate_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == sha256(token or "")))
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at < now or not row.user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now
    return row.user


def rotate_totp_secrets() -> int:
    """Re-seal second-factor secrets under the current vault key (``zorgtafel vault rotate``)."""
    envelope = _envelope()
    moved = 0
    for user in db.session.scalars(select(User).where(User.totp_secret_sealed.is_not(None))):
        raw = user.totp_secret_sealed
        if raw[1:1 + raw[0]].decode() == envelope.current_kid:
            continue
        user.totp_secret_sealed = _seal_secret(user.id, _open_secret(user))
        moved += 1
    db.session.flush()
    return moved
