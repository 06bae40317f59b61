"""The whole beat schedule in one dict. Due-ness lives in PostgreSQL; these sweeps only
look every so often, so a missed tick loses nothing."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {}
