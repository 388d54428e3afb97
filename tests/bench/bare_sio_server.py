"""The baseline of the fan-out benchmark: a bare python-socketio server doing the same
fan-out as nic, on the same stack as `nic serve` (nic/server.py): python-socketio in
`threading` mode with simple-websocket, under gunicorn with one gthread worker, several
processes joined by a python-socketio RedisManager. No Flask, no auth, no database:
`join` puts the sid in the room, `send` emits a `message` shaped like nic's to the room
(every process, through Redis) and acks.

    python -m tests.bench.bare_sio_server --port 5100 --threads 600 \
        --redis redis://127.0.0.1:6379/9 --channel nic-bench-bare-123

Give both processes the same --channel: a RedisManager's default channel is `socketio`,
not Flask-SocketIO's `flask-socketio` (docs/TOOLCHAIN.md). Redis pub/sub channels are global
to the Redis server, whatever the database number, so use a channel of your own.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from datetime import UTC, datetime

import socketio
from gunicorn.app.base import BaseApplication


def make_app(redis_url: str, channel: str):
    sio = socketio.Server(
        async_mode="threading",
        client_manager=socketio.RedisManager(redis_url, channel=channel),
        logger=False,
        engineio_logger=False,
    )
    ids = itertools.count(1)

    @sio.on("join")
    def join(sid, data):
        sio.enter_room(sid, f"thread:{int(data['thread_id'])}")
        return {"ok": True, "last_id": 0}

    @sio.on("send")
    def send(sid, data):
        message_id = next(ids)
        payload = {
            "id": message_id,
            "thread_id": int(data["thread_id"]),
            "author": {"id": 1, "name": "Bench"},
            "body_html": f"<p>{data['body']}</p>\n",
            "created_at": datetime.now(UTC).isoformat(),
        }
        sio.emit("message", payload, to=f"thread:{payload['thread_id']}")
        return {"ok": True, "id": message_id}

    return socketio.WSGIApp(sio)


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict, redis_url: str, channel: str):
        self.options, self.redis_url, self.channel = options, redis_url, channel
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return make_app(self.redis_url, self.channel)  # in the worker, after the fork


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=100)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--channel", required=True)
    args = parser.parse_args(argv)
    print(f"bare python-socketio serving on http://{args.host}:{args.port}", flush=True)
    # The same gunicorn options as nic/server.py.
    _Gunicorn(
        {
            "bind": f"{args.host}:{args.port}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": args.threads,
            "graceful_timeout": 2,
            "timeout": 60,
            "control_socket_disable": True,
            "accesslog": "-",
        },
        args.redis,
        args.channel,
    ).run()


if __name__ == "__main__":
    sys.exit(main())
