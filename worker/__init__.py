"""The Celery entry point: ``celery -A worker worker`` and ``celery -A worker beat``.

Tasks live in the domain packages (``tasks.py``, thin); this package only builds the app
and owns the whole beat schedule. The app is built on first use, not at import, so that
reading ``worker.schedule`` (tests, tools) does not start an application.
"""

from __future__ import annotations

_built: dict = {}


def beat_schedule(config) -> dict:
    """The beat schedule for this app's config: ``worker.schedule.BEAT_SCHEDULE``.

    Test-only: under ``ZORGTAFEL_ENV=test`` a ``BEAT_EVERY_SECONDS`` config value (from
    ``ZORGTAFEL_TEST_CONFIG``) makes every entry fire that often, so a test can watch a real
    beat tick several times in seconds. Any other environment ignores it."""
    from worker.schedule import BEAT_SCHEDULE

    every = config.get("BEAT_EVERY_SECONDS")
    if not every or config.get("ZORGTAFEL_ENV") != "test":
        return BEAT_SCHEDULE
    return {name: {**entry, "schedule": float(every)} for name, entry in BEAT_SCHEDULE.items()}


def _build():
    if not _built:
        from zorgtafel import create_app

        flask_app = create_app()
        celery = flask_app.extensions["celery"]
        celery.conf.beat_schedule = beat_schedule(flask_app.config)
        _built.update(flask_app=flask_app, celery=celery, app=celery)
    return _built


def __getattr__(name: str):
    # PEP 562: Celery's "-A worker" looks up ``worker.app`` / ``worker.celery``.
    if name in ("celery", "app", "flask_app"):
        return _build()[name]
    raise AttributeError(name)
