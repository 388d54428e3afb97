"""The network's view of leadership practice: /n/<slug>/leadership."""
from nic.web.leadership.views import bp

__all__ = ["bp"]
