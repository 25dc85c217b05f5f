"""A voter's whole journey in a real browser: sign in, rank, review, cast, receipt, view, revoke, vote again.

Once with the mouse, once with the keyboard alone (Tab, typing, Enter), as a voter who cannot use a mouse would.
"""

import pytest

from elections.models import Ballot, SealedBallot, VoteRecord
from tests.browser.builders import at, build_election
from tests.conftest import box_open_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "steering---2026"
NAME = "Steering Committee 2026"
OWN_PASSPHRASE = "my own long passphrase 42"


@pytest.fixture
def election():
    return build_election(KEY, name=NAME)


def rank_with_mouse(page, ranks):
    """Click each candidate's rank list and pick a rank; None picks "No opinion", "" leaves it unranked."""
    for name, rank in ranks.items():
        select = page.get_by_label(name, exact=True)
        select.click()
        select.select_option(value="no-opinion" if rank is None else str(rank))
        page.keyboard.press("Escape")


def summary_lines(page):
    return [line.strip() for line in page.locator(".ballot-summary li").all_inner_texts()]


def test_a_voter_ranks_with_the_mouse_casts_views_revokes_and_votes_again(
    election, page, sign_in, shoot, assert_accessible
):
    sign_in(page, "alice")
    page.wait_for_url(at("/app"))
    shoot(page, "dashboard")
    page.get_by_role("link", name=NAME).first.click()
    page.wait_for_url(at(f"/app/elections/{KEY}"))
    assert page.locator(".badge.eligible").first.is_visible()
    shoot(page, "election")
    assert_accessible(page, "election")

    page.get_by_role("link", name="Vote", exact=True).click()
    page.wait_for_url(at(f"/app/elections/{KEY}/vote"))
    # Nothing is ranked before the voter ranks it: no accidental ballot.
    for name in ("Amara Okafor", "Björn Lindqvist", "Chen Wei", "Dolores Ruiz"):
        assert page.get_by_label(name, exact=True).input_value() == ""
    rank_with_mouse(page, {"Amara Okafor": 1, "Björn Lindqvist": 2, "Chen Wei": 2, "Dolores Ruiz": None})
    shoot(page, "ballot")
    assert_accessible(page, "ballot")
    page.get_by_role("button", name="Review my ballot").click()

    page.get_by_role("heading", name="Review your ballot").wait_for()
    assert summary_lines(page) == ["1st: Amara Okafor", "2nd, tied: Björn Lindqvist, Chen Wei"]
    assert "Dolores Ruiz" in page.get_by_text("No opinion:").locator("..").inner_text()
    assert SealedBallot.objects.count() == 0, "the review step must not cast anything"
    shoot(page, "review")
    assert_accessible(page, "review")

    suggested = page.locator("#suggested-passphrase").inner_text().strip()
    assert len(suggested) >= 12
    page.get_by_label("Passphrase", exact=True).fill(suggested)
    page.get_by_label("Passphrase again").fill(suggested)
    page.get_by_role("button", name="Cast my ballot").click()

    page.get_by_role("heading", name="Your ballot was cast").wait_for()
    receipt = page.locator("#receipt").inner_text().strip()
    assert receipt
    shoot(page, "receipt")
    assert_accessible(page, "receipt")
    # Sealed: nothing readable until the box is opened; the voter's own view below shows the ranks.
    assert SealedBallot.objects.count() == 1 and not Ballot.objects.exists()
    assert VoteRecord.objects.filter(election=election, voter__username="alice").count() == 1

    page.get_by_role("link", name="View, change or revoke my ballot").click()
    page.get_by_label("Your passphrase").fill(suggested)
    page.get_by_role("button", name="View my ballot").click()
    page.get_by_text(receipt).wait_for()
    assert summary_lines(page) == ["1st: Amara Okafor", "2nd, tied: Björn Lindqvist, Chen Wei"]
    shoot(page, "ballot-viewed")
    assert_accessible(page, "ballot view")

    page.get_by_role("link", name="Revoke my ballot").click()
    page.get_by_label("Your passphrase").fill(suggested)
    page.get_by_role("button", name="Revoke my ballot").click()
    page.wait_for_url(at(f"/app/elections/{KEY}"))
    assert page.get_by_role("status").filter(has_text="revoked").is_visible()
    shoot(page, "revoked")
    assert SealedBallot.objects.count() == 0
    assert VoteRecord.objects.count() == 0

    page.get_by_role("link", name="Vote", exact=True).click()
    rank_with_mouse(page, {"Amara Okafor": 2, "Björn Lindqvist": None, "Chen Wei": 1, "Dolores Ruiz": 3})
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_label("Passphrase", exact=True).fill(OWN_PASSPHRASE)
    page.get_by_label("Passphrase again").fill(OWN_PASSPHRASE)
    page.get_by_role("button", name="Cast my ballot").click()
    page.get_by_role("heading", name="Your ballot was cast").wait_for()
    second_receipt = page.locator("#receipt").inner_text().strip()
    shoot(page, "receipt-again")
    assert second_receipt != receipt
    assert [b.ranks for b in box_open_now(election)] == [{"amara": 2, "bjorn": None, "chen": 1, "dolores": 3}]


