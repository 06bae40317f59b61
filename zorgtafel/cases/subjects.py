"""Find or create the subject of a registration from its pseudonyms, linking a BSN and a
name + birth date when one registration gives both. Two subjects each known by one half
(one only by BSN, one only by name + birth date) are then proved one person and merged,
on the record; a name already linked to another BSN is a conflict, which goes to the
coordinator as a possible duplicate — never a silent merge."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select, text

from zorgtafel.cases import vault
from zorgtafel.cases.events import possible_duplicate_found
from zorgtafel.cases.identity import SubjectKey, pseudonyms
from zorgtafel.cases.merge import kinds_of, merge_subjects
from zorgtafel.cases.models import PossibleDuplicate, Subject, SubjectPseudonym
from zorgtafel.extensions import db


def _lock(values) -> None:
    """Serialise registrations about the same person (concurrent first registrations
    would otherwise both create a subject)."""
    for value in sorted(values):
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:v, 0))"), {"v": value})


def resolve(key: SubjectKey, convenant_key: str, actor) -> tuple[Subject, PossibleDuplicate | None]:
    """Returns the subject and, if the registration conflicts with what is known, the
    possible-duplicate record for the zorgcoördinator."""
    given = pseudonyms(key, current_app.config["PSEUDONYM_KEY"])
    _lock(given.values())
    rows = db.session.execute(
        select(SubjectPseudonym.kind, SubjectPseudonym.subject_id)
        .where(SubjectPseudonym.pseudonym.in_(list(given.values())))
    ).all()
    found = {kind: subject_id for kind, subject_id in rows if given.get(kind)}
    duplicate = None
    by_bsn, by_name = found.get("bsn"), found.get("naam")
    if by_bsn and by_name and by_bsn != by_name:
        subject_id = by_bsn  # the BSN is authoritative
        if "naam" not in kinds_of(by_bsn) and "bsn" not in kinds_of(by_name):
            merge_subjects(actor, by_bsn, by_name, "BSN en naam + geboortedatum samen geregistreerd")
        else:  # each half is linked elsewhere already: the coordinator decides
            duplicate = _possible_duplicate(by_bsn, by_name, convenant_key, actor)
    elif by_bsn or by_name:
        subject_id = by_bsn or by_name
        missing = {k: v for k, v in given.items() if k not in found}
        held = set(db.session.scalars(select(SubjectPseudonym.kind).where(SubjectPseudonym.subject_id == subject_id)))
        if "bsn" in missing and "bsn" in held:
            # This name + birth date is already linked to another BSN: a separate subject
            # for the new BSN, and a question for the coordinator.
            subject_id = _new_subject({"bsn": missing["bsn"]})
            duplicate = _possible_duplicate(subject_id, by_name, convenant_key, actor)
        else:
            for kind, pseudonym in missing.items():
                if kind not in held:
                    db.session.add(SubjectPseudonym(subject_id=subject_id, kind=kind, pseudonym=pseudonym))
    else:
        subject_id = _new_subject(given)
    db.session.flush()
    vault.store(subject_id, key)
    return db.session.get(Subject, subject_id), duplicate


def _new_subject(given: dict[str, str]) -> int:
    subject = Subject()
    db.session.add(subject)
    db.session.flush()
    db.session.add_all(SubjectPseudonym(subject_id=subject.id, kind=k, pseudonym=v) for k, v in given.items())
    db.session.flush()
    return subject.id


def _possible_duplicate(subject_id: int, other_id: int, convenant_key: str, actor) -> PossibleDuplicate:
    low, high = sorted((subject_id, other_id))
    existing = db.session.scalar(select(PossibleDuplicate).where(
        PossibleDuplicate.subject_id == low, PossibleDuplicate.other_subject_id == high))
    if existing is not None:
        return existing
    duplicate = PossibleDuplicate(subject_id=low, other_subject_id=high, convenant_key=convenant_key)
    db.session.add(duplicate)
    db.session.flush()
    possible_duplicate_found.send(current_app._get_current_object(), duplicate=duplicate, actor=actor)
    return duplicate


def primary_pseudonym(subject_id: int) -> str:
    """The pseudonym a case reference derives from: the subject's first one."""
    return db.session.scalar(select(SubjectPseudonym.pseudonym).where(SubjectPseudonym.subject_id == subject_id)
                             .order_by(SubjectPseudonym.id).limit(1))
