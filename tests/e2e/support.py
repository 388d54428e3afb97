"""What the browser journeys share."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories


def sign_in(page: Page, base: str, email: str) -> None:
    """Sign in through the form with the factories' password; wait until the login page is left."""
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login$"))
