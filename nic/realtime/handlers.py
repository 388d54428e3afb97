"""Socket.IO event handlers. Each event runs in its own context: whoever connected is
re-established here from the session or the token given at connect."""
from __future__ import annotations

import logging

from flask import session
from flask_login import current_user
from flask_socketio import ConnectionRefusedError

from nic.extensions import socketio
from nic.services.accounts import user_for_api_token

logger = logging.getLogger(__name__)


@socketio.on("connect")
def on_connect(auth=None):
    user = current_user if current_user.is_authenticated else None
    if user is None and isinstance(auth, dict) and auth.get("token"):
        user = user_for_api_token(str(auth["token"]))
    if user is None:
        # Refuses the connection; the client sees a connect_error with this message.
        raise ConnectionRefusedError("unauthorized")
    session["nic_socket_user_id"] = user.id
    logger.debug("socket connected for user %s", user.id)
