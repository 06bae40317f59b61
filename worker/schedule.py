"""The whole beat schedule in one dict. Due-ness lives in PostgreSQL; these sweeps only
look every so often, so a missed tick loses nothing."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    # The audit chain's head, written outside the database (zorgtafel/audit/tasks.py).
    "audit-anchor": {"task": "zorgtafel.audit.anchor", "schedule": crontab(minute="*/10")},
    # notify (zorgtafel/notify/tasks.py). "expires": a tick the worker did not get to in
    # time is dropped, not stacked; the next tick does the same work.
    "notify-outbox-relay": {"task": "zorgtafel.notify.relay_outbox", "schedule": 60.0,
                            "options": {"expires": 55}},
    "notify-delivery-sweep": {"task": "zorgtafel.notify.sweep_deliveries", "schedule": 60.0,
                              "options": {"expires": 55}},
    "notify-digest-sweep": {"task": "zorgtafel.notify.sweep_digests", "schedule": crontab(minute="*/5"),
                            "options": {"expires": 280}},
    # privacy (zorgtafel/privacy/tasks.py): the convenants' retention, daily at night.
    "privacy-retention": {"task": "zorgtafel.privacy.retention", "schedule": crontab(hour=3, minute=15),
                          "options": {"expires": 3600}},
    # follow-up queue (zorgtafel/followup/tasks.py): conditions no event announces, and the
    # coordinators' daily overview (once per person per day, however often it runs).
    "followup-sweep": {"task": "zorgtafel.followup.sweep", "schedule": crontab(minute="*/5"),
                       "options": {"expires": 280}},
    "followup-digest": {"task": "zorgtafel.followup.digest", "schedule": crontab(hour=7, minute=0),
                        "options": {"expires": 3600}},
    # meetings (zorgtafel/meetings/tasks.py): action reminders before and on the due date
    # and the escalation when overdue; minutes not approved in time. Each sent once.
    "meetings-action-reminders": {"task": "zorgtafel.meetings.sweep_action_reminders", "schedule": 60.0,
                                  "options": {"expires": 55}},
    "meetings-minutes-reminders": {"task": "zorgtafel.meetings.sweep_minutes_reminders",
                                   "schedule": crontab(minute="*/5"), "options": {"expires": 280}},
}
