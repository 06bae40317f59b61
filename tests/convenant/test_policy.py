"""The policy against the reference convenant: an explicit matrix compared with a table
written here from the convenant's own text; withdrawal; supersession; several convenants;
and agreement between ``decide`` and ``visible_clause`` on seeded rows."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass
from datetime import date

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.helpers.convenant import load_reference, reference_text
from zorgtafel.auth.models import ORGANISATION_KINDS, ROLES, Organisation
from zorgtafel.cases.models import Case, Subject
from zorgtafel.convenant import policy
from zorgtafel.convenant.loader import load_text
from zorgtafel.convenant.operations import involve
from zorgtafel.convenant.policy import CONVENANT_ACTIONS, Target, decide, visible_clause
from zorgtafel.extensions import db

KEY = "zorgtafel-su-voorbeeldregio"
CATEGORIES = ("signaal", "toelichting", "identiteit", "gezondheid", "strafrechtelijk", "verslag", "actiepunt")
CARE = {"jeugd-ggz", "jeugd-lvb-zorg", "medisch", "veilig-thuis"}
SITUATIONS = ("own", "involved", "uninvolved")
# One party per kind in the reference file, by key (gemeente is no party at all).
PARTY_BY_KIND = {
    "politie": "politie-voorbeeld", "jeugd-ggz": "jeugdggz-voorbeeld", "jeugd-lvb-zorg": "lvbzorg-voorbeeld",
    "onderwijs": "college-voorbeeld", "veilig-thuis": "veiligthuis-voorbeeld", "medisch": "ggd-voorbeeld",
    "zorgcoordinatie": "zorgcoordinatie-voorbeeld",
}


def expected(role: str, kind: str, action: str, category: str | None, situation: str, on: date) -> bool:
    """Written from the text of the reference convenant, independently of the policy code."""
    if kind == "gemeente":
        return False  # not a party
    if kind == "medisch" and on >= date(2026, 10, 1):
        return False  # the GGD left on 2026-10-01: from that day no right at all
    own = situation == "own"
    involved = situation in ("own", "involved")
    if action == "read":
        if role == "zorgcoordinator":  # 5.1
            return category in {"signaal", "toelichting", "gezondheid", "strafrechtelijk", "verslag", "actiepunt"}
        if role == "professional":
            return (
                (involved and category in {"signaal", "verslag", "actiepunt"})  # 5.2
                or (own and category in {"signaal", "toelichting", "gezondheid", "strafrechtelijk"})  # 5.3
                or (involved and kind in CARE and category in {"toelichting", "gezondheid"})  # 5.4
                or (involved and kind == "politie" and category == "strafrechtelijk")  # 5.5
            )
        return False
    if action == "register":
        if role not in ("professional", "zorgcoordinator"):
            return False
        return (
            category in {"signaal", "toelichting"}  # 6.1
            or (role == "professional" and kind == "politie" and category == "strafrechtelijk")  # 6.2
            or (role == "professional" and kind in CARE and category == "gezondheid")  # 6.3
        )
    if action == "reveal":
        return role == "zorgcoordinator" and category == "identiteit"  # 7.1
    if action in ("plan_meeting", "write_minutes", "assign_action"):
        return role == "zorgcoordinator"  # 8.1
    if action == "read_audit":
        return role == "privacy"  # 9.1
    if action == "read_statistics":
        return role in ("zorgcoordinator", "privacy")  # 9.2
    raise AssertionError(action)


@dataclass
class Actor:
    id: int
    organisation_id: int
    roles: list

    def has_role(self, role):
        return role in self.roles


@pytest.fixture
def world(app):
    """The reference convenant, a gemeente that is no party, and per organisation one
    case it is involved in; one case only the gemeente (no party) is involved in."""
    _, orgs = load_reference(app)
    with app.app_context():
        gemeente = Organisation(key="gemeente-voorbeeld", name="Gemeente", kind="gemeente")
        db.session.add(gemeente)
        db.session.flush()
        orgs["gemeente-voorbeeld"] = gemeente.id
        cases = {}
        for org_key, org_id in list(orgs.items()) + [("nobody", None)]:
            subject = Subject()
            db.session.add(subject)
            db.session.flush()
            case = Case(reference=f"ZT-{secrets.token_hex(2).upper()}-{secrets.token_hex(2).upper()}",
                        subject_id=subject.id, convenant_key=KEY, subject_role="jongere")
            db.session.add(case)
            db.session.flush()
            involve(case.id, org_id or gemeente.id, "signal")
            cases[org_key] = case.id
        db.session.commit()
    return orgs, cases


def _targets(orgs, cases, org_key, category):
    other = orgs["politie-voorbeeld"] if org_key != "politie-voorbeeld" else orgs["college-voorbeeld"]
    return {
        "own": Target(KEY, category, cases[org_key], orgs[org_key]),
        "involved": Target(KEY, category, cases[org_key], other),
        "uninvolved": Target(KEY, category, cases["nobody"], other),
    }


@pytest.mark.parametrize("on", [date(2026, 9, 30), date(2026, 11, 29)], ids=["before-ggd-left", "after-ggd-left"])
def test_matrix_has_no_unexpected_allow_or_deny(app, world, on):
    orgs, cases = world
    kinds = dict(PARTY_BY_KIND, gemeente="gemeente-voorbeeld")
    mismatches = []
    checked = 0
    # one request context: the rule set in force is read once, as in a real request
    with time_machine.travel(on, tick=False), app.test_request_context("/"):
        for role, kind, action in itertools.product(ROLES, ORGANISATION_KINDS, sorted(CONVENANT_ACTIONS)):
            org_key = kinds[kind]
            actor = Actor(1000 + checked, orgs[org_key], [role])
            categories = CATEGORIES if action in policy.CATEGORY_ACTIONS else (None,)
            for category in categories:
                for situation, target in _targets(orgs, cases, org_key, category).items():
                    if category is None:
                        target = None
                    got = decide(actor, action, target)
                    want = expected(role, kind, action, category, situation, on)
                    checked += 1
                    if got.allowed != want:
                        mismatches.append((role, kind, action, category, situation, got))
                    if got.allowed:
                        assert got.basis.convenant_key == KEY and got.basis.version == 1
                        assert got.basis.article
    assert checked > 2000
    assert mismatches == []


def test_reveal_says_what_is_still_needed(app, world):
    orgs, cases = world
    with app.app_context():
        actor = Actor(1, orgs["zorgcoordinatie-voorbeeld"], ["zorgcoordinator"])
        decision = decide(actor, "reveal", Target(KEY, "identiteit", cases["nobody"]))
        assert decision.allowed and decision.basis.article == "7.1"
        assert decision.requires == ("reason", "second_approval")


def test_basis_names_the_article(app, world):
    orgs, cases = world
    with app.app_context():
        school = Actor(1, orgs["college-voorbeeld"], ["professional"])
        seen = decide(school, "read", Target(KEY, "signaal", cases["college-voorbeeld"], orgs["politie-voorbeeld"]))
        assert seen.basis.label() == "art. 5.2, convenant zorgtafel-su-voorbeeldregio v1"
        hidden = decide(school, "read", Target(KEY, "strafrechtelijk", cases["college-voorbeeld"], orgs["politie-voorbeeld"]))
        assert not hidden.allowed and "strafrechtelijk" in hidden.reason


def test_beheerder_reads_no_case_content_and_manages_users(app, world):
    orgs, cases = world
    with app.app_context():
        admin = Actor(1, orgs["zorgcoordinatie-voorbeeld"], ["beheerder"])
        for category in CATEGORIES:
            assert not decide(admin, "read", Target(KEY, category, cases["nobody"])).allowed
        assert decide(admin, "manage_users").allowed
        assert decide(admin, "manage_convenant").allowed
        coordinator = Actor(2, orgs["zorgcoordinatie-voorbeeld"], ["zorgcoordinator"])
        assert not decide(coordinator, "manage_users").allowed


def test_withdrawn_organisation_loses_everything_that_day(app, world):
    orgs, cases = world
    ggd = Actor(1, orgs["ggd-voorbeeld"], ["professional"])
    own = Target(KEY, "gezondheid", cases["ggd-voorbeeld"], orgs["ggd-voorbeeld"])
    with time_machine.travel(date(2026, 9, 30), tick=False), app.app_context():
        assert decide(ggd, "read", own).allowed
        assert decide(ggd, "register", Target(KEY, "gezondheid")).allowed
    with time_machine.travel(date(2026, 10, 1), tick=False), app.app_context():
        assert not decide(ggd, "read", own).allowed
        assert not decide(ggd, "register", Target(KEY, "signaal")).allowed
        clause = visible_clause(ggd, "read", "signaal", case_id=Case.id, convenant_key=Case.convenant_key)
        assert db.session.scalars(select(Case.id).where(clause)).all() == []


def test_higher_version_supersedes_from_its_effective_from(app, world):
    orgs, cases = world
    v2 = reference_text().replace("version: 1", "version: 2").replace("effective_from: 2026-01-01",
                                                                      "effective_from: 2027-01-01")
    # v2: the school no longer sees the minutes (5.2 without verslag)
    v2 = v2.replace("categories: [signaal, verslag, actiepunt]", "categories: [signaal, actiepunt]")
    with app.app_context():
        load_text(v2, "v2.yaml")
        db.session.commit()
    school = Actor(1, orgs["college-voorbeeld"], ["professional"])
    target = Target(KEY, "verslag", cases["college-voorbeeld"], orgs["politie-voorbeeld"])
    with time_machine.travel(date(2026, 12, 31), tick=False), app.app_context():
        decision = decide(school, "read", target)
        assert decision.allowed and decision.basis.version == 1
    with time_machine.travel(date(2027, 1, 1), tick=False), app.app_context():
        assert not decide(school, "read", target).allowed
        assert decide(school, "read", Target(KEY, "signaal", cases["college-voorbeeld"])).basis.version == 2


def test_several_convenants_never_mix(app, world):
    """A police officer party to a second convenant where the police may read everything
    gets that only for cases under that second convenant."""
    orgs, cases = world
    other = (reference_text().replace("key: zorgtafel-su-voorbeeldregio", "key: tweede-convenant")
             .replace("roles: [zorgcoordinator]\n    actions: [read]", "roles: [zorgcoordinator, professional]\n    actions: [read]"))
    with app.app_context():
        load_text(other, "tweede.yaml")
        subject = Subject()
        db.session.add(subject)
        db.session.flush()
        second = Case(reference="ZT-TWEE-0001", subject_id=subject.id, convenant_key="tweede-convenant",
                      subject_role="jongere")
        db.session.add(second)
        db.session.commit()
        police = Actor(1, orgs["politie-voorbeeld"], ["professional"])
        assert decide(police, "read", Target("tweede-convenant", "gezondheid", second.id)).allowed
        assert not decide(police, "read", Target(KEY, "gezondheid", cases["nobody"], orgs["college-voorbeeld"])).allowed
        clause = visible_clause(police, "read", "gezondheid", case_id=Case.id, convenant_key=Case.convenant_key)
        visible = set(db.session.scalars(select(Case.reference).where(clause)))
        assert visible == {"ZT-TWEE-0001"}


def test_decisions_cached_per_request_not_across(app, world):
    orgs, cases = world
    school = Actor(1, orgs["college-voorbeeld"], ["professional"])
    target = Target(KEY, "signaal", cases["nobody"], orgs["politie-voorbeeld"])
    with app.test_request_context("/"):
        assert not decide(school, "read", target).allowed
        involve(cases["nobody"], orgs["college-voorbeeld"], "coordinator")
        # the write in this request drops the cached involvement
        assert decide(school, "read", Target(KEY, "verslag", cases["nobody"])).allowed
        db.session.commit()
    with app.test_request_context("/"):
        assert decide(school, "read", target).allowed


# -- decide and visible_clause agree on seeded rows --------------------------------------------

rows_strategy = st.lists(
    st.tuples(st.sampled_from(sorted(PARTY_BY_KIND.values())),   # who owns the row
              st.sets(st.sampled_from(sorted(PARTY_BY_KIND.values())), max_size=3)),  # who is involved
    min_size=1, max_size=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy,
       role=st.sampled_from(ROLES),
       actor_org=st.sampled_from(sorted(PARTY_BY_KIND.values())),
       category=st.sampled_from(CATEGORIES),
       action=st.sampled_from(["read", "register", "reveal"]))
def test_visible_clause_agrees_with_decide(app, world, rows, role, actor_org, category, action):
    orgs, _ = world
    from zorgtafel.cases.models import Signal

    with app.app_context():
        nested = db.session.begin_nested()
        actor = Actor(1, orgs[actor_org], [role])
        author = _author(orgs[actor_org])
        ids = []
        for owner, involved_orgs in rows:
            subject = Subject()
            db.session.add(subject)
            db.session.flush()
            case = Case(reference=f"ZT-{secrets.token_hex(2).upper()}-{secrets.token_hex(2).upper()}",
                        subject_id=subject.id, convenant_key=KEY, subject_role="jongere")
            db.session.add(case)
            db.session.flush()
            for org_key in involved_orgs:
                involve(case.id, orgs[org_key], "agenda")
            signal = Signal(case_id=case.id, organisation_id=orgs[owner], author_id=author, category="onderbuikgevoel",
                            data_category="signaal", subject_role="jongere", observed_on=date(2026, 11, 1),
                            urgency="laag", description="")
            db.session.add(signal)
            db.session.flush()
            ids.append(signal.id)
        clause = visible_clause(actor, action, category, case_id=Signal.case_id, convenant_key=Case.convenant_key,
                                organisation_id=Signal.organisation_id)
        by_sql = set(db.session.scalars(select(Signal.id).join(Case, Case.id == Signal.case_id)
                                        .where(Signal.id.in_(ids), clause)))
        by_decide = {s.id for s in db.session.scalars(select(Signal).where(Signal.id.in_(ids)))
                     if decide(actor, action, Target(KEY, category, s.case_id, s.organisation_id)).allowed}
        nested.rollback()
    assert by_sql == by_decide


def _author(org_id: int) -> int:
    from zorgtafel.auth.models import User

    existing = db.session.scalar(select(User.id).where(User.organisation_id == org_id))
    if existing:
        return existing
    user = User(organisation_id=org_id, name="Auteur", email=f"auteur-{secrets.token_hex(4)}@test.nl",
                roles=["professional"])
    db.session.add(user)
    db.session.flush()
    return user.id


def test_involvement_is_one_indexed_lookup(app, world):
    """The EXISTS in visible_clause uses the (case_id, organisation_id, source) index."""
    orgs, _ = world
    from sqlalchemy import text

    with app.app_context():
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        lines = [r[0] for r in db.session.execute(text(
            "EXPLAIN SELECT 1 FROM involvement WHERE case_id = 1 AND organisation_id = 1"))]
        assert any("uq_involvement_case_id" in line for line in lines), lines


def test_beheerder_gets_nothing_even_from_a_rule_naming_it(app, world):
    """Second line of defence: a rule row that names the beheerder grants it nothing."""
    from zorgtafel.convenant.models import Rule

    orgs, cases = world
    with app.app_context():
        from sqlalchemy import text as sql

        rule_id = db.session.scalar(select(Rule.id).where(Rule.article == "5.1"))
        db.session.execute(sql("SET LOCAL session_replication_role = replica"))  # past the immutability trigger
        db.session.execute(sql("UPDATE convenant_rule SET roles = ARRAY['zorgcoordinator', 'beheerder'] WHERE id = :i"),
                           {"i": rule_id})
        admin = Actor(1, orgs["zorgcoordinatie-voorbeeld"], ["beheerder"])
        assert not decide(admin, "read", Target(KEY, "signaal", cases["nobody"])).allowed
        db.session.rollback()
