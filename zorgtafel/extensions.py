"""The Flask extensions, created unbound here and bound in ``create_app``."""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect

from zorgtafel.core.models import Base


class Session(FlaskSession):
    """Honour an explicit ``bind`` (tests bind the session to one connection so that each
    test runs inside a savepoint that is rolled back)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": Session}, disable_autonaming=True)
migrate = Migrate(compare_type=True, render_as_batch=False)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(
    key_func=get_remote_address,
    # Throttling must never take the product down: when Redis is away the limits fall
    # back to this process's memory instead of failing the request.
    in_memory_fallback_enabled=True,
    swallow_errors=True,
)


def celery_init_app(app: Flask) -> Celery:
    """Flask's Celery pattern: every task runs inside an application context."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
