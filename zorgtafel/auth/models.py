"""Organisations, users, their sessions, recovery codes and API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ARRAY, BigInteger, Boolean, ForeignKey, Index, LargeBinary, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zorgtafel.core.models import Base, CreatedMixin

ORGANISATION_KINDS = (
    "politie",
    "jeugd-ggz",
    "jeugd-lvb-zorg",
    "onderwijs",
    "veilig-thuis",
    "medisch",
    "gemeente",
    "zorgcoordinatie",
)
ROLES = ("professional", "zorgcoordinator", "privacy", "beheerder")
ROLE_LABELS = {
    "professional": "Professional",
    "zorgcoordinator": "Zorgcoördinator",
    "privacy": "Privacyfunctionaris",
    "beheerder": "Beheerder",
}


class Organisation(CreatedMixin, Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))

    users: Mapped[list["User"]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.key}>"


class User(CreatedMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    password_hash: Mapped[str | None] = mapped_column(Text)
    # The TOTP secret is sealed with the vault envelope: a database dump alone cannot
    # produce second-factor codes.
    totp_secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_last_counter: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    language: Mapped[str] = mapped_column(String(5), default="nl", server_default="nl")
    notification_mode: Mapped[str] = mapped_column(String(10), default="direct", server_default="direct")
    activation_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    activation_expires_at: Mapped[datetime | None]
    deactivated_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(back_populates="users", lazy="joined")

    # -- Flask-Login ---------------------------------------------------------------
    # The identifier in the cookie is the *session* token, not the user id: the session
    # row is checked on every request, so logout and deactivation take effect at once.
    session_token = None  # set per request, not mapped
    auth_session = None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token

    # -- the actor, as the policy sees it -------------------------------------------
    @property
    def organisation_kind(self) -> str:
        return self.organisation.kind

    def has_role(self, role: str) -> bool:
        return role in (self.roles or [])

    @property
    def enrolled(self) -> bool:
        return self.totp_secret_sealed is not None

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class AuthSession(Base):
    """A server-side login session; the cookie only carries its random token."""

    __tablename__ = "auth_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(server_default=func.now())
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(40))

    user: Mapped[User] = relationship(lazy="joined")


class RecoveryCode(Base):
    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class ApiToken(CreatedMixin, Base):
    """Only the SHA-256 of a token is kept; the token itself is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


Index("ix_auth_session_live", AuthSession.user_id, postgresql_where=AuthSession.ended_at.is_(None))
