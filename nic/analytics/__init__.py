"""Improvement-science analytics: run charts, Shewhart charts and their rules.

Pure functions over numbers: no Flask, no SQLAlchemy, no I/O, so services, the API,
Celery tasks and the benchmark can all call them and tests need no app. numpy does the
arithmetic: the rules run over whole arrays, so a long series costs about what the
same computation written directly in numpy does (tests/bench/test_analysis_bench.py).

- :mod:`nic.analytics.runs`: the Anhøj run rules and the IHI shift and trend rules.
- :mod:`nic.analytics.rules`: which rules judge each chart type (Anhøj for run charts,
  The Health Care Data Guide's five for i, p and u charts), by name, and the headline.
- :mod:`nic.analytics.spc`: centers, limits and phases for run, i, p and u charts
  (:func:`analyse`, which returns an :class:`Analysis`).
- :mod:`nic.analytics.summary`: plain-language sentences for an analysis
  (:mod:`nic.analytics.dates` writes its dates).

docs/SIGNALS.md explains the rules, their sources and their false-alarm rates.
"""

from nic.analytics.rules import RUN_CHART_RULES, SHEWHART_RULES, Rule
from nic.analytics.runs import Runs, anhoej_limits
from nic.analytics.spc import CHARTS, Analysis, analyse
from nic.analytics.summary import summarise

__all__ = [
    "CHARTS",
    "RUN_CHART_RULES",
    "SHEWHART_RULES",
    "Analysis",
    "Rule",
    "Runs",
    "analyse",
    "anhoej_limits",
    "summarise",
]
