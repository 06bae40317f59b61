"""The Celery entry point: ``celery -A worker worker`` and ``celery -A worker beat``.

Tasks live in the domain packages (``tasks.py``, thin); this package only builds the app
and owns the whole beat schedule. The app is built on first use, not at import, so that
reading ``worker.schedule`` (tests, tools) does not start an application.
"""

from __future__ import annotations

_built: dict = {}


def _build():
    if not _built:
        from worker.schedule import BEAT_SCHEDULE
        from zorgtafel import create_app

        flask_app = create_app()
        celery = flask_app.extensions["celery"]
        celery.conf.beat_schedule = BEAT_SCHEDULE
        _built.update(flask_app=flask_app, celery=celery, app=celery)
    return _built


def __getattr__(name: str):
    # PEP 562: Celery's "-A worker" looks up ``worker.app`` / ``worker.celery``.
    if name in ("celery", "app", "flask_app"):
        return _build()[name]
    raise AttributeError(name)
