"""Rank by hand (static/js/ballot.js) in Chromium: buttons from the keyboard alone, dragging with a mouse and with
a finger on a 390 px phone; the rank selects, the live summary and the screen-reader announcements keep in step,
and what is cast is what was shown."""

import pytest
from playwright.sync_api import expect

from elections.models import Election
from tests.browser.builders import build_election
from tests.conftest import box_open_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "steering---2026"
PASSPHRASE = "my own long passphrase 42"
IDS = {"Amara Okafor": "amara", "Björn Lindqvist": "bjorn", "Chen Wei": "chen", "Dolores Ruiz": "dolores"}


@pytest.fixture
def ballot_page(new_page, sign_in):
    def open_ballot(**options):
        build_election(KEY)
        page = new_page(**options)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, "alice")
        page.goto(f"/app/elections/{KEY}/vote")
        page.errors = errors
        return page

    return open_ballot


def live(page):
    return [line.strip() for line in page.locator(".live-ranks li").all_inner_texts()]


def selects(page):
    return {name: page.get_by_label(name, exact=True).input_value() for name in IDS}


def card_order(page):
    return [text.strip() for text in page.locator(".ballot-row label").all_inner_texts()]


def expect_announced(page, message):
    """The ballot announces ``message`` (it clears the last announcement, then writes the new one 30 ms later;
    waiting for the text itself never reads the previous move's)."""
    expect(page.locator(".ballot-form [role=status]").first).to_have_text(message)


def press(page, label):
    """Tab to the button named ``label`` and press Enter, as a keyboard user would."""
    for _ in range(80):
        page.keyboard.press("Tab")
        name = page.evaluate("() => document.activeElement.getAttribute('aria-label') || ''")
        if name == label:
            page.keyboard.press("Enter")
            return
    raise AssertionError(f"never reached {label!r} by Tab")


def cast(page):
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_role("heading", name="Review your ballot").wait_for()
    summary = [line.strip() for line in page.locator(".ballot-summary li").all_inner_texts()]
    page.get_by_label("Passphrase", exact=True).fill(PASSPHRASE)
    page.get_by_label("Passphrase again").fill(PASSPHRASE)
    page.get_by_role("button", name="Cast my ballot").click()
    page.get_by_role("heading", name="Your ballot was cast").wait_for()
    return summary


def test_a_voter_ranks_ties_and_sets_aside_with_the_keyboard_alone(ballot_page, shoot, assert_accessible):
    page = ballot_page()
    press(page, "Rank next: Chen Wei")
    expect_announced(page, "Chen Wei: rank 1 of 1.")
    # Focus stays on the moved candidate's buttons: the next Tab continues from there.
    assert "Chen Wei" in page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    page.locator("body").focus()
    press(page, "Rank next: Amara Okafor")
    page.locator("body").focus()
    press(page, "Rank next: Dolores Ruiz")
    expect_announced(page, "Dolores Ruiz: rank 3 of 3.")
    page.locator("body").focus()
    press(page, "Tie with above: Dolores Ruiz")
    expect_announced(page, "Dolores Ruiz: rank 2 of 2, tied with Amara Okafor.")
    assert live(page) == ["Rank 1: Chen Wei", "Rank 2 (tie): Amara Okafor, Dolores Ruiz",
                          "Rank 4, last: Björn Lindqvist"]
    page.locator("body").focus()
    press(page, "Up: Amara Okafor")
    expect_announced(page, "Amara Okafor: rank 2 of 3.")
    page.locator("body").focus()
    press(page, "Up: Amara Okafor")
    expect_announced(page, "Amara Okafor: rank 1 of 3.")
    page.locator("body").focus()
    press(page, "No opinion: Björn Lindqvist")
    expect_announced(page, "Björn Lindqvist: No opinion.")
    page.locator("body").focus()
    press(page, "Set aside: Dolores Ruiz")
    expect_announced(page, "Dolores Ruiz: not ranked, counts last.")
    # The selects, the cards and the summary all say the same.
    assert selects(page) == {"Amara Okafor": "1", "Chen Wei": "2", "Dolores Ruiz": "",
                             "Björn Lindqvist": "no-opinion"}
    assert card_order(page) == ["Amara Okafor", "Chen Wei", "Dolores Ruiz", "Björn Lindqvist"]
    assert live(page) == ["Rank 1: Amara Okafor", "Rank 2: Chen Wei", "Rank 4, last: Dolores Ruiz"]
    shoot(page, "ranked-by-keyboard")
    assert_accessible(page, "ballot ranked by keyboard")
    assert page.errors == []

    assert cast(page) == ["Rank 1: Amara Okafor", "Rank 2: Chen Wei", "Rank 4, last: Dolores Ruiz"]
    assert [b.ranks for b in box_open_now(Election.objects.get(key=KEY))] == [
        {"amara": 1, "chen": 2, "dolores": 4, "bjorn": None}]


