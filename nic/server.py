"""`nic serve`: gunicorn with one gthread worker.

Socket.IO needs every request of one client to reach the same process, so each server
is a single worker process; run several behind a proxy with sticky sessions and the
Redis message queue to scale out (README, "Running several processes")."""

from __future__ import annotations

import sys

import click
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Build the app in the worker, after the fork: no connections cross it.
        from nic import create_app

        return create_app()


def run(host: str, port: int, threads: int = 300, graceful_timeout: int = 10) -> None:
    click.echo(f"nic is serving on http://{host}:{port}  (Ctrl+C to stop)")
    sys.stdout.flush()  # before gunicorn forks: an unflushed buffer would be printed by each process
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": threads,
            "graceful_timeout": graceful_timeout,
            "timeout": 60,
            # gunicorn 27 opens its control socket at one fixed path shared by every
            # instance on the machine; two `nic serve` processes would collide.
            "control_socket_disable": True,
            "accesslog": "-",
        }
    ).run()
