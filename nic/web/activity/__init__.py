"""The network activity feed page (/n/<slug>/activity) and the "Latest activity" list on
the network's home page."""
from nic.web.activity.views import bp

__all__ = ["bp"]
