"""Who is asking: the browser session (Flask-Login) or a personal API token
(`Authorization: Bearer ...`). Both end up as `current_user`."""

from __future__ import annotations

from flask import Flask, jsonify, redirect, request, url_for
from sqlalchemy import select

from nic.extensions import db, login_manager
from nic.models import User
from nic.services.accounts.accounts import user_for_api_token


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    try:
        return db.session.scalar(select(User).where(User.id == int(user_id)))
    except ValueError:
        return None


def _authenticate_bearer():
    """A request carrying `Authorization: Bearer` is that token's user and nobody else,
    whatever session cookie came along; a bad token is a 401 even with a good cookie."""
    token = bearer_token()
    if token is None:
        return None
    user = user_for_api_token(token)
    if user is None:
        return _unauthorized()
    login_manager._update_request_context_with_user(user)
    return None


@login_manager.unauthorized_handler
def _unauthorized():
    if is_api_request():
        return jsonify(error={"code": "unauthorized", "message": "Sign in or send a valid API token."}), 401
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.session_protection = "basic"
    # Registered before nic.tenancy's hook, which needs to know who is asking.
    app.before_request(_authenticate_bearer)
