"""The network's leadership-practice frameworks: /n/<slug>/frameworks."""
from nic.web.frameworks.views import bp

__all__ = ["bp"]
