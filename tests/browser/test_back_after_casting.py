"""The browser's Back button after casting a ballot: a page of the site, never "Confirm Form Resubmission".

The review and the receipt are GET pages reached by a 303 after the form's POST, so no history entry is a POST's
response: Back (and Reload) ask the site for a page again instead of offering to send the ballot again.
"""

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError

from elections.models import SealedBallot, VoteRecord
from tests.browser.builders import at, build_election

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "steering---2026"
NAME = "Steering Committee 2026"
PASSPHRASE = "my own long passphrase 42"
SITE_HEADINGS = {"Your ballot was cast", "Review your ballot", f"Vote: {NAME}", f"Change your ballot: {NAME}"}


@pytest.fixture
def election():
    return build_election(KEY, name=NAME)


def go_back(page):
    """Press Back; the page it shows, or the reason the browser could not show one."""
    try:
        page.go_back(wait_until="load")
    except PlaywrightError as exc:  # Chromium refuses to post again without asking: net::ERR_CACHE_MISS
        pytest.fail(f"Back did not show a page of the site: {exc}")
    return page


def assert_a_page_of_the_site(page, live_server):
    assert page.url.startswith(live_server.url), f"Back left the site for {page.url}"
    html = page.content()
    assert "ERR_CACHE_MISS" not in html and "Confirm Form Resubmission" not in html
    assert page.title().endswith(f"· {settings.APP_NAME}"), page.title()
    heading = page.locator("h1").first.inner_text().strip()
    assert heading in SITE_HEADINGS, heading
    return heading


def rank_and_review(page, sign_in, ranks):
    """Sign in as alice on the ballot, choose ``ranks`` (name -> rank) and post them: the review page."""
    sign_in(page, "alice", f"/app/elections/{KEY}/vote")
    page.wait_for_url(at(f"/app/elections/{KEY}/vote"))
    for name, rank in ranks.items():
        page.get_by_label(name, exact=True).select_option(value=rank)
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_role("heading", name="Review your ballot").wait_for()


def cast(page, again=PASSPHRASE):
    """Post the cast from the review page with the passphrase, and ``again`` as its repetition."""
    page.get_by_label("Passphrase", exact=True).fill(PASSPHRASE)
    page.get_by_label("Passphrase again").fill(again)
    page.get_by_role("button", name="Cast my ballot").click()


def test_back_after_casting_shows_a_page_of_the_site_and_casts_nothing_more(election, page, sign_in, shoot,
                                                                           live_server):
    rank_and_review(page, sign_in, {"Amara Okafor": "2", "Björn Lindqvist": "1", "Chen Wei": "3"})
    review_url = page.url
    cast(page)
    page.get_by_role("heading", name="Your ballot was cast").wait_for()
    receipt_url = page.url
    receipt = page.locator("#receipt").inner_text().strip()
    shoot(page, "receipt")

    # Reload shows the receipt again, without asking to post anything.
    page.reload(wait_until="load")
    assert page.locator("#receipt").inner_text().strip() == receipt

    go_back(page)
    shoot(page, "after-back")
    heading = assert_a_page_of_the_site(page, live_server)
    # The review's ranking was cast: Back leads to the receipt, not to a ballot that could be cast twice.
    assert heading == "Your ballot was cast" and page.locator("#receipt").inner_text().strip() == receipt

    go_back(page)
    shoot(page, "after-back-twice")
    assert_a_page_of_the_site(page, live_server)
    # The ballot page, now to change the ballot, says earlier ranks are not filled in: the browser must not
    # restore the ones chosen before casting either.
    for name in ("Amara Okafor", "Björn Lindqvist", "Chen Wei"):
        assert page.get_by_label(name, exact=True).input_value() == "", name
    assert VoteRecord.objects.filter(election=election).count() == 1
    assert SealedBallot.objects.filter(election=election).count() == 1
    # Each was a GET of its own page.
    assert at(f"/app/elections/{KEY}/vote/review")(review_url)
    assert at(f"/app/elections/{KEY}/vote/receipt")(receipt_url)


