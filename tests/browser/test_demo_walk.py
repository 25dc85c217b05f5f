"""The whole demo walked in Chromium, as a voter and as an officer, at 1280 px and 390 px, in every language of
``settings.LANGUAGES`` (the browser asks for it, as a reader's browser would): each page answers, is in that
language, fits the screen, and passes an axe scan. Screenshots go to var/walk/<language>-<width>/, kept by CI.

The walk reads the example meta repository exactly as ``scripts/demo.sh`` does. It navigates by URL and by
form fields, never by visible text, so the same steps work in every language.

Cost: 12 walks. English (the source) and German (the longest words) are scanned and photographed on every page;
the others on the pages with the most words (KEY_PAGES): the ranked ballot, the review, the receipt and the
officer's results, and they skip the pages not on the way there (public pages, dashboard, admin). That keeps the
whole walk to a few minutes on a loaded machine. It runs in the SQLite pass only: what a person sees does not
depend on the database, and the MariaDB and PostgreSQL passes already run every other browser test.
"""

import io
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command

from elections.models import SealedBallot
from tests.browser.builders import at
from tests.conftest import EXAMPLE_META, REPO_ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
                       reason="the language walk runs in the SQLite pass only (see the module docstring)"),
]

WALK = REPO_ROOT / "var" / "walk"
# The completed election is the demo's council: 9 candidates, 100 ballots, a cycle and a charter limit.
RUNNING, COMPLETED = "steering---2026", "council---2025"
EVERY_PAGE = {settings.LANGUAGES[0][0], "de"}
WIDTHS = (1280, 390)
# Scanned and photographed in every language; the first language gets every page.
KEY_PAGES = {"ballot-ranked", "review", "receipt", "officer-results"}


def browser_locale(code):
    """The Accept-Language a reader's browser sends for one of the site's languages."""
    if code == "zh-hans":
        return "zh-CN"
    language, _, region = code.partition("-")
    return f"{language}-{region.upper()}" if region else language


@pytest.fixture
def demo():
    call_command("sync_meta", "--path", str(EXAMPLE_META), "--election-dir", "elections", stdout=io.StringIO())
    for key, folder in (("board---2024", "board/2024"), (COMPLETED, "council/2025")):
        call_command("load_ballots", key, str(EXAMPLE_META / "elections" / folder / "ballots.csv"), "--if-empty",
                     stdout=io.StringIO())


class Walker:
    def __init__(self, page, code, width, assert_accessible, folder):
        self.page, self.code, self.width, self.check = page, code, width, assert_accessible
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.every_page = code in EVERY_PAGE
        self.count = 0

    def look(self, name, *, fits=True):
        page = self.page
        page.wait_for_load_state()
        assert page.evaluate("() => document.documentElement.lang") == self.code, f"{name} is not in {self.code}"
        if not (self.every_page or name in KEY_PAGES):
            return
        if fits:
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {self.width}px in {self.code}"
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)
        self.check(page, f"{name} ({self.code}, {self.width}px)")

    def go(self, path, name, **kwargs):
        if not (self.every_page or name in KEY_PAGES):
            return
        response = self.page.goto(path)
        assert response.status < 400, f"{path} answered {response.status}"
        self.look(name, **kwargs)


def sign_in(page, login):
    page.goto("/login?next=/app")
    page.locator("#id_username").fill(login)
    page.locator("form[action='/login/dev'] button[type=submit]").click()
    page.wait_for_url(at("/app"))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("code", [code for code, _ in settings.LANGUAGES])
def test_the_demo_walked_as_a_voter_and_as_an_officer(demo, new_page, assert_accessible, code, width):
    options = {"viewport": {"width": width, "height": 900 if width > 500 else 844},
               "locale": browser_locale(code), "is_mobile": width < 500, "has_touch": width < 500}

    folder = WALK / f"{code}-{width}"
    shutil.rmtree(folder, ignore_errors=True)
    voter = Walker(new_page(**options), code, width, assert_accessible, folder)
    voter.go("/", "home")
    voter.go("/elections", "elections")
    voter.go(f"/elections/{RUNNING}", "election-public")
    voter.go(f"/app/elections/{COMPLETED}/results", "published-results")
    voter.go("/login?next=/app", "sign-in")
    sign_in(voter.page, "alice")
    voter.look("dashboard")  # (on the every-page walks only)
    voter.go(f"/app/elections/{RUNNING}", "election")
    voter.page.goto(f"/app/elections/{RUNNING}/vote")
    voter.look("ballot")
    page = voter.page
    rows = page.locator(".ballot-row select")
    for i in range(rows.count()):
        rows.nth(i).select_option(str(min(i + 1, 2)))
    voter.look("ballot-ranked")
    page.locator("form.ballot-form button[type=submit]").click()
    page.locator("input[name=passphrase]").wait_for()
    voter.look("review")
    passphrase = page.locator("#suggested-passphrase").inner_text().strip()
    page.locator("input[name=passphrase]").fill(passphrase)
    page.locator("input[name=passphrase_again]").fill(passphrase)
    page.locator("button[name=step][value=cast]").click()
    page.locator("#receipt").wait_for()
    voter.look("receipt")
    assert SealedBallot.objects.filter(election__key=RUNNING).count() == 1
    if voter.every_page:
        voter.go(f"/app/elections/{RUNNING}/confirmation", "your-ballot")
        page.locator("input[name=passphrase]").fill(passphrase)
        page.locator("button[name=action][value=view]").click()
        page.locator("code.receipt").wait_for()
        voter.look("ballot-viewed")
    voter.go(f"/app/elections/{RUNNING}/confirmation?revoke", "revoke")
    if voter.every_page:
        response = page.goto("/no-such-page")
        assert response.status == 404
        voter.look("not-found")

    officer = Walker(new_page(**options), code, width, assert_accessible, folder / "officer")
    sign_in(officer.page, "olivia")
    officer.go(f"/app/elections/{RUNNING}/admin/", "officer-overview")
    officer.go(f"/app/elections/{COMPLETED}/admin/results", "officer-results")
    officer.go(f"/app/elections/{COMPLETED}/admin/report", "officer-report")
    officer.go(f"/app/elections/{COMPLETED}/admin/disqualify?candidate=ana", "officer-disqualify")
    # Django's admin is wider than a phone in places (its change lists scroll inside their box).
    officer.go("/admin/", "admin-index", fits=width > 500)
    officer.go("/admin/elections/election/", "admin-elections", fits=width > 500)
    shots = sorted(p.name for p in folder.rglob("*.png"))
    assert len(shots) == (21 if voter.every_page else len(KEY_PAGES)), shots
