"""Helpers for live and browser tests that are not fixtures."""
from __future__ import annotations

import re
import time

import pytest

_CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*\bvalue="([^"]+)"')


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.1, message: str = "the condition"):
    """Poll `predicate` until it returns something truthy and return that; fail the
    test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page (the served app has CSRF on)."""
    match = _CSRF_INPUT.search(html)
    assert match, "no csrf_token input on the page"
    return match.group(1)


def sign_in(http, base_url: str, email: str, password: str):
    """Sign in through the real form with a `requests.Session`; returns the response
    to the POST (redirects not followed)."""
    page = http.get(f"{base_url}/login")
    assert page.status_code == 200, page.text[:500]
    return http.post(
        f"{base_url}/login",
        data={"csrf_token": csrf_token(page.text), "email": email, "password": password},
        allow_redirects=False,
    )
