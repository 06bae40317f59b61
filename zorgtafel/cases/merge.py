"""Merging two subjects that proved to be one person — in the caller's transaction.

A registration that gives a BSN and a name + birth date, where the BSN's subject holds no
name key and the name's subject no BSN, proves the two are one person (no conflict: a name
already linked to *another* BSN stays a possible duplicate for the coordinator). Two BSNs
are two people: that is refused here too.

Per convenant: where only the vanishing subject has a case, that case moves to the kept
subject (its reference stays). Where both have one, every row that refers to the vanishing
case moves into the kept case. Those rows are found from the schema's foreign keys, so the
floors above (agenda items, actions, follow-up tasks) move too without this package
importing them, and a table added later moves instead of being cascade-deleted. A row that
would collide with one of the kept case on a unique key (the same organisation's
involvement, the same meeting's agenda) is folded into the kept row. The vanished reference
then leads nowhere; the kept case's status history and the audit log name it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import permutations

from flask import current_app
from sqlalchemy import Index, Table, Text, UniqueConstraint, delete, or_, select, text, update
from sqlalchemy import case as sql_case

from zorgtafel.audit.operations import record
from zorgtafel.cases import vault
from zorgtafel.cases.errors import CaseError
from zorgtafel.cases.events import possible_duplicates_settled
from zorgtafel.cases.identity import SubjectKey
from zorgtafel.cases.models import Case, CaseAlias, IdentityVault, PossibleDuplicate, RevealRequest, StatusChange, Subject
from zorgtafel.cases.models import SubjectPseudonym
from zorgtafel.convenant import policy
from zorgtafel.convenant.models import Involvement
from zorgtafel.core.models import Base, utcnow
from zorgtafel.extensions import db
from zorgtafel.notify.operations import notify


@dataclass
class MergeResult:
    keep_id: int
    gone_id: int
    #: vanished case reference → the reference of the case it went into
    folded: dict[str, str] = field(default_factory=dict)
    #: references of cases only the vanishing subject had: moved, reference kept
    moved: list[str] = field(default_factory=list)


def kinds_of(subject_id: int) -> set[str]:
    return set(db.session.scalars(select(SubjectPseudonym.kind).where(SubjectPseudonym.subject_id == subject_id)))


def merge_subjects(actor, keep_id: int, gone_id: int, reason: str) -> MergeResult:
    """Merge subject ``gone_id`` into ``keep_id``. The caller holds the pseudonym locks;
    ``reason`` goes into status history and the audit log, so it names no one."""
    if keep_id == gone_id:
        raise CaseError("Een persoon kan niet met zichzelf worden samengevoegd.", status=409)
    db.session.flush()
    found = set(db.session.scalars(select(Subject.id).where(Subject.id.in_((keep_id, gone_id))).with_for_update()))
    if found != {keep_id, gone_id}:
        raise CaseError("Deze persoon is niet (meer) bekend.", status=404)
    keep_kinds, gone_kinds = kinds_of(keep_id), kinds_of(gone_id)
    if keep_kinds & gone_kinds:
        raise CaseError("Beide registraties hebben een eigen sleutel van dezelfde soort: dat kunnen twee "
                        "personen zijn. Samenvoegen kan niet.", status=409)
    _check_schema()
    cases = db.session.scalars(select(Case).where(Case.subject_id.in_((keep_id, gone_id)))
                               .order_by(Case.id).with_for_update()).all()
    result = MergeResult(keep_id, gone_id)

    _merge_identity(keep_id, gone_id)
    db.session.execute(update(SubjectPseudonym).where(SubjectPseudonym.subject_id == gone_id)
                       .values(subject_id=keep_id))
    settled = _repoint_duplicates(keep_id, gone_id)
    # An approval to see the identity covered the identity as it was; the merged one is more.
    db.session.execute(update(RevealRequest).where(
        RevealRequest.case_id.in_([c.id for c in cases]), RevealRequest.status == "approved",
        RevealRequest.visible_until > utcnow()).values(visible_until=utcnow()))

    kept = {c.convenant_key: c for c in cases if c.subject_id == keep_id}
    folded: list[tuple[int, str, str]] = []  # (kept case id, kept reference, vanished reference)
    for case in (c for c in cases if c.subject_id == gone_id):
        target = kept.get(case.convenant_key)
        if target is None:
            db.session.execute(update(Case).where(Case.id == case.id).values(subject_id=keep_id))
            result.moved.append(case.reference)
            continue
        _fold_case(case, target)  # the vanished case's own aliases move along
        db.session.execute(delete(Case).where(Case.id == case.id))
        db.session.add(CaseAlias(reference=case.reference, case_id=target.id))
        folded.append((target.id, target.reference, case.reference))
        result.folded[case.reference] = target.reference

    db.session.execute(delete(Subject).where(Subject.id == gone_id))  # its vault row cascades
    # The session must not hand out rows deleted behind its back.
    gone_cases = {c.id for c in cases if c.reference in result.folded}
    for instance in list(db.session.identity_map.values()):
        if (isinstance(instance, Subject) and instance.id == gone_id
                or isinstance(instance, IdentityVault) and instance.subject_id == gone_id
                or isinstance(instance, Case) and instance.id in gone_cases):
            db.session.expunge(instance)
    db.session.expire_all()

    for case_id, reference, gone_reference in folded:
        case = db.session.get(Case, case_id)
        _refresh_summary(case)
        db.session.add(StatusChange(case_id=case.id, from_status=case.status, to_status=case.status,
                                    actor_id=getattr(actor, "id", None),
                                    note=f"Samengevoegd met {gone_reference}: {reason}"))
        for organisation_id in db.session.scalars(select(Involvement.organisation_id)
                                                  .where(Involvement.case_id == case.id)):
            policy.forget_involvement(case.id, organisation_id)
        for ref in (reference, gone_reference):
            record(actor, "merge", outcome="success", case_reference=ref, object_type="case", object_id=case.id,
                   reason=f"{gone_reference} samengevoegd in {reference}: {reason}")
        # The coordinators must know: their tasks, agendas and notes now meet in one case.
        notify(actor, sorted(_coordinators(case.convenant_key)), "casussen_samengevoegd", case_reference=reference,
               link=f"/casussen/{reference}")
    if settled:
        possible_duplicates_settled.send(current_app._get_current_object(), duplicate_ids=settled, actor=actor)
    for ref in result.moved:
        record(actor, "merge", outcome="success", case_reference=ref, object_type="case",
               reason=f"Persoon samengevoegd; de casus houdt haar nummer: {reason}")
    db.session.flush()
    return result


def _coordinators(convenant_key: str):
    from zorgtafel.cases.operations import coordinators

    return coordinators(convenant_key)


def _refresh_summary(case: Case) -> None:
    from zorgtafel.cases.operations import _refresh_case_summary  # operations imports this module's caller

    _refresh_case_summary(case)


def _merge_identity(keep_id: int, gone_id: int) -> None:
    """What the kept subject's vault knows wins; the other fills its gaps. Re-sealed under
    the kept subject's id (the AES-GCM context), before the other row goes."""
    theirs = vault.read(gone_id)
    if not theirs:
        return
    born = theirs.get("birth_date")
    vault.store(keep_id, SubjectKey(bsn=theirs.get("bsn"), family_name=theirs.get("family_name"),
                                    given_names=theirs.get("given_names"),
                                    birth_date=date.fromisoformat(born) if born else None))


