"""The facilitator's network dashboard and the principal's school view, read from the
roll-up snapshot: /n/<slug>/dashboard."""
from nic.web.dashboard.views import bp

__all__ = ["bp"]
