"""Browser tests: Playwright drives Debian's Chromium against the app on a live server.

The session `app` (tests/conftest.py) is served from a background thread on a random port;
data is made with the `make` / `world` fixtures before the browser opens a page. A screenshot
of every page visited goes to test-artifacts/ at the repository root.
"""
import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import IN_CI, PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        """Requests are not logged: the screenshots tell what happened."""


@pytest.fixture(scope="session")
def live_server(app):
    """The base URL of the app served on 127.0.0.1 at a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = "Chromium not installed (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """The page of one test with helpers: go to a path, log in, save a screenshot."""

    def __init__(self, page, base_url: str, name: str):
        self.page = page
        self.base_url = base_url
        self.name = re.sub(r"[^\w.-]+", "_", name)
        self.shots = 0
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message):
        # Content-Security-Policy violations and failed loads show up as console errors; a
        # form page answered 422 or 409 on purpose is not one of them.
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") \
                and message.location.get("url") == self.page.url:
            return
        self.problems.append(f"console: {message.text} ({message.location.get('url')})")

    def shot(self, label: str) -> Path:
        self.shots += 1
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{self.shots:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def goto(self, path: str, label: str):
        response = self.page.goto(self.base_url + path)
        self.shot(label)
        return response

    def login(self, user):
        self.goto("/login", "login")
        self.page.fill("#username", user.username)
        self.page.fill("#password", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("[data-testid=login-submit]")
        self.shot("after-login")


@pytest.fixture
def visit(browser, live_server, request):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900},
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    helper = Visit(page, live_server, request.node.name)
    yield helper
    context.close()
    assert helper.problems == [], helper.problems
