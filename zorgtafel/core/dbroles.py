"""Database roles for production: the OWNER migrates, a RUNTIME login role runs the app.

Privileges do not bind a table's owner, and an owner (or a superuser) can drop the audit
log's append-only trigger. So production uses two roles (security review M7):

- the **owner** owns the schema and runs ``zorgtafel db upgrade`` and this command, and
  nothing else connects as it;
- the **runtime** role (web, worker, beat, and the operator's ``zorgtafel`` commands) logs
  in, owns nothing, is no superuser, cannot create roles, is not a member of the owner,
  and is a member of ``zorgtafel_app`` (migration 0003), from which alone it gets its
  rights on the audit tables: SELECT/INSERT on ``audit_entry``, SELECT on
  ``audit_checkpoint``, EXECUTE on ``audit_purge``. On every other application table it
  gets SELECT/INSERT/UPDATE/DELETE (no TRUNCATE, REFERENCES or TRIGGER), USAGE/SELECT on
  the sequences, and SELECT on ``alembic_version``.

``zorgtafel db-roles grant ROLE`` applies this as the owner, in one transaction, and is
idempotent: run it after every migration (the compose ``migrate`` service does). It first
revokes the role's direct table privileges, so a table that moved into the restricted set
loses them in the same commit that grants the rest. A table is *restricted* when a
migration granted ``zorgtafel_app`` rights on it (0003 does for the audit tables): a future
append-only table follows the same rule and the runtime role gets nothing on it directly.
Default privileges (for objects the owner creates later) cover the time between a
migration and this command; the triggers stop the owner's own writes regardless.

Before committing it checks the outcome with ``has_table_privilege`` and refuses (rolls
back, exit code 1) when the audit tables would still be writable or the role would own
anything. Removing the role later: ``DROP OWNED BY role`` in the database, then ``DROP ROLE``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import sys
from dataclasses import dataclass, field

import click
from flask.cli import AppGroup
from sqlalchemy import text
from sqlalchemy.engine import Connection

APP_ROLE = "zorgtafel_app"
#: the tables migration 0003 restricts; the check after granting insists on these.
AUDIT_TABLES = ("audit_entry", "audit_checkpoint")
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
#: advisory lock key: two migrate runs at once apply the grants one after the other.
LOCK_KEY = 75130002
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
#: printable ASCII without spaces: SASLprep leaves it unchanged, so the verifier computed
#: here is the one the server would compute.
PASSWORD = re.compile(r"^[\x21-\x7e]{16,}$")
SCRAM_ITERATIONS = 4096

#: (table, privilege, expected) checked for the runtime role before the commit.
EXPECTED_AUDIT_PRIVILEGES = (
    [("audit_entry", p, True) for p in ("SELECT", "INSERT")]
    + [("audit_entry", p, False) for p in ("UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")]
    + [("audit_checkpoint", "SELECT", True)]
    + [("audit_checkpoint", p, False) for p in ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")]
)


class RoleError(RuntimeError):
    """The runtime role cannot be set up safely; the message says why (in Dutch, for the operator)."""


@dataclass
class GrantReport:
    role: str
    created: bool = False
    password_set: bool = False
    tables: list[str] = field(default_factory=list)
    restricted: list[str] = field(default_factory=list)
    sequences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.created:
            out.append(f"Rol {self.role} aangemaakt (LOGIN).")
        elif self.password_set:
            out.append(f"Wachtwoord van rol {self.role} bijgewerkt.")
        out.append(f"{self.role}: lid van {APP_ROLE}; {TABLE_PRIVILEGES} op {len(self.tables)} tabellen, "
                   f"USAGE/SELECT op {len(self.sequences)} sequences; alleen via {APP_ROLE}: "
                   f"{', '.join(self.restricted)}.")
        out.extend(self.notes)
        return out


def scram_verifier(password: str, *, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS) -> str:
    """PostgreSQL's SCRAM-SHA-256 verifier for ``password`` (RFC 5802/7677), computed here so
    the plain password never travels to the server or into its statement log."""
    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")
    b64 = lambda raw: base64.b64encode(raw).decode("ascii")  # noqa: E731
    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def grant_runtime(conn: Connection, role: str, password: str | None = None) -> GrantReport:
    """Create (with ``password``) or check ``role`` and grant it the runtime rights.

    Runs on ``conn`` inside the caller's transaction, which must belong to the owner; raises
    ``RoleError`` (the caller rolls back) when the result would not be safe."""
    if not ROLE_NAME.match(role):
        raise RoleError(f"ongeldige rolnaam {role!r}: kleine letters, cijfers en _, hoogstens 63 tekens")
    if role == APP_ROLE:
        raise RoleError(f"{APP_ROLE} is de groepsrol (NOLOGIN); geef de login-rol die de app gebruikt")
    if password is not None and not PASSWORD.match(password):
        raise RoleError("het wachtwoord moet minstens 16 tekens zijn, zichtbare ASCII zonder spaties "
                        "(bijvoorbeeld secrets.token_urlsafe(32))")
    q = _quote(conn, role)
    report = GrantReport(role)

    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    owner, schema, namespace, database, version = conn.execute(text(
        "SELECT current_user, current_schema(), (SELECT oid FROM pg_namespace WHERE nspname = current_schema()), "
        "current_database(), current_setting('server_version_num')::int"
    )).one()
    if schema is None:
        raise RoleError("geen schema: de search_path van de eigenaar wijst nergens heen")
    s, app = _quote(conn, schema), _quote(conn, APP_ROLE)
    if role == owner:
        raise RoleError(f"{role} is de rol waarmee deze opdracht draait, de eigenaar; de app heeft een eigen "
                        "login-rol nodig die niets bezit")
    if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}).first():
        raise RoleError(f"rol {APP_ROLE} bestaat niet: voer eerst de migraties uit (zorgtafel db upgrade)")

    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if password is not None:
        verifier = scram_verifier(password)  # only [A-Za-z0-9+/=$:-]: safe between quotes
        if exists:
            conn.exec_driver_sql(f"ALTER ROLE {q} WITH LOGIN PASSWORD '{verifier}'")
            report.password_set = True
        else:
            conn.exec_driver_sql(f"CREATE ROLE {q} WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE "
                                 f"PASSWORD '{verifier}'")
            report.created = report.password_set = True
    elif not exists:
        raise RoleError(f"rol {role} bestaat niet: maak hem aan (CREATE ROLE {role} LOGIN PASSWORD …) of geef "
                        "--password-env, dan maakt deze opdracht hem aan")

    _refuse_unsafe_role(conn, role, owner, database, namespace)

    # Direct table rights from scratch (same transaction: nobody sees the gap).
    conn.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {q}")
    conn.exec_driver_sql(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {q}")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {s} TO {q}")
    if not conn.execute(text("SELECT has_database_privilege(:r, current_database(), 'CONNECT')"),
                        {"r": role}).scalar():
        conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {_quote(conn, database)} TO {q}")

    rows = conn.execute(text("""
        SELECT c.relname,
               EXISTS (SELECT 1 FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
                       WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = :app)) AS restricted
        FROM pg_class c
        WHERE c.relnamespace = :ns AND c.relkind IN ('r', 'p', 'v', 'f')
        ORDER BY c.relname
    """), {"app": APP_ROLE, "ns": namespace}).all()
    restricted = {name for name, is_restricted in rows if is_restricted}
    missing = [t for t in AUDIT_TABLES if t not in restricted]
    if missing:
        raise RoleError(f"{', '.join(missing)} zonder rechten voor {APP_ROLE}: voer eerst de migraties uit")
    for name, is_restricted in rows:
        if is_restricted:
            report.restricted.append(name)
        elif name == "alembic_version":
            conn.exec_driver_sql(f"GRANT SELECT ON {_quote(conn, name)} TO {q}")
        else:
            conn.exec_driver_sql(f"GRANT {TABLE_PRIVILEGES} ON {_quote(conn, name)} TO {q}")
            report.tables.append(name)

    # Sequences, except those owned by a restricted table (audit_checkpoint's id: only
    # audit_purge, running as the owner, inserts there).
    sequences = conn.execute(text("""
        SELECT s.relname, t.relname AS owner_table
        FROM pg_class s
        LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
                             AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
        LEFT JOIN pg_class t ON t.oid = d.refobjid
        WHERE s.relnamespace = :ns AND s.relkind = 'S'
        ORDER BY s.relname
    """), {"ns": namespace}).all()
    for name, owner_table in sequences:
        if owner_table not in restricted:
            conn.exec_driver_sql(f"GRANT USAGE, SELECT ON SEQUENCE {_quote(conn, name)} TO {q}")
            report.sequences.append(name)

    # Membership of the application role, with its privileges inherited (no SET ROLE needed).
    inherit = " WITH INHERIT TRUE" if version >= 160000 else ""
    conn.exec_driver_sql(f"GRANT {app} TO {q}{inherit}")

    # Objects the owner creates in later migrations: usable before this command runs again.
    defaults = f"ALTER DEFAULT PRIVILEGES FOR ROLE {_quote(conn, owner)} IN SCHEMA {s}"
    conn.exec_driver_sql(f"{defaults} GRANT {TABLE_PRIVILEGES} ON TABLES TO {q}")
    conn.exec_driver_sql(f"{defaults} GRANT USAGE, SELECT ON SEQUENCES TO {q}")

    # Creating objects in the schema would let the role shadow names that audit_purge
    # (SECURITY DEFINER, search_path = this schema) resolves. PostgreSQL 15+ already
    # withholds CREATE from PUBLIC; older servers and explicit grants are closed here.
    if conn.execute(text("SELECT has_schema_privilege(:r, current_schema(), 'CREATE')"), {"r": role}).scalar():
        conn.exec_driver_sql(f"REVOKE CREATE ON SCHEMA {s} FROM {q}")
        if conn.execute(text("SELECT has_schema_privilege(:r, current_schema(), 'CREATE')"), {"r": role}).scalar():
            conn.exec_driver_sql(f"REVOKE CREATE ON SCHEMA {s} FROM PUBLIC")
            report.notes.append(f"CREATE op schema {schema} ingetrokken voor PUBLIC.")

    _check(conn, role, schema)
    return report


def _refuse_unsafe_role(conn: Connection, role: str, owner: str, database: str, namespace: int) -> None:
    attrs = conn.execute(text("SELECT oid, rolsuper, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname = :r"),
                         {"r": role}).one()
    if attrs.rolsuper:
        raise RoleError(f"{role} is superuser: rechten en de alleen-toevoegen-regel binden een superuser niet")
    if attrs.rolcreaterole:
        raise RoleError(f"{role} heeft CREATEROLE (kan zich rechten van andere rollen geven): ALTER ROLE {role} "
                        "NOCREATEROLE")
    if not attrs.rolcanlogin:
        raise RoleError(f"{role} kan niet inloggen (NOLOGIN): ALTER ROLE {role} LOGIN, of geef --password-env")
    if conn.execute(text("SELECT pg_has_role(:r, :o, 'MEMBER')"), {"r": role, "o": owner}).scalar():
        raise RoleError(f"{role} is lid van de eigenaar {owner} en heeft daarmee diens rechten: REVOKE {owner} "
                        f"FROM {role}")
    if conn.execute(text("SELECT datdba = :oid FROM pg_database WHERE datname = :d"),
                    {"oid": attrs.oid, "d": database}).scalar():
        raise RoleError(f"{role} is eigenaar van database {database}; de app heeft een rol nodig die niets bezit")
    owned = conn.execute(text("""
        SELECT pg_describe_object(classid, objid, objsubid) FROM pg_shdepend
        WHERE refclassid = 'pg_authid'::regclass AND refobjid = :oid AND deptype = 'o'
          AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY 1 LIMIT 5
    """), {"oid": attrs.oid}).scalars().all()
    if owned:
        raise RoleError(f"{role} is eigenaar van {', '.join(owned)}: een eigenaar is niet gebonden aan rechten en kan "
                        "de triggers van het logboek verwijderen; maak de eigenaar van de migraties eigenaar "
                        f"(REASSIGN OWNED BY {role} TO {owner}) of kies een andere rol")
    # Membership of whichever role owns the schema or something in it acts as ownership.
    owners = conn.execute(text("""
        SELECT DISTINCT pg_get_userbyid(o) FROM (
            SELECT nspowner AS o FROM pg_namespace WHERE oid = :ns
            UNION SELECT relowner FROM pg_class WHERE relnamespace = :ns
            UNION SELECT proowner FROM pg_proc WHERE pronamespace = :ns
        ) owners WHERE pg_has_role(:r, o, 'MEMBER') ORDER BY 1
    """), {"ns": namespace, "r": role}).scalars().all()
    if owners:
        raise RoleError(f"{role} is (lid van) {', '.join(owners)}, eigenaar in dit schema: REVOKE … FROM {role}, "
                        "of kies een andere rol")


def _check(conn: Connection, role: str, schema: str) -> None:
    """The promised outcome, or a RoleError (and the caller rolls everything back)."""
    wrong = []
    for table, privilege, expected in EXPECTED_AUDIT_PRIVILEGES:
        has = conn.execute(text("SELECT has_table_privilege(:r, :t, :p)"),
                           {"r": role, "t": f"{_quote(conn, schema)}.{table}", "p": privilege}).scalar()
        if has != expected:
            wrong.append(f"{privilege} op {table} {'ontbreekt' if expected else 'is toegestaan'}")
    if not conn.execute(text("SELECT has_function_privilege(:r, :f, 'EXECUTE')"),
                        {"r": role, "f": f"{_quote(conn, schema)}.audit_purge(integer)"}).scalar():
        wrong.append("EXECUTE op audit_purge ontbreekt")
    if not conn.execute(text("SELECT pg_has_role(:r, :a, 'USAGE')"), {"r": role, "a": APP_ROLE}).scalar():
        wrong.append(f"de rechten van {APP_ROLE} worden niet geërfd (ALTER ROLE {role} INHERIT)")
    if conn.execute(text("SELECT has_schema_privilege(:r, current_schema(), 'CREATE')"), {"r": role}).scalar():
        wrong.append(f"CREATE op schema {schema} (via een andere rol)")
    if wrong:
        raise RoleError(f"de rechten van {role} kloppen niet: " + "; ".join(wrong))


# -- the command -------------------------------------------------------------------------------

db_roles_cli = AppGroup("db-roles", help="Databaserollen voor productie: eigenaar (migraties) en de rol van de app.")


@db_roles_cli.command("grant")
@click.argument("runtime_role")
@click.option("--password-env", metavar="VARIABELE",
              help="omgevingsvariabele met het wachtwoord van de rol: maakt de rol aan als hij ontbreekt en zet "
                   "anders het wachtwoord opnieuw (alleen de SCRAM-hash gaat naar de server)")
def grant(runtime_role: str, password_env: str | None):
    """Geef RUNTIME_ROLE de rechten van de app (lid van zorgtafel_app, geen eigenaar, het logboek alleen lezen en
    toevoegen). Draai als eigenaar, na elke migratie; herhalen is veilig."""
    from zorgtafel.extensions import db

    password = None
    if password_env:
        password = os.environ.get(password_env) or None
        if password is None:
            click.echo(f"Fout: {password_env} is leeg of niet gezet.", err=True)
            sys.exit(1)
    try:
        with db.engine.begin() as conn:
            report = grant_runtime(conn, runtime_role, password)
    except RoleError as exc:
        click.echo(f"Fout: {exc}", err=True)
        sys.exit(1)
    for line in report.lines():
        click.echo(line)
