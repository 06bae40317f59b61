"""The policy: the one module that decides every access (DESIGN, "The policy").

``decide(actor, action, target)`` answers one question with its basis (convenant key,
version, article); ``visible_clause(...)`` answers the same question for many rows at
once as a SQL expression, so lists are filtered in the database. Both read the same rule
matching (``_allowing``) — there is no second implementation.

Rules of a convenant apply only while its version is in force and only for organisations
that are a party on the day (``joined_on`` ≤ day < ``left_on``). A user gets the union of
what the rules allow, per convenant, never across convenants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, exists, false, or_, select, true

# Actions decided by the convenant's rules.
CONVENANT_ACTIONS = frozenset({
    "read", "register", "reveal", "plan_meeting", "write_minutes", "assign_action",
    "read_audit", "read_statistics",
})
# Actions decided by the system role alone; none of them touches case content.
SYSTEM_ACTIONS = frozenset({"manage_convenant", "manage_users", "personal", "read_convenant", "simulate"})
ACTIONS = CONVENANT_ACTIONS | SYSTEM_ACTIONS
#: actions on case data, decided per data category and scope
CATEGORY_ACTIONS = frozenset({"read", "register", "reveal"})


class UnknownAction(ValueError):
    pass


@dataclass(frozen=True)
class Basis:
    convenant_key: str | None
    version: int | None
    article: str

    def label(self) -> str:
        if self.convenant_key is None:
            return self.article
        return f"art. {self.article}, convenant {self.convenant_key} v{self.version}"

    def as_dict(self) -> dict:
        return {"convenant": self.convenant_key, "version": self.version, "article": self.article}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    basis: Basis | None = None
    reason: str = ""
    requires: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Target:
    """What an action is about. Domain objects build one with ``policy_target()``."""

    convenant_key: str | None = None
    category: str | None = None
    case_id: int | None = None
    organisation_id: int | None = None  # the organisation the item belongs to
    involved: bool | None = None  # a hypothetical involvement (the simulator); None: look it up
    case_reference: str | None = None  # for the audit entry only
    object_type: str | None = None
    object_id: int | None = None


# -- the rule set in force, per request ---------------------------------------------------


@dataclass(frozen=True)
class RuleView:
    article: str
    text: str
    roles: frozenset[str]
    kinds: frozenset[str]
    actions: frozenset[str]
    categories: frozenset[str]
    scope: str | None
    requires: tuple[str, ...]


@dataclass(frozen=True)
class ConvenantView:
    id: int
    key: str
    version: int
    rules: tuple[RuleView, ...]
    parties: tuple[tuple[int, str, date, date | None], ...]  # organisation id, kind, joined, left

    def party_kind(self, organisation_id: int, day: date) -> str | None:
        for org_id, kind, joined, left in self.parties:
            if org_id == organisation_id and joined <= day and (left is None or day < left):
                return kind
        return None


def _cache() -> dict:
    """Per request, never across requests (a Celery task or CLI call starts empty)."""
    from flask import has_request_context, request

    if has_request_context():
        return request.environ.setdefault("zorgtafel.policy", {})
    return {}


def today() -> date:
    from zorgtafel.core.timeutil import today_local

    return today_local()


def in_force(day: date | None = None) -> dict[str, ConvenantView]:
    """The convenant version in force per key on ``day``: the highest version whose period
    covers the day (a higher version supersedes a lower one from its effective_from)."""
    day = day or today()
    cache = _cache()
    key = ("in_force", day)
    if key in cache:
        return cache[key]
    from zorgtafel.convenant.models import Convenant, Party, Rule
    from zorgtafel.extensions import db

    rows = db.session.execute(
        select(Convenant.id, Convenant.key, Convenant.version)
        .where(Convenant.effective_from <= day,
               or_(Convenant.effective_until.is_(None), Convenant.effective_until > day))
        .order_by(Convenant.key, Convenant.version.desc())
    ).all()
    chosen = {}
    for conv_id, conv_key, version in rows:
        chosen.setdefault(conv_key, (conv_id, version))
    ids = [conv_id for conv_id, _ in chosen.values()]
    rules: dict[int, list[RuleView]] = {i: [] for i in ids}
    parties: dict[int, list] = {i: [] for i in ids}
    if ids:
        for r in db.session.scalars(select(Rule).where(Rule.convenant_id.in_(ids)).order_by(Rule.position)):
            rules[r.convenant_id].append(RuleView(
                r.article, r.text, frozenset(r.roles), frozenset(r.organisation_kinds), frozenset(r.actions),
                frozenset(r.categories), r.scope, tuple(r.requires)))
        for p in db.session.execute(select(Party.convenant_id, Party.organisation_id, Party.kind, Party.joined_on,
                                           Party.left_on).where(Party.convenant_id.in_(ids))):
            parties[p.convenant_id].append((p.organisation_id, p.kind, p.joined_on, p.left_on))
    result = {k: ConvenantView(cid, k, v, tuple(rules[cid]), tuple(parties[cid])) for k, (cid, v) in chosen.items()}
    cache[key] = result
    return result


def _allowing(actor, action: str, category: str | None, conv: ConvenantView, day: date) -> list[RuleView]:
    """Rules of ``conv`` that grant ``action`` on ``category`` to this actor, in file order."""
    kind = conv.party_kind(actor.organisation_id, day)
    if kind is None:
        return []
    # A beheerder never gets convenant rights (separation of duties), whatever a file says.
    roles = set(actor.roles or ()) - {"beheerder"}
    return [
        r for r in conv.rules
        if action in r.actions and roles & r.roles and (not r.kinds or kind in r.kinds)
        and (category is None or category in r.categories)
    ]


# -- one decision ---------------------------------------------------------------------


def decide(actor, action: str, target=None) -> Decision:
    if action not in ACTIONS:
        raise UnknownAction(action)
    if action == "personal":
        return Decision(True, Basis(None, None, "eigen account en overzicht"), "eigen account")
    if action == "read_convenant":
        # The convenant itself is no case data: everyone who works under it may read it.
        return Decision(True, Basis(None, None, "openbaarheid van het convenant"), "convenant")
    if action == "simulate":
        if set(actor.roles or ()) & {"privacy", "zorgcoordinator", "beheerder"}:
            return Decision(True, Basis(None, None, "systeemrol"), "simulator")
        return Decision(False, None, "De simulator is voor zorgcoördinatoren, privacyfunctionarissen en beheerders.")
    if action in ("manage_users", "manage_convenant"):
        if actor.has_role("beheerder"):
            return Decision(True, Basis(None, None, "systeemrol beheerder"), "beheerder")
        return Decision(False, None, "Alleen een functioneel beheerder mag dit.")
    if target is not None and not isinstance(target, Target):
        target = target.policy_target()
    target = target or Target()
    if action in CATEGORY_ACTIONS and not target.category:
        raise ValueError(f"{action} needs a data category")
    cache = _cache()
    cache_key = ("decide", getattr(actor, "id", id(actor)), action, target)
    if cache_key in cache:
        return cache[cache_key]
    decision = _decide(actor, action, target)
    cache[cache_key] = decision
    return decision


def _decide(actor, action: str, target: Target) -> Decision:
    day = today()
    active = in_force(day)
    if target.convenant_key is not None:
        conv = active.get(target.convenant_key)
        if conv is None:
            return Decision(False, None, "Het convenant waaronder dit valt, is niet van kracht.")
        candidates = [conv]
    else:
        candidates = list(active.values())
    party_somewhere = False
    for conv in candidates:
        if conv.party_kind(actor.organisation_id, day) is None:
            continue
        party_somewhere = True
        category = target.category if action in CATEGORY_ACTIONS else None  # other actions have none
        for rule in _allowing(actor, action, category, conv, day):
            if action not in CATEGORY_ACTIONS or _scope_holds(rule.scope, actor, target):
                return Decision(True, Basis(conv.key, conv.version, rule.article), rule.text, rule.requires)
    if not party_somewhere:
        return Decision(False, None, "Uw organisatie is op dit moment geen partij bij het convenant.")
    if target.category:
        return Decision(False, None, f"Het convenant geeft uw rol geen recht op '{action}' voor gegevens "
                                     f"van de categorie '{target.category}' in deze situatie.")
    return Decision(False, None, f"Het convenant geeft uw rol geen recht op '{action}'.")


def _scope_holds(scope: str | None, actor, target: Target) -> bool:
    if scope in (None, "all"):
        return True
    if scope == "own_organisation":
        return target.organisation_id is not None and target.organisation_id == actor.organisation_id
    if scope == "involved":
        if target.involved is not None:
            return target.involved
        return target.case_id is not None and is_involved(target.case_id, actor.organisation_id)
    return False


def is_involved(case_id: int, organisation_id: int) -> bool:
    cache = _cache()
    key = ("involved", case_id, organisation_id)
    if key not in cache:
        from zorgtafel.convenant.models import Involvement
        from zorgtafel.extensions import db

        cache[key] = db.session.scalar(
            select(exists().where(Involvement.case_id == case_id, Involvement.organisation_id == organisation_id))
        )
    return cache[key]


def prime_involvement(organisation_id: int, case_ids) -> None:
    """One query for a page of cases, so per-row decisions do not query per row."""
    from zorgtafel.convenant.models import Involvement
    from zorgtafel.extensions import db

    case_ids = set(case_ids)
    if not case_ids:
        return
    found = set(db.session.scalars(select(Involvement.case_id).where(
        Involvement.organisation_id == organisation_id, Involvement.case_id.in_(case_ids))))
    cache = _cache()
    for case_id in case_ids:
        cache[("involved", case_id, organisation_id)] = case_id in found


# -- many rows at once -----------------------------------------------------------------


def visible_clause(actor, action: str, category: str, *, case_id, convenant_key, organisation_id=None):
    """A SQL condition that holds exactly for the rows ``decide`` would allow.

    ``case_id`` and ``convenant_key`` are the columns of the case a row belongs to;
    ``organisation_id`` the column of the organisation that owns the row (own_organisation
    scope needs it; without it that scope grants nothing).
    """
    from zorgtafel.convenant.models import Involvement

    if action not in CATEGORY_ACTIONS:
        raise ValueError("visible_clause is for read, register and reveal")
    day = today()
    conditions = []
    for conv in in_force(day).values():
        scopes = {r.scope or "all" for r in _allowing(actor, action, category, conv, day)}
        if not scopes:
            continue
        if "all" in scopes:
            conditions.append(convenant_key == conv.key)
            continue
        parts = []
        if "involved" in scopes:
            parts.append(exists().where(Involvement.case_id == case_id,
                                        Involvement.organisation_id == actor.organisation_id))
        if "own_organisation" in scopes and organisation_id is not None:
            parts.append(organisation_id == actor.organisation_id)
        if parts:
            conditions.append(and_(convenant_key == conv.key, or_(*parts)))
    return or_(*conditions) if conditions else false()


def row_clause(actor, action: str, *, organisation_id):
    """For actions on rows that are not case data (the audit log, statistics): the rows of
    the organisations the rules' scopes reach."""
    if action in CATEGORY_ACTIONS:
        raise ValueError("use visible_clause for case data")
    day = today()
    conditions = []
    for conv in in_force(day).values():
        for rule in _allowing(actor, action, None, conv, day):
            if rule.scope in (None, "all"):
                return true()
            if rule.scope == "own_organisation":
                conditions.append(organisation_id == actor.organisation_id)
    return or_(*conditions) if conditions else false()


def convenants_of(actor, day: date | None = None) -> list[ConvenantView]:
    """The convenants in force in which the actor's organisation is a party today."""
    day = day or today()
    return [c for c in in_force(day).values() if c.party_kind(actor.organisation_id, day) is not None]


def forget_involvement(case_id: int, organisation_id: int) -> None:
    """Drop a cached answer after involvement was written in this request."""
    _cache().pop(("involved", case_id, organisation_id), None)
