"""Every endpoint the pages link to is a real one. Links are built with url_for and no
fallback, so a misspelt or missing endpoint would fail a page (a BuildError) rather than
quietly link somewhere else; this finds it without opening every page."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# url_for('cycles.show', ...) in templates and Python; ui.pager(pager, 'browse.cycles', ...) in templates.
NAMED = re.compile(r"""(?:url_for\(\s*|ui\.pager\(\s*[\w.]+\s*,\s*)["']([\w.]+)["']""")


def endpoints_named_in(*folders: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".html", ".py"):
                for endpoint in NAMED.findall(path.read_text()):
                    found.setdefault(endpoint, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_endpoint_named_in_templates_and_views_exists(app):
    named = endpoints_named_in("templates", "nic/web")
    assert len(named) > 50  # the pattern still matches how links are written
    missing = {endpoint: sorted(where) for endpoint, where in named.items() if endpoint not in app.view_functions}
    assert missing == {}


def test_the_pages_fallbacks_used_to_guess_at_build(app):
    """frameworks.index and dashboard.index never existed: the library and the network
    dashboard are frameworks.library and dashboard.network."""
    with app.test_request_context():
        from flask import url_for

        assert url_for("frameworks.library", slug="alpha") == "/n/alpha/frameworks/"
        assert url_for("dashboard.network", slug="alpha") == "/n/alpha/dashboard"
        assert url_for("browse.cycles", slug="alpha") == "/n/alpha/cycles"
        assert url_for("assessments.consensus", slug="alpha", round_id=1, school_id=2, practice_id=3) == \
            "/n/alpha/assessments/rounds/1/schools/2/practices/3"
    assert "frameworks.index" not in app.view_functions and "dashboard.index" not in app.view_functions
