"""Measures and their data entry: one blueprint, `measures` (the chart pages are the
`charts` blueprint's)."""
from nic.web.measures import entry  # noqa: F401  (its routes live on bp)
from nic.web.measures.views import bp

__all__ = ["bp"]
