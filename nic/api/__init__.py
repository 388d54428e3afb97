"""The JSON API under /api/v1 (see docs/INTERFACE.md and GET /api/v1/openapi.json)."""
from __future__ import annotations

from flask import Blueprint, Flask, abort
from flask_login import current_user

from nic.auth import bearer_token
from nic.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Token clients send no CSRF token; browser-session calls are checked in _authenticate.
csrf.exempt(bp)

PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def _authenticate():
    from flask import request

    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        abort(401)
    if bearer_token() is not None:
        return None  # nic.auth has checked the token; token clients need no CSRF token
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()  # a browser session on a state-changing call needs the CSRF token
    return None


def init_app(app: Flask) -> None:
    from nic.api import change_ideas, cycle_list, cycles, errors, me, openapi, schools  # noqa: F401  (register routes)
    from nic.api import measures  # noqa: F401  (measures and their points)
    from nic.api import chart  # noqa: F401  (measure charts)
    from nic.api import artifacts  # noqa: F401  (the artifact library)
    from nic.api import threads  # noqa: F401  (discussion threads and messages)
    from nic.api import rollups  # noqa: F401  (roll-ups: ask for one, read the latest snapshot)
    from nic.api import activity  # noqa: F401  (the network activity feed)
    from nic.api import channels  # noqa: F401  (channels: list, create and edit)
    from nic.api import messages  # noqa: F401  (editing, deleting and reacting to one message)
    from nic.api import members, notifications  # noqa: F401  (mention autocomplete; the bell menu)

    from nic.api import frameworks  # noqa: F401  (leadership frameworks: adopt, import, edit, export)
    from nic.api import assessments  # noqa: F401  (self-assessment rounds, ratings, consensus)
    from nic.api import leadership  # noqa: F401  (the network's view of leadership practice)

    errors.register(app)
    app.register_blueprint(bp)
