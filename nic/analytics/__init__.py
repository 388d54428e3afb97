"""Improvement-science analytics: run charts, Shewhart charts and their rules.

Pure functions over plain Python numbers (standard library only: no Flask,
no SQLAlchemy, no numpy), so services, the API, Celery tasks and the
benchmark can all call them and the web process stays light.

- :mod:`nic.analytics.runs`: the Anhøj run rules and the IHI shift and trend rules.
- :mod:`nic.analytics.spc`: centers, limits and phases for run, i, p and u charts
  (:func:`analyse`, which returns an :class:`Analysis`).
- :mod:`nic.analytics.summary`: plain-language sentences for an analysis.
"""

from nic.analytics.runs import Runs, anhoej_limits
from nic.analytics.spc import CHARTS, Analysis, analyse
from nic.analytics.summary import summarise

__all__ = ["CHARTS", "Analysis", "Runs", "analyse", "anhoej_limits", "summarise"]