def test_back_after_a_refused_cast_and_a_second_try_never_offers_to_post_again(election, page, sign_in, shoot,
                                                                              live_server):
    rank_and_review(page, sign_in, {"Björn Lindqvist": "1"})
    # The first try is refused: the two passphrases differ. The page answering that POST tells what to fix...
    cast(page, again=PASSPHRASE + " typo")
    page.get_by_text("The two passphrases differ.").wait_for()
    shoot(page, "refused-cast")
    # ...and stands in the history as the review page itself.
    page.wait_for_url(at(f"/app/elections/{KEY}/vote/review"))
    assert VoteRecord.objects.filter(election=election).count() == 0

    cast(page)
    page.get_by_role("heading", name="Your ballot was cast").wait_for()
    receipt = page.locator("#receipt").inner_text().strip()

    # Back lands where the refused POST stood: the review, which now leads to the receipt.
    go_back(page)
    shoot(page, "back-after-refused-cast")
    assert assert_a_page_of_the_site(page, live_server) == "Your ballot was cast"
    assert page.locator("#receipt").inner_text().strip() == receipt
    go_back(page)
    assert_a_page_of_the_site(page, live_server)
    assert VoteRecord.objects.filter(election=election).count() == 1
    assert SealedBallot.objects.filter(election=election).count() == 1


def test_reloading_the_ballot_shown_by_its_passphrase_asks_for_the_passphrase_again(election, page, sign_in,
                                                                                   live_server):
    rank_and_review(page, sign_in, {"Chen Wei": "1"})
    cast(page)
    page.get_by_role("heading", name="Your ballot was cast").wait_for()

    page.goto(f"{live_server.url}/app/elections/{KEY}/confirmation")
    page.get_by_label("Your passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="View my ballot").click()
    page.locator("code.receipt").wait_for()
    # The page answering the POST names itself by its GET address (with its main content's anchor).
    page.wait_for_url(lambda url: url.endswith(f"/app/elections/{KEY}/confirmation#main"))
    # Reload neither posts the passphrase again nor shows the ranks without it.
    try:
        page.reload(wait_until="load")
    except PlaywrightError as exc:
        pytest.fail(f"Reload did not show a page of the site: {exc}")
    assert page.url.startswith(live_server.url) and "ERR_CACHE_MISS" not in page.content()
    assert page.locator("code.receipt").count() == 0
    assert page.get_by_label("Your passphrase").input_value() == ""


def test_the_ranking_cast_is_shown_once_and_signing_out_leaves_no_voting_cookie(election, page, sign_in, live_server):
    rank_and_review(page, sign_in, {"Chen Wei": "1", "Amara Okafor": "2"})
    cast(page)
    page.locator("h1").first.wait_for()
    summary = page.locator(".ballot-summary")
    assert "Chen Wei" in summary.inner_text()
    receipt = page.locator("#receipt").inner_text()
    # Reload, Back from the next page, another tab: the receipt and how to check it, not the ballot.
    page.reload()
    assert page.locator("#receipt").inner_text() == receipt
    assert page.locator(".ballot-summary").count() == 0 and "Chen Wei" not in page.content()
    page.goto(f"/app/elections/{KEY}")
    go_back(page)
    assert page.locator("#receipt").inner_text() == receipt and "Chen Wei" not in page.content()
    other = page.context.new_page()
    other.goto(f"/app/elections/{KEY}/vote/receipt")
    assert other.locator("#receipt").inner_text() == receipt and "Chen Wei" not in other.content()
    other.close()

    # A ranking left under review, then signing out: no voting cookie stays for the next person.
    page.context.add_cookies([{"name": "ballot_review", "value": "x",
                               "url": f"{live_server.url}/app/elections/a/vote"}])
    page.get_by_label("Language").select_option("de")
    page.locator(".language-switcher button").click()
    page.wait_for_load_state()
    page.goto("/logout")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    names = {cookie["name"] for cookie in page.context.cookies()}
    assert not names & {"ballot_review", "ballot_receipt", "sessionid"}, names
    # The language chosen stays.
    assert "django_language" in names and page.locator("html").get_attribute("lang") == "de"
