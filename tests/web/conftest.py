"""Browser harness: Playwright driving Debian's Chromium against a live server of the app.

Every page the browser opens is guarded: a request to anything but the live server is blocked and fails the
test (county intranets have no internet, SPEC §9). Each page a test visits is saved as a screenshot under
artifacts/screenshots/<test>/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
PASSWORD = "secret-pass-123"


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are still
    # synchronous, so Django's async-safety guard must not refuse them.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian package chromium (deploy/apt-packages.txt)")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class OutsideRequests(AssertionError):
    pass


class Guard:
    """Records and blocks every request whose origin is not the live server's."""

    def __init__(self, origin: str):
        self.origin = origin
        self.outside: list[str] = []
        self.page_errors: list[str] = []

    def route(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or f"{parts.scheme}://{parts.netloc}" == self.origin:
            route.continue_()
        else:
            self.outside.append(url)
            route.abort("blockedbyclient")

    def check(self) -> None:
        if self.outside:
            raise OutsideRequests(f"pages requested something outside the server: {self.outside}")
        if self.page_errors:
            raise AssertionError(f"script errors on the pages: {self.page_errors}")


class Session:
    """One browser context (a person's device) with its guard and a screenshot helper."""

    def __init__(self, context, guard: Guard, base: str, shots: Path):
        self.context, self.guard, self.base, self.shots = context, guard, base, shots
        self.page = context.new_page()
        self.page.on("pageerror", lambda exc: guard.page_errors.append(str(exc)))
        self.page.set_default_timeout(15_000)

    def go(self, path: str):
        response = self.page.goto(self.base + path)
        assert response is not None and response.ok, f"GET {path} answered {response and response.status}"
        return self.page

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        self.go("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))

    def shot(self, name: str) -> Path:
        self.shots.mkdir(parents=True, exist_ok=True)
        n = len(list(self.shots.glob("*.png"))) + 1
        path = self.shots / f"{n:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def open_session(browser, live_server, request):
    """open_session(phone=False) → a signed-out Session; all are guarded and checked at teardown."""
    sessions: list[Session] = []
    shots = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    for old in shots.glob("*.png") if shots.exists() else []:
        old.unlink()

    def make(*, phone: bool = False) -> Session:
        options = {"viewport": PHONE if phone else DESK, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
        if phone:
            options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
        context = browser.new_context(**options)
        guard = Guard(live_server.url)
        context.route("**/*", guard.route)
        session = Session(context, guard, live_server.url, shots)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.context.close()
    for session in sessions:
        session.guard.check()
