"""Load a convenant file: validate whole, then write one immutable version."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import func, select

from zorgtafel.auth.models import Organisation
from zorgtafel.convenant.models import Convenant, DataCategory, Party, Rule
from zorgtafel.convenant.schema import ConvenantFile, FileProblem, LineMap, parse_with_lines
from zorgtafel.extensions import db


class ConvenantRefused(ValueError):
    def __init__(self, message: str, *, already_loaded: bool = False):
        super().__init__(message)
        self.already_loaded = already_loaded


def load_file(path: str | Path, actor=None) -> Convenant:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConvenantRefused(f"{path}: kan het bestand niet lezen ({exc.strerror})") from exc
    return load_text(text, path.name, actor)


def load_text(text: str, filename: str, actor=None) -> Convenant:
    """Validate and load; flushes, the caller commits. Refuses the whole file on any error."""
    try:
        parsed, where = parse_with_lines(text, filename)
    except FileProblem as exc:
        raise ConvenantRefused(str(exc)) from exc
    latest = db.session.scalar(select(func.max(Convenant.version)).where(Convenant.key == parsed.key))
    if latest is not None and parsed.version <= latest:
        problem = where.problem(
            ("version",),
            f"versie {parsed.version} van {parsed.key} kan niet worden geladen; versie {latest} is al geladen "
            "en een geladen versie is onveranderlijk (verhoog het versienummer)",
        )
        raise ConvenantRefused(str(problem), already_loaded=parsed.version == latest)
    organisations = _organisations(parsed, where)
    convenant = Convenant(
        key=parsed.key, version=parsed.version, title=parsed.title,
        effective_from=parsed.effective_from, effective_until=parsed.effective_until,
        purpose=parsed.purpose.strip(),
        legal_bases=[b.model_dump() for b in parsed.legal_bases],
        retention=parsed.retention.model_dump(), matching=parsed.matching.model_dump(),
        deadlines=parsed.deadlines.model_dump(),
        source_text=text, source_sha256=hashlib.sha256(text.encode()).hexdigest(),
        loaded_by_id=getattr(actor, "id", None),
    )
    db.session.add(convenant)
    db.session.flush()
    db.session.add_all(
        DataCategory(convenant_id=convenant.id, key=c.key, label=c.label, special=c.special)
        for c in parsed.data_categories
    )
    db.session.add_all(
        Party(convenant_id=convenant.id, organisation_id=organisations[o.key].id, kind=o.kind,
              joined_on=o.joined_on, left_on=o.left_on)
        for o in parsed.organisations
    )
    db.session.add_all(
        Rule(convenant_id=convenant.id, position=i, article=r.article, text=r.text, roles=list(r.roles),
             organisation_kinds=list(r.organisation_kinds), actions=list(r.actions),
             categories=list(r.categories), scope=r.scope, requires=list(r.requires))
        for i, r in enumerate(parsed.rules)
    )
    db.session.flush()
    return convenant


def _organisations(parsed: ConvenantFile, where: LineMap) -> dict[str, Organisation]:
    """Create the organisations the file names, or match existing ones by key."""
    keys = {o.key for o in parsed.organisations}
    existing = {o.key: o for o in db.session.scalars(select(Organisation).where(Organisation.key.in_(keys)))}
    for index, org in enumerate(parsed.organisations):
        known = existing.get(org.key)
        if known is None:
            known = Organisation(key=org.key, name=org.name, kind=org.kind)
            db.session.add(known)
            existing[org.key] = known
        elif known.kind != org.kind:
            problem = where.problem(("organisations", index, "kind"),
                                    f"organisatie {org.key!r} bestaat al als {known.kind!r}, niet {org.kind!r}")
            raise ConvenantRefused(str(problem))
    db.session.flush()
    return existing
