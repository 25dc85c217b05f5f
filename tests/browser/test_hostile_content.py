"""Injected markup in a real browser: nothing runs, even with the Content-Security-Policy switched off.

The CSP would stop inline scripts by itself; bypassing it shows that escaping and sanitising alone keep every
payload inert, so one layer failing does not expose voters.
"""

from urllib.parse import parse_qs, urlparse

import pytest

from tests.security.hostile import COMPLETED, RUNNING, build_hostile_elections

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_no_injected_script_runs_on_any_page_even_without_the_csp(new_page, sign_in, shoot):
    build_hostile_elections()
    dialogs = []
    pages = {
        None: ["/elections", f"/elections/{RUNNING}", f"/app/elections/{COMPLETED}/results"],
        "alice": ["/app", f"/app/elections/{RUNNING}", f"/app/elections/{RUNNING}/candidates/amara",
                  f"/app/elections/{RUNNING}/vote"],
        "mallory": [f"/app/elections/{RUNNING}/exception"],
        "olivia": [f"/app/elections/{RUNNING}/admin/", f"/app/elections/{COMPLETED}/admin/results",
                   "/admin/elections/exceptionrequest/", "/admin/elections/candidate/"],
    }
    for login, paths in pages.items():
        page = new_page(bypass_csp=True)
        page.on("dialog", lambda dialog, page=page: (dialogs.append((page.url, dialog.message)), dialog.dismiss()))
        if login:
            sign_in(page, login)
        for path in paths:
            page.goto(path)
            page.wait_for_load_state("load")
            provoke(page)
        shoot(page, f"hostile-{login or 'public'}")
    assert not dialogs, f"injected script ran: {dialogs}"


def provoke(page):
    """Give onfocus/onmouseover/onload-style payloads their chance: fire those events at every element."""
    page.evaluate(
        """() => document.querySelectorAll("*").forEach(el => {
            for (const type of ["focus", "mouseover", "mouseenter", "load", "error"]) {
                el.dispatchEvent(new Event(type));
            }
        })"""
    )


def test_the_dialog_watch_itself_sees_a_payload_that_was_left_raw(new_page):
    """The control: with the CSP bypassed, raw injected markup does run, so the test above can fail."""
    page = new_page(bypass_csp=True)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/elections")
    page.evaluate("""() => { document.body.insertAdjacentHTML("beforeend", '<div onmouseover="alert(7)">x</div>'); }""")
    provoke(page)
    assert dialogs == ["7"]


def test_the_github_button_starts_the_oauth_sign_in_with_a_state(page, settings, shoot):
    settings.SOCIAL_AUTH_GITHUB_KEY = "the-client-id"
    settings.SOCIAL_AUTH_GITHUB_SECRET = "the-client-secret"
    requested = []

    def fake_github(route):
        requested.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>GitHub</title><h1>Authorize</h1>")

    page.route("https://github.com/**", fake_github)
    page.goto("/login?next=/app/elections")
    shoot(page, "sign-in")
    page.get_by_role("button", name="Sign in with GitHub").click()
    page.get_by_role("heading", name="Authorize").wait_for()
    assert requested, "the button did not lead to GitHub"
    url = urlparse(requested[0])
    query = parse_qs(url.query)
    assert (url.netloc, url.path) == ("github.com", "/login/oauth/authorize")
    assert query["client_id"] == ["the-client-id"]
    assert len(query["state"][0]) >= 16
    assert urlparse(query["redirect_uri"][0]).path == "/oauth/complete/github/"