def focused(page):
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const label = el.labels && el.labels.length ? el.labels[0].textContent.trim() : "";
            const style = getComputedStyle(el);
            return {tag: el.tagName.toLowerCase(), text: (el.textContent || "").trim().slice(0, 80), label,
                    name: el.getAttribute("name") || "", outline: style.outlineStyle, shadow: style.boxShadow};
        }"""
    )


def tab_to(page, matches, *, limit=60):
    """Press Tab until the focused element matches; fail if it never does, or if its focus is invisible."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if matches(element):
            assert element["outline"] != "none" or element["shadow"] != "none", (
                f"the focused {element['tag']} {element['label'] or element['text']!r} shows no focus indicator"
            )
            return element
        seen.append(element["label"] or element["text"] or element["tag"])
    raise AssertionError(f"never reached the element by Tab; focus went through: {seen}")


def test_a_voter_completes_the_whole_ballot_with_the_keyboard_alone(election, page, shoot):
    page.goto("/login?next=/app")
    tab_to(page, lambda el: el["label"] == "GitHub login")
    page.keyboard.type("bob")
    page.keyboard.press("Enter")
    page.wait_for_url(at("/app"))

    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == NAME)
    page.keyboard.press("Enter")
    page.wait_for_url(at(f"/app/elections/{KEY}"))
    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == "Vote")
    page.keyboard.press("Enter")
    page.wait_for_url(at(f"/app/elections/{KEY}/vote"))

    # Typing a digit on a focused rank list picks that rank, as on any native select.
    wanted = {"Amara Okafor": "3", "Björn Lindqvist": "1", "Chen Wei": "2", "Dolores Ruiz": None}
    for _ in wanted:
        # The page's other select, the language switcher, is passed over like any other control.
        element = tab_to(page, lambda el: el["tag"] == "select" and el["label"] in wanted)
        if wanted[element["label"]]:
            page.keyboard.type(wanted[element["label"]])
    shoot(page, "ballot-keyboard")
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Review my ballot")
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Review your ballot").wait_for()
    # Dolores Ruiz, left alone, counts last.
    assert summary_lines(page) == ["1st: Björn Lindqvist", "2nd: Chen Wei", "3rd: Amara Okafor",
                                   "Not ranked, counts last: Dolores Ruiz"]
    tab_to(page, lambda el: el["label"] == "Passphrase")
    page.keyboard.type(OWN_PASSPHRASE)
    tab_to(page, lambda el: el["label"] == "Passphrase again")
    page.keyboard.type(OWN_PASSPHRASE)
    shoot(page, "review-keyboard")
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Cast my ballot")
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Your ballot was cast").wait_for()
    shoot(page, "receipt-keyboard")
    assert SealedBallot.objects.count() == 1 and not Ballot.objects.exists()

    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == "View, change or revoke my ballot")
    page.keyboard.press("Enter")
    page.wait_for_url(at(f"/app/elections/{KEY}/confirmation"))
    tab_to(page, lambda el: el["label"] == "Your passphrase")
    page.keyboard.type(OWN_PASSPHRASE)
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "View my ballot")
    page.keyboard.press("Enter")
    page.get_by_text("Receipt:").wait_for()
    assert summary_lines(page) == ["1st: Björn Lindqvist", "2nd: Chen Wei", "3rd: Amara Okafor",
                                   "Not ranked, counts last: Dolores Ruiz"]
    shoot(page, "ballot-viewed-keyboard")