def _repoint_duplicates(keep_id: int, gone_id: int) -> list[int]:
    """A possible duplicate between the two is settled by the merge (and goes); one between
    the vanishing subject and a third person now concerns the kept subject."""
    rows = db.session.execute(select(PossibleDuplicate.id, PossibleDuplicate.subject_id,
                                     PossibleDuplicate.other_subject_id).where(
        or_(PossibleDuplicate.subject_id == gone_id, PossibleDuplicate.other_subject_id == gone_id))).all()
    dropped = []
    for pk, one, other in rows:
        third = other if one == gone_id else one
        low, high = sorted((keep_id, third))
        if third == keep_id or db.session.scalar(select(PossibleDuplicate.id).where(
                PossibleDuplicate.subject_id == low, PossibleDuplicate.other_subject_id == high)):
            dropped.append(pk)
            continue
        db.session.execute(update(PossibleDuplicate).where(PossibleDuplicate.id == pk)
                           .values(subject_id=low, other_subject_id=high))
    if dropped:
        db.session.execute(delete(PossibleDuplicate).where(PossibleDuplicate.id.in_(dropped)))
    return dropped


# -- moving a case's rows, found from the schema ------------------------------------------------


def _referring(table: Table) -> list[tuple[Table, list]]:
    """(table, its columns) for every mapped table with a foreign key to ``table.id``."""
    found = []
    for other in Base.metadata.sorted_tables:
        columns = [fk.parent for fk in other.foreign_keys if fk.column is table.c.id]
        if columns:
            found.append((other, columns))
    return found


