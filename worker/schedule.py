"""Celery beat schedule. Only one beat may run. Roll-ups and digests join as they land."""
beat_schedule: dict = {}
