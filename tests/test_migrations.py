"""The schema comes only from migrations; they go up and down cleanly on an empty database."""

from __future__ import annotations

import secrets

import psycopg
from sqlalchemy import create_engine, inspect

from tests.conftest import _psycopg_url, _with_database, make_test_config
from zorgtafel import create_app
from zorgtafel.extensions import db


def test_upgrade_downgrade_upgrade_on_empty_database(services):
    name = f"zorgtafel_migr_{secrets.token_hex(4)}"
    with psycopg.connect(_psycopg_url(services.admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = _with_database(services.admin_url, name)
        app = create_app(make_test_config(services, url))
        with app.app_context():
            from flask_migrate import downgrade, upgrade

            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            expected = {t.name for t in db.metadata.sorted_tables}
            assert expected <= tables, f"models without migration: {expected - tables}"
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert expected <= set(inspect(db.engine).get_table_names())
            db.engine.dispose()
    finally:
        with psycopg.connect(_psycopg_url(services.admin_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_models_match_migrations(app):
    """Autogenerate against the migrated database finds nothing to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context():
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == [], diff
