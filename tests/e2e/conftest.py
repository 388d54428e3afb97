"""Browser journeys: Playwright (sync API) driving Debian's chromium against a live
`nic serve`. One browser for the run, a new context per person per test. A failed
test leaves a screenshot of each of its pages in tests/e2e/artifacts/.

Never `playwright install`: it downloads browsers and fails here. With no `chromium`
on PATH the tests fail, saying so; they are never skipped.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

# The live fixtures (database, servers), shared with tests/live: see its conftest.
from tests.live.conftest import (  # noqa: F401
    attach_logs,
    clean_live_db,
    live_app,
    live_db,
    live_redis,
    live_redis_url,
    serve,
)

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # Kept on the item so fixtures can see, at teardown, whether the test failed.
    setattr(item, f"rep_{report.when}", report)
    if report.failed:
        attach_logs(report)
    return report


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if not path:
        pytest.fail(
            "chromium is not installed: browser tests drive Debian's chromium package "
            "(apt-get install -y chromium, or `make chromium`); do not run `playwright install`.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, request):
    """`new_page()` -> a page in a fresh browser context (its own cookies: one person).
    On failure, every page of the test is saved as tests/e2e/artifacts/<test>[-N].png."""
    contexts, pages = [], []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        return page

    yield make

    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", request.node.name)
        for index, page in enumerate(pages, start=1):
            path = ARTIFACTS / (f"{stem}.png" if index == 1 else f"{stem}-{index}.png")
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as exc:  # a crashed page must not hide the real failure
                print(f"screenshot {path} failed: {exc}")
            else:
                print(f"screenshot saved: {path}")
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """The test's first person, in their own browser context."""
    return new_page()
