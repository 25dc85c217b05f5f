"""The public pages in a real browser: anyone can read the elections; a voter signs in with the dev login."""

import pytest

from tests.browser.builders import at, build_election

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anyone_can_read_the_election_list_and_an_election_page(page, shoot, assert_accessible):
    build_election("steering---2026", name="Steering Committee 2026")
    build_election("board---2024", name="Board 2024", status="completed")

    page.goto("/elections")
    assert page.get_by_role("heading", level=1).inner_text() == "Elections"
    assert page.get_by_role("link", name="Steering Committee 2026").is_visible()
    assert page.get_by_role("link", name="Board 2024").is_visible()
    shoot(page, "election-list")
    assert_accessible(page, "election list")

    page.get_by_role("link", name="Steering Committee 2026").click()
    page.wait_for_url(at("/elections/steering---2026"))
    assert page.get_by_role("heading", level=1).inner_text() == "Steering Committee 2026"
    shoot(page, "public-election")
    assert_accessible(page, "public election")


def test_a_voter_signs_in_with_the_development_login_and_lands_on_the_dashboard(page, shoot, sign_in):
    page.goto("/login?next=/app")
    shoot(page, "login")
    sign_in(page, "Alice")
    page.wait_for_url(at("/app"))
    assert page.get_by_role("button", name="Sign out alice").is_visible()
    shoot(page, "dashboard")


def test_on_a_phone_the_election_ballot_and_review_pages_fit_the_screen(new_page, sign_in, shoot, assert_accessible):
    build_election("steering---2026", name="Steering Committee 2026")
    phone = new_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    sign_in(phone, "alice")

    def fits(label):
        overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        shoot(phone, f"phone-{label}")
        assert overflow <= 0, f"the {label} page scrolls sideways by {overflow}px on a phone"

    phone.goto("/app/elections/steering---2026")
    fits("election")
    phone.goto("/app/elections/steering---2026/vote")
    fits("ballot")
    for name in ("Amara Okafor", "Björn Lindqvist", "Chen Wei", "Dolores Ruiz"):
        phone.get_by_label(name, exact=True).select_option("1")
    phone.get_by_role("button", name="Review my ballot").tap()
    phone.get_by_role("heading", name="Review your ballot").wait_for()
    fits("review")
    assert_accessible(phone, "review (phone)")
