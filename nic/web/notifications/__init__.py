"""The notifications page (/n/<slug>/notifications), marking read without JavaScript, and
the bell in the top bar (static/js/notifications.js turns it into a live menu)."""
from nic.web.notifications.views import bp

__all__ = ["bp"]