def drag(page, source, target, *, where="onto", touch=False):
    """Drag ``source``'s handle onto (or just before) ``target``'s card: mouse, or a finger through CDP."""
    handle = page.locator(".ballot-row", has=page.get_by_label(source, exact=True)).locator(".drag-handle")
    card = page.locator(".ballot-row", has=page.get_by_label(target, exact=True))
    start, box = handle.bounding_box(), card.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1 = box["x"] + box["width"] / 2
    y1 = box["y"] + box["height"] * (0.5 if where == "onto" else 0.1 if where == "before" else 0.9)
    steps = [(x0 + (x1 - x0) * k / 8, y0 + (y1 - y0) * k / 8) for k in range(1, 9)]
    if touch:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
        for x, y in steps:
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    else:
        page.mouse.move(x0, y0)
        page.mouse.down()
        for x, y in steps:
            page.mouse.move(x, y)
        page.mouse.up()


def test_a_voter_orders_candidates_by_dragging_with_the_mouse(ballot_page, shoot):
    page = ballot_page()
    for name in ("Chen Wei", "Amara Okafor", "Dolores Ruiz"):
        page.get_by_role("button", name=f"Rank next: {name}").click()
    drag(page, "Dolores Ruiz", "Chen Wei", where="before")
    expect_announced(page, "Dolores Ruiz: rank 1 of 3.")
    drag(page, "Björn Lindqvist", "Amara Okafor", where="onto")
    expect_announced(page, "Björn Lindqvist: rank 3 of 3, tied with Amara Okafor.")
    assert live(page) == ["Rank 1: Dolores Ruiz", "Rank 2: Chen Wei", "Rank 3 (tie): Amara Okafor, Björn Lindqvist"]
    assert selects(page) == {"Dolores Ruiz": "1", "Chen Wei": "2", "Amara Okafor": "3", "Björn Lindqvist": "3"}
    shoot(page, "ranked-by-mouse")
    assert page.errors == []
    cast(page)
    assert [b.ranks for b in box_open_now(Election.objects.get(key=KEY))] == [
        {"dolores": 1, "chen": 2, "amara": 3, "bjorn": 3}]


def test_on_a_390_px_phone_a_voter_drags_with_a_finger(ballot_page, shoot, assert_accessible):
    page = ballot_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.get_by_role("button", name="Rank next: Amara Okafor").tap()
    page.get_by_role("button", name="Rank next: Chen Wei").tap()
    page.locator(".ballot-row", has=page.get_by_label("Chen Wei", exact=True)).scroll_into_view_if_needed()
    drag(page, "Chen Wei", "Amara Okafor", where="before", touch=True)
    expect_announced(page, "Chen Wei: rank 1 of 2.")
    assert live(page)[:2] == ["Rank 1: Chen Wei", "Rank 2: Amara Okafor"]
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the ballot scrolls sideways by {overflow}px"
    shoot(page, "ranked-by-touch")
    assert_accessible(page, "ballot on a phone")
    assert page.errors == []


def test_a_rank_chosen_in_a_select_reorders_the_cards_once_focus_leaves_the_ballot(ballot_page):
    page = ballot_page()
    last = card_order(page)[-1]
    rank_list = page.get_by_label(last, exact=True)
    rank_list.focus()
    rank_list.select_option("1")
    assert live(page)[0] == f"Rank 1: {last}"
    expect_announced(page, f"{last}: rank 1 of 1.")
    # Still on the ballot: nothing moves under the voter's focus, but its buttons already fit its new rank.
    assert card_order(page)[-1] == last
    card = page.locator(".ballot-row", has=page.get_by_label(last, exact=True))
    expect(card.get_by_role("button", name=f"Rank next: {last}")).to_be_hidden()
    expect(card.get_by_role("button", name=f"Down: {last}")).to_be_visible()
    page.get_by_role("button", name="Review my ballot").focus()
    assert card_order(page)[0] == last
