"""The Celery entry point: ``celery -A worker worker`` and ``celery -A worker beat``.

Tasks live in the domain packages (``tasks.py``, thin); this package only builds the app
and owns the whole beat schedule."""

from zorgtafel import create_app
from worker.schedule import BEAT_SCHEDULE

flask_app = create_app()
celery = app = flask_app.extensions["celery"]
celery.conf.beat_schedule = BEAT_SCHEDULE
