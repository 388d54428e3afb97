"""Notifications to people: in-app notifications, the daily digest and outgoing mail (the outbox)."""
