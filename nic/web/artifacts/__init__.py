"""The artifact library: one blueprint, `artifacts` (pages in views, versions and file
routes in versions, links to cycles and change ideas in links)."""
from nic.web.artifacts.views import bp
from nic.web.artifacts import links, versions  # noqa: F401,E402  (their routes live on bp)

__all__ = ["bp"]
