"""Select builders of the convenant room."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from zorgtafel.convenant.models import Convenant, Party
from zorgtafel.extensions import db


def all_versions() -> list[Convenant]:
    return list(db.session.scalars(select(Convenant).order_by(Convenant.key, Convenant.version.desc())))


def version(key: str, number: int) -> Convenant | None:
    return db.session.scalar(
        select(Convenant).where(Convenant.key == key, Convenant.version == number)
        .options(selectinload(Convenant.rules), selectinload(Convenant.data_categories),
                 selectinload(Convenant.parties).joinedload(Party.organisation))
    )


def versions_of(key: str) -> list[Convenant]:
    return list(db.session.scalars(select(Convenant).where(Convenant.key == key).order_by(Convenant.version.desc())))
