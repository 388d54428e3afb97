"""HTML blueprints: thin views that parse a form, call a service and render."""
from __future__ import annotations

from flask import Flask, has_request_context, render_template
from flask_login import current_user

from nic import permissions, words
from nic.http_errors import error_response, http_error_response
from nic.auth import is_api_request
from nic.models import ROLE_LABELS
from nic.services.errors import Forbidden, NotFound, ServiceError
from nic.tenancy import current_membership, current_network, memberships_of


def _template_globals():
    # Emails are rendered by tasks too, with no request and so no current_user.
    signed_in = has_request_context() and current_user.is_authenticated
    return {
        "current_network": current_network(),
        "current_membership": current_membership(),
        "my_memberships": memberships_of(current_user) if signed_in else [],
        "can": permissions.can,
        "role_labels": ROLE_LABELS,
    }


def _error_page(status: int, title: str, message: str):
    def handler(exc):
        if is_api_request():
            return http_error_response(exc)
        return render_template("error.html", status=status, title=title, message=message), status

    return handler


def _service_error_page(page):
    """A service's NotFound / Forbidden that a view let through: the same 404 / 403 page as
    abort(404) / abort(403), so views call services without translating their errors.
    Registered on the app, it also sees API requests (the more specific class wins over
    nic.api.errors' ServiceError handler) and answers those as that handler does."""

    def handler(exc: ServiceError):
        if is_api_request():
            return error_response(exc.status, exc.message, exc.fields, exc.code)
        return page(exc)

    return handler


def init_app(app: Flask) -> None:
    from nic.web.account.views import bp as account_bp
    from nic.web.auth.views import bp as auth_bp
    from nic.web.dev.views import bp as dev_bp
    from nic.web.networks.views import bp as networks_bp
    from nic.web.browse.views import bp as browse_bp
    from nic.web.cycles.views import bp as cycles_bp
    from nic.web.teams.views import bp as teams_bp
    from nic.web.theory import bp as theory_bp
    from nic.web.measures import bp as measures_bp
    from nic.web.charts.views import bp as charts_bp
    from nic.web.artifacts import bp as artifacts_bp
    from nic.web.discussion import bp as discussion_bp
    from nic.web.activity import bp as activity_bp
    from nic.web.channels import bp as channels_bp
    from nic.web.dashboard import bp as dashboard_bp
    from nic.web.notifications import bp as notifications_bp
    from nic.web.frameworks import bp as frameworks_bp
    from nic.web.assessments import bp as assessments_bp
    from nic.web.leadership import bp as leadership_bp

    for bp in (auth_bp, account_bp, networks_bp, dev_bp, browse_bp, teams_bp, theory_bp, cycles_bp):
        app.register_blueprint(bp)
    app.register_blueprint(charts_bp)
    app.register_blueprint(measures_bp)
    app.register_blueprint(artifacts_bp)
    app.register_blueprint(discussion_bp)
    app.register_blueprint(activity_bp)
    app.register_blueprint(channels_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(frameworks_bp)
    app.register_blueprint(assessments_bp)
    app.register_blueprint(leadership_bp)
    app.context_processor(_template_globals)
    # Counts with their nouns: {{ n|plural('teacher') }}, {{ noun(n, 'class', 'classes') }}.
    app.add_template_filter(words.plural, "plural")
    app.add_template_global(words.noun, "noun")
    pages = {
        403: ("Not allowed", "Your role in this network does not allow that."),
        404: ("Not found", "There is nothing here, or it is not shared with you."),
        413: ("File too large", "That upload is larger than the size limit. Please choose a smaller file."),
        429: ("Too many attempts", "Please wait a minute before trying again."),
        500: ("Something went wrong", "The error has been logged. Please try again."),
    }
    handlers = {status: _error_page(status, title, message) for status, (title, message) in pages.items()}
    for status, handler in handlers.items():
        app.register_error_handler(status, handler)
    app.register_error_handler(NotFound, _service_error_page(handlers[404]))
    app.register_error_handler(Forbidden, _service_error_page(handlers[403]))
