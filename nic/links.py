"""Absolute links to the site, for whatever leaves it: emails, digests, notifications.

In a request they could come from the request's host, but a Celery task has no request,
so every link outside the page is built here, the same way everywhere: the configured
public URL (NIC_BASE_URL), else the request's host, else SERVER_NAME, else a local
default with a warning (production sets NIC_BASE_URL). Only Flask is imported, so
services, jobs and tasks can all use it without an import cycle."""
from __future__ import annotations

import logging

from flask import current_app, has_request_context, request, url_for

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://localhost:5000"


def base_url() -> str:
    """The site's root, without a trailing slash."""
    config = current_app.config
    configured = config.get("NIC_BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    if config.get("SERVER_NAME"):
        return f"{config['PREFERRED_URL_SCHEME']}://{config['SERVER_NAME']}"
    logger.warning("NIC_BASE_URL is not set: links in emails point at %s", DEFAULT_BASE_URL)
    return DEFAULT_BASE_URL


def path(endpoint: str, **values) -> str:
    """The site path of `endpoint`, in a request or not."""
    if has_request_context():
        return url_for(endpoint, **values)
    config = current_app.config
    adapter = current_app.url_map.bind(config["SERVER_NAME"] or "localhost", script_name=config["APPLICATION_ROOT"])
    return adapter.build(endpoint, values)


def absolute(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint`: base_url() and path()."""
    return base_url() + path(endpoint, **values)
