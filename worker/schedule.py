"""Celery beat schedule. Only one beat may run. Roll-ups and digests join as they land.

`beat_schedule` holds fixed entries; `beat_schedule_for(config)` adds those whose
interval comes from the app's settings (worker/celery_app.py installs the result)."""
from datetime import timedelta

from celery.schedules import crontab

beat_schedule: dict = {
    # A full roll-up of every network each night (UTC): stalled cycles age, and whatever
    # an incremental run does not touch (other schools, older periods) is made exact again.
    "rollups.nightly": {"task": "rollups.nightly", "schedule": crontab(hour=2, minute=30)},
    # Roll-up jobs whose message Redis lost (restarted without persistence) are sent again.
    "rollups.sweep": {"task": "rollups.sweep", "schedule": timedelta(minutes=5)},
    # Mondays, after the nightly roll-up: last week's digest to facilitators and principals.
    "rollups.weekly_digest": {"task": "rollups.weekly_digest", "schedule": crontab(hour=6, minute=0, day_of_week=1)},
}


def beat_schedule_for(config) -> dict:
    return {
        **beat_schedule,
        # Emails for notifications left unread (nic.services.notifications.digest).
        "notifications.send_digests": {
            "task": "notifications.send_digests",
            "schedule": timedelta(minutes=float(config["NIC_DIGEST_EVERY_MINUTES"])),
        },
    }
