"""Alembic environment: the migrations are the only source of the schema, tests included.

Logging is left to the application (JSON lines); a connection handed in through
``config.attributes["connection"]`` is used as is, so tests migrate inside their own setup.
"""

from alembic import context
from flask import current_app

config = context.config
target_db = current_app.extensions["migrate"].db


def run_migrations_online() -> None:
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    given = config.attributes.get("connection")
    if given is not None:
        context.configure(connection=given, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
        return
    with target_db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    context.configure(url=str(target_db.engine.url), target_metadata=target_db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
