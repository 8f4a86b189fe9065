"""Headless Debian Chromium driven by Playwright against pytest-django's live server."""

import os
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from tests.browser.inert import RECORD_CSP_VIOLATIONS, STOP_LEAVING_THE_PAGE

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Make pages (one per person in the test), each in its own browser context."""
    contexts = []

    def make(*, user=None, width=1280, height=900, locale="en-US", color_scheme="light"):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                      color_scheme=color_scheme, base_url=live_server.url)
        contexts.append(context)
        if user is not None:
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            context.add_cookies([{
                "name": settings.SESSION_COOKIE_NAME, "value": session.session_key,
                "url": live_server.url,
            }])
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def watched_page(new_page, live_server):
    """A page that records every dialog and CSP violation and never reaches outside the live server."""

    def make(**kwargs):
        page = new_page(**kwargs)
        page.dialogs = []

        def on_dialog(dialog):
            page.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.add_init_script(RECORD_CSP_VIOLATIONS)
        page.add_init_script(STOP_LEAVING_THE_PAGE)
        own_host = urlsplit(live_server.url).netloc
        page.route(
            "**/*",
            lambda route: route.continue_() if urlsplit(route.request.url).netloc == own_host else route.abort(),
        )
        return page

    return make
