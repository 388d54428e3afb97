"""Aims, driver diagrams, revisions and change ideas: one blueprint, `theory`."""
from nic.web.theory.views import bp
from nic.web.theory import ideas  # noqa: F401,E402  (its routes live on bp)

__all__ = ["bp"]
