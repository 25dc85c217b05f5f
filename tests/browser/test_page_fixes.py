"""What a person sees, in Chromium: the ballot above the fold on a phone, one order for ties, the officers' list
whole at 1280 px, the site's own 404 page in the demo, and no failed request for an icon."""

import pytest

from elections.models import SealedBallot
from tests.browser.builders import at, build_election

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "steering---2026"


def test_on_a_phone_the_first_candidate_is_on_the_first_screen_of_the_ballot(new_page, sign_in, shoot):
    build_election(KEY)
    phone = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    sign_in(phone, "alice")
    phone.goto(f"/app/elections/{KEY}/vote")
    first_name = phone.locator(".ballot-row label").first.bounding_box()
    shoot(phone, "ballot-phone")
    assert first_name["y"] + first_name["height"] <= 844, f"the first candidate starts at {first_name['y']}px"
    # The finer points are still there, one tap away.
    phone.get_by_text("How to rank").tap()
    assert phone.get_by_text("Only the order counts").is_visible()


def test_tied_candidates_are_listed_in_the_same_order_while_ranking_and_on_the_review(page, sign_in):
    build_election(KEY)
    sign_in(page, "alice")
    page.goto(f"/app/elections/{KEY}/vote")
    for name in ("Dolores Ruiz", "Amara Okafor", "Chen Wei", "Björn Lindqvist"):
        page.get_by_label(name, exact=True).select_option("1")
    live = page.locator(".live-ranks li").first.inner_text().strip()
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_role("heading", name="Review your ballot").wait_for()
    reviewed = page.locator(".ballot-summary li").first.inner_text().strip()
    assert live == reviewed == "1st, tied: Amara Okafor, Björn Lindqvist, Chen Wei, Dolores Ruiz"


def test_the_officers_election_list_shows_every_column_at_1280_px(page, sign_in, shoot):
    build_election(KEY, name="Example Community Steering Committee Election")
    build_election("board---2024", name="Example Community Board Election 2024", status="completed")
    sign_in(page, "olivia")
    page.goto("/admin/elections/election/")
    shoot(page, "admin-election-list")
    headers = page.locator("#result_list thead th")
    assert headers.count() >= 6
    for i in range(headers.count()):
        box = headers.nth(i).bounding_box()
        assert box["x"] + box["width"] <= 1280, f"column {headers.nth(i).inner_text()!r} is cut off"
    scroll = page.evaluate("() => { const r = document.querySelector('#changelist .results');"
                           " return r.scrollWidth - r.clientWidth; }")
    assert scroll <= 0, f"the list is {scroll}px wider than its box"


def test_in_the_demo_an_unknown_page_is_the_sites_404_page(page, shoot, assert_accessible):
    response = page.goto("/elections/no-such-election/at-all")
    assert response.status == 404
    assert page.get_by_role("heading", name="Not found").is_visible()
    assert "URLconf" not in page.content()
    # No frame around the page when its main content takes focus (the skip link, an address ending in #main).
    page.goto("/elections/no-such-election/at-all#main")
    page.locator("main").focus()
    assert page.evaluate("() => getComputedStyle(document.querySelector('main')).outlineStyle") == "none"
    shoot(page, "not-found")
    assert_accessible(page, "not found")


def test_pages_load_without_a_failed_request(page, sign_in):
    build_election(KEY)
    failed = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    sign_in(page, "alice")
    for path in ("/", f"/app/elections/{KEY}", f"/app/elections/{KEY}/vote", "/admin/"):
        page.goto(path)
    page.wait_for_timeout(300)
    assert not [url for url in failed if not url.endswith("/admin/")], failed


def test_revoking_takes_a_page_of_its_own_and_viewing_cannot_revoke(page, sign_in):
    from elections.voting import services
    from tests.browser.builders import user

    election = build_election(KEY)
    ranks = {"amara": 1, "bjorn": 2, "chen": 2, "dolores": 2}
    services.ballot_cast(election=election, voter=user("alice"), ranks=ranks, passphrase="a passphrase of mine")
    sign_in(page, "alice")
    page.goto(f"/app/elections/{KEY}/confirmation")
    assert page.get_by_role("button", name="Revoke my ballot").count() == 0
    page.get_by_label("Your passphrase").fill("a passphrase of mine")
    page.get_by_role("button", name="View my ballot").click()
    page.get_by_text("Receipt:").wait_for()
    page.get_by_role("link", name="Revoke my ballot").click()
    page.get_by_role("heading", name="Revoke my ballot").wait_for()
    page.get_by_label("Your passphrase").fill("a passphrase of mine")
    page.get_by_role("button", name="Revoke my ballot").click()
    page.wait_for_url(at(f"/app/elections/{KEY}"))
    assert SealedBallot.objects.count() == 0


def test_the_admin_homes_list_of_elections_is_not_clipped_at_1280_px(page, sign_in, shoot):
    build_election(KEY, name="Example Community Steering Committee Election")
    build_election("board---2024", name="Example Community Board Election 2024", status="completed")
    sign_in(page, "olivia")
    page.goto("/admin/")
    shoot(page, "admin-home")
    overflow = page.evaluate("() => { const box = document.querySelector('.officer-elections');"
                             " return box.scrollWidth - box.clientWidth; }")
    assert overflow <= 0, f"the list of elections is {overflow}px wider than its box"
    last = page.locator(".officer-elections thead th").last.bounding_box()
    assert last["x"] + last["width"] <= 1280


def test_on_a_phone_the_header_leaves_the_screen_to_the_page(new_page, sign_in):
    build_election(KEY)
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    sign_in(page, "alice")
    page.goto(f"/app/elections/{KEY}/vote")
    height = page.evaluate("() => document.querySelector('.site-header').getBoundingClientRect().height")
    assert height <= 100, f"the header takes {height}px of a 844px screen"
    # The language choice is still labelled for a screen reader.
    assert page.get_by_label("Language").is_visible()
