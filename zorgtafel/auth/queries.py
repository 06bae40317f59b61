"""Select builders of the auth room."""

from sqlalchemy import select

from zorgtafel.auth.models import Organisation, User
from zorgtafel.extensions import db


def organisations_ordered() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def users_page(limit: int = 500) -> list[User]:
    # One statement: the organisation is joined eagerly by the relationship.
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.name).limit(limit)).unique())


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
