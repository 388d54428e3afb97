"""Self-assessment rounds, ratings and consensus: /n/<slug>/assessments."""
from nic.web.assessments.views import bp

__all__ = ["bp"]
