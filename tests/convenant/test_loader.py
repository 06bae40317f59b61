"""Loading convenants: the reference loads unchanged; invalid files are refused whole,
naming file, line and field; versions are immutable and supersede by effective_from."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from tests.helpers.convenant import REFERENCE, SHARED_REFERENCE, load_reference, reference_text
from zorgtafel.auth.models import Organisation
from zorgtafel.convenant.loader import ConvenantRefused, load_text
from zorgtafel.convenant.models import Convenant, Party, Rule
from zorgtafel.extensions import db


def test_copy_is_the_shared_reference():
    if not SHARED_REFERENCE.exists():
        pytest.skip("../shared is not next to this clone")
    assert REFERENCE.read_bytes() == SHARED_REFERENCE.read_bytes()


def test_reference_loads_unchanged_through_the_cli(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["convenant", "load", str(REFERENCE)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "zorgtafel-su-voorbeeldregio 1"
    with app.app_context():
        convenant = db.session.scalar(select(Convenant))
        assert convenant.source_text == reference_text()
        assert [r.article for r in convenant.rules] == ["5.1", "5.2", "5.3", "5.4", "5.5", "6.1", "6.2", "6.3",
                                                        "7.1", "8.1", "9.1", "9.2"]
        assert len(convenant.parties) == 7
        ggd = next(p for p in convenant.parties if p.organisation.key == "ggd-voorbeeld")
        assert str(ggd.left_on) == "2026-10-01"
        assert convenant.deadlines["match"] == {"hoog": 1, "midden": 3, "laag": 5}  # defaults apply


def test_loading_the_same_version_twice_is_refused(app):
    load_reference(app)
    result = app.test_cli_runner().invoke(args=["convenant", "load", str(REFERENCE)])
    assert result.exit_code == 1
    # file, line and field, like every other refusal (version: 1 stands on line 6)
    assert "convenant-voorbeeld.yaml, regel 6, veld version: versie 1 van zorgtafel-su-voorbeeldregio " \
           "kan niet worden geladen" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Convenant)) == 1


def test_lower_version_refused_higher_accepted(ctx):
    v2 = reference_text().replace("version: 1", "version: 2")
    load_text(v2, "v2.yaml")
    with pytest.raises(ConvenantRefused, match=r"^v1\.yaml, regel 6, veld version: .*versie 2 is al geladen"):
        load_text(reference_text(), "v1.yaml")
    # the line is the line of this file's version, wherever it stands
    moved = reference_text().replace("version: 1\n", "").replace("effective_until:", "version: 2\neffective_until:")
    line = moved.splitlines().index("version: 2") + 1
    assert line != 6
    with pytest.raises(ConvenantRefused, match=rf"^verplaatst\.yaml, regel {line}, veld version: .*versie 2 is al geladen"):
        load_text(moved, "verplaatst.yaml")
    load_text(reference_text().replace("version: 1", "version: 3"), "v3.yaml")
    assert sorted(db.session.scalars(select(Convenant.version))) == [2, 3]


def test_loaded_versions_are_immutable(ctx):
    load_text(reference_text(), "x.yaml")
    db.session.commit()
    with pytest.raises(Exception, match="immutable"):
        with db.session.begin_nested():
            db.session.execute(text("UPDATE convenant_rule SET scope = 'all'"))
    with pytest.raises(Exception, match="immutable"):
        with db.session.begin_nested():
            db.session.execute(text("DELETE FROM convenant_party"))


def test_organisations_created_or_matched_by_key(ctx):
    existing = Organisation(key="politie-voorbeeld", name="Bestaande politie", kind="politie")
    db.session.add(existing)
    db.session.flush()
    load_text(reference_text(), "x.yaml")
    politie = db.session.scalars(select(Organisation).where(Organisation.key == "politie-voorbeeld")).all()
    assert len(politie) == 1 and politie[0].id == existing.id
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 7


def test_organisation_with_other_kind_refused(ctx):
    db.session.add(Organisation(key="politie-voorbeeld", name="X", kind="gemeente"))
    db.session.flush()
    with pytest.raises(ConvenantRefused) as refused:
        load_text(reference_text(), "x.yaml")
    # kind: politie of the first organisation stands on line 52
    assert str(refused.value) == ("x.yaml, regel 52, veld organisations[0].kind: organisatie 'politie-voorbeeld' "
                                  "bestaat al als 'gemeente', niet 'politie'")


def test_organisation_kind_clash_through_the_cli_names_the_line(app, tmp_path):
    from tests.helpers.fixtures import Factory

    Factory(app).organisation("onderwijs", key="jeugdggz-voorbeeld")
    text_ = reference_text()
    line = text_.splitlines().index("  - key: jeugdggz-voorbeeld") + 3  # key, name, kind
    assert text_.splitlines()[line - 1].strip() == "kind: jeugd-ggz"
    path = tmp_path / "soort.yaml"
    path.write_text(text_, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["convenant", "load", str(path)])
    assert result.exit_code == 1
    assert f"soort.yaml, regel {line}, veld organisations[1].kind: organisatie 'jeugdggz-voorbeeld' bestaat al" \
           in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Convenant)) == 0


REF = reference_text()
INVALID = [
    ("unknown category in a rule",
     REF.replace("categories: [signaal, verslag, actiepunt]", "categories: [signaal, verslog, actiepunt]"),
     "regel 91", "rules[1].categories[1]", "onbekende gegevenscategorie 'verslog'"),
    ("unknown organisation kind", REF.replace("kind: onderwijs", "kind: school"),
     "regel 64", "organisations[3].kind", "onbekende waarde 'school'"),
    ("unknown organisation kind in a rule", REF.replace("organisation_kinds: [politie]\n    roles: [professional]\n    actions: [read]",
                                                        "organisation_kinds: [polisie]\n    roles: [professional]\n    actions: [read]"),
     "regel", "rules[4].organisation_kinds[0]", "onbekende waarde 'polisie'"),
    ("unknown action", REF.replace("actions: [plan_meeting", "actions: [plan_meetings"),
     "regel 139", "rules[9].actions[0]", "onbekende waarde 'plan_meetings'"),
    ("unknown scope", REF.replace("scope: involved\n  - article: \"5.3\"", "scope: betrokken\n  - article: \"5.3\""),
     "regel 92", "rules[1].scope", "onbekende waarde 'betrokken'"),
    ("overlapping parties", REF.replace("key: college-voorbeeld", "key: politie-voorbeeld").replace(
        "name: Voorbeeld College (mbo)\n    kind: onderwijs", "name: Voorbeeld College (mbo)\n    kind: politie"),
     "regel 62", "organisations[3].key", "overlappende periodes"),
    ("left_on before joined_on", REF.replace("    left_on: 2026-10-01", "    left_on: 2025-10-01"),
     "regel 70", "organisations[5]", "left_on ligt vóór joined_on"),
    ("missing article", REF.replace('  - article: "9.1"\n', "  -\n"),
     "regel 141", "rules[10].article", "ontbreekt"),
    ("unknown role", REF.replace("roles: [privacy]", "roles: [dpo]"),
     "regel", "rules[10].roles[0]", "onbekende waarde 'dpo'"),
    ("misspelt field", REF.replace("purpose: >", "purpos: >"), "regel 9", "purpos", "onbekend veld"),
    ("bad date", REF.replace("effective_from: 2026-01-01", "effective_from: 1 januari"),
     "regel 7", "effective_from", "datum"),
    ("audit log kept too short", REF.replace("audit_log_days: 1825", "audit_log_days: 365"),
     "regel", "retention.audit_log_days", "minstens 1825"),
]


@pytest.mark.parametrize("name,text_,line,field,message", INVALID, ids=[i[0] for i in INVALID])
def test_invalid_files_are_refused_whole(app, tmp_path, name, text_, line, field, message):
    path = tmp_path / "kapot.yaml"
    path.write_text(text_, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["convenant", "load", str(path)])
    assert result.exit_code == 1
    assert "kapot.yaml" in result.output
    assert line in result.output
    assert f"veld {field}" in result.output
    assert message in result.output
    with app.app_context():  # loads nothing: no convenant, no organisations, no rules
        assert db.session.scalar(select(func.count()).select_from(Convenant)) == 0
        assert db.session.scalar(select(func.count()).select_from(Rule)) == 0
        assert db.session.scalar(select(func.count()).select_from(Party)) == 0
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_unreadable_file(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["convenant", "load", str(tmp_path / "bestaat-niet.yaml")])
    assert result.exit_code == 1
    assert "bestaat-niet.yaml" in result.output


def test_own_deadlines_change_the_defaults(ctx):
    text_ = REF.replace("matching:", "deadlines:\n  match: {hoog: 0, midden: 2, laag: 4}\n  in_weging: 7\n\nmatching:")
    convenant = load_text(text_, "eigen.yaml")
    assert convenant.deadlines["match"] == {"hoog": 0, "midden": 2, "laag": 4}
    assert convenant.deadlines["in_weging"] == 7
    assert convenant.deadlines["minutes_approval"] == 3


def test_beheerder_cannot_be_given_rights_by_a_convenant(app, tmp_path):
    """Separation of duties: a beheerder who loads a convenant cannot grant itself case access."""
    text_ = REF.replace("roles: [zorgcoordinator]\n    actions: [read]", "roles: [zorgcoordinator, beheerder]\n    actions: [read]")
    path = tmp_path / "greep.yaml"
    path.write_text(text_, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["convenant", "load", str(path)])
    assert result.exit_code == 1 and "beheerder krijgt geen rechten" in result.output
