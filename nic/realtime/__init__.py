"""Socket.IO: connect is authenticated; rooms and events arrive with the discussion work.

Async mode is `threading` with simple-websocket, served by gunicorn's gthread worker (one
worker per process; scale out with more processes and the Redis message queue); see
docs/DECISIONS.md.
"""

from flask import Flask

from nic.extensions import socketio

# The message queue's channel is SOCKETIO_CHANNEL (NIC_SOCKETIO_CHANNEL), by default
# Flask-SocketIO's own name, "flask-socketio"; a bare python-socketio RedisManager would
# default to "socketio" and publish where no server listens.


def init_app(app: Flask) -> None:
    from nic.realtime import handlers  # noqa: F401  (registers the event handlers)

    # The SocketIO object is module-global and init_app only ever adds to its options:
    # drop a Redis client manager left by an earlier app in this process (tests build
    # several), so an app without REDIS_URL really runs in-process.
    socketio.server_options.pop("client_manager", None)
    socketio.init_app(
        app,
        async_mode="threading",
        message_queue=app.config.get("REDIS_URL"),
        channel=app.config["SOCKETIO_CHANNEL"],
        logger=False,
        engineio_logger=False,
    )
