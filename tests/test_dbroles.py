"""Production's two database roles (review M7), against the real PostgreSQL: the owner runs
the migrations and ``zorgtafel db-roles grant``; the runtime role it prepares registers data
and appends to the audit log, but cannot change, empty or unprotect the log.

Everything happens in a throwaway database (migrated here, dropped at the end) with
throwaway login roles (unique names; roles are cluster-wide, so each is dropped again, after
``DROP OWNED BY`` has removed its privileges)."""

from __future__ import annotations

import base64
import secrets

import click
import psycopg
import psycopg.errors
import pytest
from flask.cli import ScriptInfo
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from tests.conftest import _psycopg_url, _with_database, make_test_config
from zorgtafel import create_app
from zorgtafel.core.dbroles import APP_ROLE, scram_verifier
from zorgtafel.extensions import db

PASSWORD = "runtime-" + secrets.token_urlsafe(24)


@pytest.fixture(scope="module")
def owner(services):
    """(app, url) of a fresh database, migrated by the owner (the test's admin role)."""
    name = f"zorgtafel_roles_{secrets.token_hex(4)}"
    with psycopg.connect(_psycopg_url(services.admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(services.admin_url, name)
    try:
        app = create_app(make_test_config(services, url))
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        yield app, url
        with app.app_context():
            db.engine.dispose()
    finally:
        with psycopg.connect(_psycopg_url(services.admin_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Roles:
    """Throwaway roles, all dropped at teardown (after their privileges in the database)."""

    def __init__(self, owner_url: str):
        self.owner_url = _psycopg_url(owner_url)
        self.names: list[str] = []

    def name(self) -> str:
        role = f"zt_rt_{secrets.token_hex(5)}"
        self.names.append(role)
        return role

    def create(self, *options: str) -> str:
        role = self.name()
        self.admin(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}' {' '.join(options)}")
        return role

    def admin(self, sql: str, *params):
        with psycopg.connect(self.owner_url, autocommit=True) as conn:
            cur = conn.execute(sql, params or None)
            return cur.fetchall() if cur.description else None

    def url(self, role: str) -> str:
        return make_url(self.owner_url).set(username=role, password=PASSWORD).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for role in self.names:
            if not self.admin("SELECT 1 FROM pg_roles WHERE rolname = %s", role):
                continue
            self.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", role)
            self.admin(f"DROP OWNED BY {role}")  # this database: privileges, default privileges, objects
            self.admin(f"DROP ROLE {role}")


@pytest.fixture
def roles(owner):
    made = Roles(owner[1])
    try:
        yield made
    finally:
        made.drop_all()
        assert not made.admin("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", made.names)


def grant(app, *args: str):
    """``zorgtafel db-roles grant …`` as registered on the app, run by the owner."""
    return app.test_cli_runner().invoke(args=["db-roles", "grant", *args])


def as_role(roles: Roles, role: str, sql: str):
    """Run ``sql`` connected as ``role`` in a transaction that is rolled back; return the
    database error or None."""
    with psycopg.connect(_psycopg_url(roles.url(role))) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == role
        try:
            conn.execute(sql)
        except psycopg.Error as exc:
            return exc
        finally:
            conn.rollback()
    return None


# -- the command ---------------------------------------------------------------------------------


def test_the_command_sits_next_to_flask_migrates_db_group(owner):
    from zorgtafel.cli import main

    app, _url = owner
    ctx = click.Context(main, obj=ScriptInfo(create_app=lambda: app))
    with ctx:
        commands = main.list_commands(ctx)
    assert "db" in commands and "db-roles" in commands
    assert "upgrade" in main.get_command(ctx, "db").list_commands(ctx)


def test_grant_prepares_a_runtime_role_that_owns_nothing(owner, roles):
    app, _url = owner
    role = roles.create()
    result = grant(app, role)
    assert result.exit_code == 0, result.output
    assert f"lid van {APP_ROLE}" in result.output and "audit_entry" in result.output

    assert roles.admin("SELECT pg_has_role(%s, %s, 'USAGE')", role, APP_ROLE) == [(True,)]
    owned = roles.admin("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = 'public' AND pg_has_role(%s, c.relowner, 'MEMBER')", role)
    assert owned == []
    tables = ["organisation", "case_file", "signal", "audit_entry", "audit_checkpoint", "alembic_version"]
    every = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]
    privileges = dict(roles.admin(
        "SELECT t, array_agg(p ORDER BY p) FILTER (WHERE has_table_privilege(%s, t, p)) "
        "FROM unnest(%s::text[]) t, unnest(%s::text[]) p GROUP BY t", role, tables, every))
    app_rights = ["DELETE", "INSERT", "SELECT", "UPDATE"]
    assert privileges == {"organisation": app_rights, "case_file": app_rights, "signal": app_rights,
                          "audit_entry": ["INSERT", "SELECT"], "audit_checkpoint": ["SELECT"],
                          "alembic_version": ["SELECT"]}
    # the audit rights come from zorgtafel_app only, none is granted to the role itself
    direct = roles.admin("SELECT c.relname FROM pg_class c, aclexplode(c.relacl) a "
                         "WHERE c.relname IN ('audit_entry', 'audit_checkpoint') AND a.grantee = %s::regrole", role)
    assert direct == []
    assert roles.admin("SELECT has_function_privilege(%s, 'audit_purge(integer)', 'EXECUTE'), "
                       "has_sequence_privilege(%s, 'organisation_id_seq', 'USAGE'), "
                       "has_schema_privilege(%s, 'public', 'CREATE')", role, role, role) == [(True, True, False)]


def test_grant_is_idempotent_and_takes_back_what_the_log_must_not_give(owner, roles):
    app, _url = owner
    role = roles.create()
    assert grant(app, role).exit_code == 0

    def snapshot():
        return roles.admin(
            "SELECT c.relname, a.grantee::regrole::text, a.privilege_type FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a "
            "WHERE n.nspname = 'public' ORDER BY 1, 2, 3") + roles.admin(
            "SELECT d.defaclobjtype::text, a.grantee::regrole::text, a.privilege_type "
            "FROM pg_default_acl d, aclexplode(d.defaclacl) a ORDER BY 1, 2, 3") + roles.admin(
            "SELECT roleid::regrole::text FROM pg_auth_members WHERE member = %s::regrole ORDER BY 1", role)

    before = snapshot()
    assert grant(app, role).exit_code == 0
    assert snapshot() == before
    # A leak (a hand-made grant, or default privileges on a table a later migration restricted):
    # the next run takes it back.
    roles.admin(f"GRANT UPDATE, DELETE, TRUNCATE ON audit_entry TO {role}")
    assert as_role(roles, role, "UPDATE audit_entry SET reason = 'x' WHERE false") is None
    assert grant(app, role).exit_code == 0
    assert snapshot() == before
    assert isinstance(as_role(roles, role, "UPDATE audit_entry SET reason = 'x' WHERE false"),
                      psycopg.errors.InsufficientPrivilege)


def test_a_table_created_later_is_usable_by_default_privileges(owner, roles):
    app, _url = owner
    role = roles.create()
    assert grant(app, role).exit_code == 0
    roles.admin("CREATE TABLE zt_later (id serial PRIMARY KEY, note text)")  # as a later migration would
    try:
        assert as_role(roles, role, "INSERT INTO zt_later (note) VALUES ('x'); UPDATE zt_later SET note = 'y'") is None
        assert isinstance(as_role(roles, role, "DROP TABLE zt_later"), psycopg.errors.InsufficientPrivilege)
    finally:
        roles.admin("DROP TABLE zt_later")


def test_grant_refuses_the_owner_itself(owner, roles):
    app, url = owner
    result = grant(app, make_url(url).username)
    assert result.exit_code == 1 and "eigenaar" in result.output


def test_grant_refuses_a_role_that_owns_a_table_and_changes_nothing(owner, roles):
    app, _url = owner
    role = roles.create()
    roles.admin(f"CREATE TABLE zt_owned_{role} (id int)")
    roles.admin(f"ALTER TABLE zt_owned_{role} OWNER TO {role}")
    result = grant(app, role)
    assert result.exit_code == 1 and f"zt_owned_{role}" in result.output
    assert roles.admin("SELECT pg_has_role(%s, %s, 'MEMBER')", role, APP_ROLE) == [(False,)]
    assert roles.admin("SELECT has_table_privilege(%s, 'organisation', 'INSERT')", role) == [(False,)]


@pytest.mark.parametrize("option,reason", [("SUPERUSER", "superuser"), ("CREATEROLE", "CREATEROLE")])
def test_grant_refuses_roles_that_rights_do_not_bind(owner, roles, option, reason):
    app, _url = owner
    role = roles.create(option)
    result = grant(app, role)
    assert result.exit_code == 1 and reason in result.output


def test_grant_refuses_a_member_of_the_owner(owner, roles):
    app, url = owner
    role = roles.create()
    roles.admin(f"GRANT {make_url(url).username} TO {role}")
    result = grant(app, role)
    assert result.exit_code == 1 and "lid van" in result.output


def test_grant_needs_an_existing_role_or_a_password(owner, roles, monkeypatch):
    app, _url = owner
    result = grant(app, roles.name())
    assert result.exit_code == 1 and "bestaat niet" in result.output
    monkeypatch.setenv("ZT_TEST_RUNTIME_PASSWORD", "kort")
    result = grant(app, roles.name(), "--password-env", "ZT_TEST_RUNTIME_PASSWORD")
    assert result.exit_code == 1 and "16 tekens" in result.output
    monkeypatch.delenv("ZT_TEST_RUNTIME_PASSWORD")
    result = grant(app, roles.name(), "--password-env", "ZT_TEST_RUNTIME_PASSWORD")
    assert result.exit_code == 1 and "ZT_TEST_RUNTIME_PASSWORD" in result.output


def _recompute(stored: str, password: str) -> str:
    _method, rest = stored.split("$", 1)
    iterations, salt = rest.split("$", 1)[0].split(":")
    return scram_verifier(password, salt=base64.b64decode(salt), iterations=int(iterations))


def test_password_env_creates_the_role_with_a_scram_verifier_made_here(owner, roles, monkeypatch):
    app, _url = owner
    # The verifier format is PostgreSQL's own: recompute the one the server makes from a plain password.
    probe = roles.create()
    with psycopg.connect(roles.owner_url, autocommit=True) as conn:
        conn.execute("SET password_encryption = 'scram-sha-256'")
        conn.execute(f"ALTER ROLE {probe} PASSWORD '{PASSWORD}'")
        stored = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (probe,)).fetchone()[0]
    assert stored.startswith("SCRAM-SHA-256$") and _recompute(stored, PASSWORD) == stored

    role = roles.name()
    monkeypatch.setenv("ZT_TEST_RUNTIME_PASSWORD", PASSWORD)
    result = grant(app, role, "--password-env", "ZT_TEST_RUNTIME_PASSWORD")
    assert result.exit_code == 0, result.output
    assert "aangemaakt" in result.output
    (stored, can_login, inherit), = roles.admin(
        "SELECT rolpassword, rolcanlogin, rolinherit FROM pg_authid WHERE rolname = %s", role)
    assert can_login and inherit and _recompute(stored, PASSWORD) == stored
    # again: the password is set anew (a rotated .env takes effect), the role stays
    result = grant(app, role, "--password-env", "ZT_TEST_RUNTIME_PASSWORD")
    assert result.exit_code == 0 and "bijgewerkt" in result.output
    assert as_role(roles, role, "SELECT count(*) FROM audit_entry") is None


# -- the runtime role at work ---------------------------------------------------------------------


@pytest.fixture
def runtime(owner, roles):
    app, _url = owner
    role = roles.create()
    assert grant(app, role).exit_code == 0
    return role


@pytest.mark.parametrize("sql", [
    "UPDATE audit_entry SET reason = 'niets gezien'",
    "DELETE FROM audit_entry",
    "TRUNCATE audit_entry",
    "DROP TRIGGER audit_entry_append_only ON audit_entry",
    "DROP TRIGGER audit_entry_no_truncate ON audit_entry",
    "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only",
    "ALTER TABLE audit_entry OWNER TO CURRENT_USER",
    "ALTER TABLE audit_entry ADD COLUMN note text",
    "DROP TABLE audit_entry",
    "DROP FUNCTION audit_refuse_change() CASCADE",
    "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$",
    "INSERT INTO audit_checkpoint (seq, hash, deleted, days) VALUES (5, repeat('a', 64), 5, 1)",
    "UPDATE audit_checkpoint SET days = 1",
    "DELETE FROM audit_checkpoint",
    "TRUNCATE audit_checkpoint",
    "SET session_replication_role = replica",
    "TRUNCATE organisation",
    "ALTER TABLE organisation DISABLE TRIGGER ALL",
    "DROP TRIGGER convenant_immutable ON convenant",
    "CREATE TABLE zt_mine (id int)",
])
def test_runtime_role_cannot_change_or_unprotect_the_log(roles, runtime, sql):
    error = as_role(roles, runtime, sql)
    assert isinstance(error, psycopg.errors.InsufficientPrivilege), (sql, error)


def test_runtime_role_registers_and_appends_in_plain_sql(roles, runtime):
    assert as_role(roles, runtime, """
        INSERT INTO organisation (key, name, kind, created_at) VALUES ('zt-rt', 'Runtime', 'onderwijs', now());
        UPDATE organisation SET name = 'Runtime bijgewerkt' WHERE key = 'zt-rt';
        DELETE FROM organisation WHERE key = 'zt-rt';
        INSERT INTO audit_entry (seq, time, action, outcome, prev_hash, hash)
            VALUES (1000000, now(), 'read', 'allowed', repeat('0', 64), repeat('0', 64));
        SELECT * FROM audit_purge(1825);
    """) is None


@pytest.mark.committed  # not bound to the session database's test transaction: this app has its own
def test_the_app_runs_as_the_runtime_role(services, roles, runtime, tmp_path):
    """The normal paths: an account created, a failed and a good login (audit entries with
    the chain, a server-side session), an organisation renamed, the chain verified and purged."""
    from tests.helpers.fixtures import AuthActions, Factory
    from zorgtafel.audit import operations as ops
    from zorgtafel.audit.models import AuditEntry
    from zorgtafel.auth.models import AuthSession, Organisation

    url = make_url(roles.url(runtime)).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    # its own anchor file: the session's holds the heads of the session database's chain
    app = create_app(make_test_config(services, url, AUDIT_ANCHOR_PATH=str(tmp_path / "anchors.log")))
    try:
        with app.app_context():
            assert db.session.scalar(text("SELECT current_user")) == runtime
            db.session.rollback()
        account = Factory(app).user("professional")
        client = app.test_client()
        page = client.get("/inloggen")
        from tests.helpers.fixtures import csrf_token

        failed = client.post("/inloggen", data={"email": account.email, "password": "fout-fout-fout-fout",
                                                "csrf_token": csrf_token(page.text)})
        assert failed.status_code == 200
        assert AuthActions(app, client).login(account).status_code == 200
        with app.app_context():
            organisation = db.session.get(Organisation, account.organisation_id)
            organisation.name = "Hernoemd door de app"
            db.session.commit()
            actions = [(e.action, e.outcome) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
            assert ("login", "failure") in actions and ("login", "success") in actions
            assert db.session.scalar(select(AuthSession).where(AuthSession.user_id == account.id)) is not None
            assert ops.verify().ok
            assert ops.purge_older_than(1825) == 0
            db.session.commit()
            with pytest.raises(Exception) as refused:
                db.session.execute(text("UPDATE audit_entry SET reason = 'weg'"))
            assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege)
            db.session.rollback()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