def _check_schema() -> None:
    """Every table the database knows to refer to a case must be known to the models, or
    its rows would silently go with the vanished case: refuse rather than lose data."""
    in_database = set(db.session.scalars(text(
        "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint "
        "WHERE contype = 'f' AND confrelid = 'case_file'::regclass")))
    known = {t.name for t, _ in _referring(Case.__table__)}
    if in_database - known:
        raise RuntimeError(f"merge: tables refer to case_file that the models do not know: {sorted(in_database - known)}")


def _unique_keys(table: Table) -> list[tuple]:
    keys = [tuple(c.columns) for c in table.constraints if isinstance(c, UniqueConstraint)]
    keys += [tuple(i.columns) for i in table.indexes
             if isinstance(i, Index) and i.unique and i.dialect_options["postgresql"].get("where") is None]
    return keys


def _single_pk(table: Table):
    [pk] = table.primary_key.columns
    return pk


def _fold_case(gone: Case, keep: Case) -> None:
    """Move every row of ``gone`` into ``keep``."""
    for table, columns in _referring(Case.__table__):
        pk = _single_pk(table)
        if len(columns) > 1:  # a link between the two cases would now link the case to itself
            for one, other in permutations(columns, 2):
                db.session.execute(delete(table).where(one == gone.id, other == keep.id))
        _fold_collisions(table, columns, gone, keep, pk)
        for column in columns:
            values = {column.name: keep.id}
            if len(columns) == 1 and "case_reference" in table.c:  # a denormalised reference moves along
                ref = table.c.case_reference
                values["case_reference"] = sql_case((ref.is_(None), None), else_=keep.reference)
            db.session.execute(update(table).where(column == gone.id).values(**values))


def _fold_collisions(table: Table, columns: list, gone: Case, keep: Case, pk) -> None:
    keys = [key for key in _unique_keys(table) if any(c in key for c in columns)]
    if not keys:
        return
    for row in db.session.execute(select(table).where(or_(*(c == gone.id for c in columns)))).mappings().all():
        for key in keys:
            wanted = {c.name: keep.id if c in columns and row[c.name] == gone.id else row[c.name] for c in key}
            if any(v is None for v in wanted.values()):
                continue  # NULLs never collide
            survivor = db.session.execute(select(table).where(
                pk != row[pk.name], *(table.c[name] == value for name, value in wanted.items()))).mappings().first()
            if survivor is not None:
                _absorb(table, row, survivor, gone.reference, {c.name for c in key}, pk)
                break


def _absorb(table: Table, row, survivor, gone_reference: str, key: set[str], pk) -> None:
    """Keep ``survivor``: fill its gaps from ``row``, append a differing text (marked with
    the vanished reference), re-point what referred to ``row``, then delete ``row``."""
    values = {}
    for column in table.c:
        if column.primary_key or column.name in key or column.foreign_keys:
            continue
        mine, theirs = survivor[column.name], row[column.name]
        if theirs is None or theirs == "" or theirs == mine:
            continue
        if mine is None or mine == "":
            values[column.name] = theirs
        elif isinstance(column.type, Text) and isinstance(mine, str):
            values[column.name] = f"{mine}\n\n[{gone_reference}] {theirs}"
    if values:
        db.session.execute(update(table).where(pk == survivor[pk.name]).values(**values))
    for other, columns in _referring(table):
        for column in columns:
            db.session.execute(update(other).where(column == row[pk.name]).values({column.name: survivor[pk.name]}))
    db.session.execute(delete(table).where(pk == row[pk.name]))
