"""Real-browser fixtures: Debian's Chromium driven by Playwright against a live server on 127.0.0.1.

The browser is the system package (/usr/bin/chromium), never a Playwright download; when it is missing,
``scripts/ensure_chromium.sh`` installs it with apt-get (as root). Without it the tests skip with the reason,
except in CI (CI=true), where a missing browser is a failure rather than a silently smaller suite.

Every test gets a fresh browser context (its own cookies), a ``shoot`` function that saves a full-page screenshot
under test-artifacts/screenshots/, and ``assert_accessible``, an axe-core scan that fails on serious or critical
violations. When a browser test fails, its report names the latest screenshot (and one taken at the failure).
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, skip_unless_possible

CHROMIUM = Path("/usr/bin/chromium")
ENSURE_CHROMIUM = REPO_ROOT / "scripts" / "ensure_chromium.sh"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
BLOCKING_IMPACTS = {"serious", "critical"}

# The live server must listen on the loopback address only (read by pytest-django's live_server fixture).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


def _chromium_missing_reason():
    """None when Chromium can be launched; otherwise why not (after trying to install it once)."""
    if CHROMIUM.exists():
        return None
    try:
        result = subprocess.run(["sh", str(ENSURE_CHROMIUM)], capture_output=True, text=True, timeout=600)
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or [""]
    except (OSError, subprocess.TimeoutExpired) as exc:
        detail = [str(exc)]
    if CHROMIUM.exists():
        return None
    return f"{CHROMIUM} is missing and scripts/ensure_chromium.sh could not install it: {detail[0]}"


@pytest.fixture(scope="session")
def chromium_executable():
    reason = _chromium_missing_reason()
    if reason:
        skip_unless_possible(reason)
    return str(CHROMIUM)


@pytest.fixture(scope="module")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API keeps an asyncio loop running in this thread, which Django's ORM would
    # take for async code; the tests' own ORM calls are synchronous, so the guard is lifted while it runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server on 127.0.0.1, started with the HTTPS redirect off.

    Django's SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the server builds its middleware, so the
    per-test ``settings`` fixture comes too late for it; the server speaks plain HTTP on the loopback address.
    """
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    with override_settings(SECURE_SSL_REDIRECT=False):
        server = LiveServer(os.environ["DJANGO_LIVE_TEST_SERVER_ADDRESS"])
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _browser_settings(settings):
    # The development login is how the browser signs in; it exists only with DEBUG on.
    settings.DEBUG = True
    settings.ELEKTO_DEV_LOGIN = True


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (own cookies); ``page.goto("/x")`` is relative to the live server."""
    contexts = []

    def open_page(**context_options):
        context_options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(base_url=live_server.url, **context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def _slug(text):
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120]


@pytest.fixture
def shoot(request):
    """``shoot(page, "ballot")`` saves a full-page screenshot and returns its path."""
    folder = SCREENSHOTS / _slug(request.node.nodeid.split("::", 1)[-1])
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    counter = iter(range(1, 1000))

    def take(page, name):
        path = folder / f"{next(counter):02d}-{_slug(name)}.png"
        page.screenshot(path=str(path), full_page=True)
        request.node.latest_screenshot = path
        return path

    request.node.screenshot_folder = folder
    return take


def _describe_violations(violations):
    lines = []
    for violation in violations:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({targets})")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Run axe-core on the page and fail on any serious or critical violation, listing them."""

    def check(page, label):
        results = axe.run(page)
        blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
        assert not blocking, f"axe-core found serious or critical violations on the {label} page:\n" + (
            _describe_violations(blocking)
        )
        return results

    return check


@pytest.fixture
def sign_in():
    """Sign in through the development login form, as a person would, and land on ``next``."""

    def login(page, username, next_url="/app"):
        page.goto(f"/login?next={next_url}")
        page.get_by_label("GitHub login").fill(username)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_load_state()

    return login


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        page = item.funcargs.get("page")
        folder = getattr(item, "screenshot_folder", None)
        if page is not None and folder is not None:
            try:
                path = folder / "failure.png"
                page.screenshot(path=str(path), full_page=True)
                item.latest_screenshot = path
            except Exception as exc:  # the page may be gone; the report should still say what exists
                report.sections.append(("screenshot", f"could not take a failure screenshot: {exc}"))
        latest = getattr(item, "latest_screenshot", None)
        if latest is not None:
            report.sections.append(("screenshot", f"latest screenshot: {latest}"))
            print(f"\nlatest screenshot: {latest}")
    return report
