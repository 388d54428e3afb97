"""nic: a platform for networked improvement communities of schools."""
from __future__ import annotations

import logging
import os


def create_app(config: dict | None = None):
    """Build the app. `config` overrides settings read from the environment (tests).
    Flask is imported here, not at module level, so that `nic.analytics` (pure functions)
    can be imported without loading the web stack."""
    from flask import Flask

    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    from nic.config import load_config

    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
        if "REDIS_URL" in config and "RATELIMIT_STORAGE_URI" not in config:
            app.config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"] or "memory://"
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("nic").setLevel(app.config["LOG_LEVEL"])

    from nic import auth, jobs, models, realtime, tenancy  # noqa: F401  (models: metadata)
    from nic.api import init_app as init_api
    from nic.extensions import csrf, db, limiter, migrate
    from nic.web import init_app as init_web

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    auth.init_app(app)
    tenancy.init_app(app)
    jobs.init_app(app)
    realtime.init_app(app)
    init_web(app)
    init_api(app)
    return app
