"""Rank by hand (static/js/ballot.js) in Chromium: buttons from the keyboard alone, dragging with a mouse and with
a finger on a 390 px phone; the rank selects, the live summary and the screen-reader announcements keep in step,
and what is cast is what was shown."""

import re

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
    def open_ballot(candidates=None, **options):
        build_election(KEY, **({"candidates": candidates} if candidates else {}))
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
    expect_announced(page, "Chen Wei: 1st.")
    # Focus stays on the moved candidate's buttons: the next Tab continues from there.
    assert "Chen Wei" in page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    page.locator("body").focus()
    press(page, "Rank next: Amara Okafor")
    page.locator("body").focus()
    press(page, "Rank next: Dolores Ruiz")
    expect_announced(page, "Dolores Ruiz: 3rd.")
    page.locator("body").focus()
    press(page, "Tie with above: Dolores Ruiz")
    expect_announced(page, "Dolores Ruiz: 2nd, tied with Amara Okafor.")
    assert live(page) == ["1st: Chen Wei", "2nd, tied: Amara Okafor, Dolores Ruiz",
                          "Not ranked, counts last: Björn Lindqvist"]
    page.locator("body").focus()
    press(page, "Up: Amara Okafor")
    expect_announced(page, "Amara Okafor: 2nd.")
    page.locator("body").focus()
    press(page, "Up: Amara Okafor")
    expect_announced(page, "Amara Okafor: 1st.")
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
    assert live(page) == ["1st: Amara Okafor", "2nd: Chen Wei", "Not ranked, counts last: Dolores Ruiz"]
    shoot(page, "ranked-by-keyboard")
    assert_accessible(page, "ballot ranked by keyboard")
    assert page.errors == []

    assert cast(page) == ["1st: Amara Okafor", "2nd: Chen Wei", "Not ranked, counts last: Dolores Ruiz"]
    assert [b.ranks for b in box_open_now(Election.objects.get(key=KEY))] == [
        {"amara": 1, "chen": 2, "dolores": 4, "bjorn": None}]


SIX = (("amara", "Amara Okafor"), ("bjorn", "Björn Lindqvist"), ("chen", "Chen Wei"), ("dolores", "Dolores Ruiz"),
       ("emeka", "Emeka Obi"), ("farah", "Farah Haddad"))
THIRTEEN = tuple((f"c{n:02d}", f"Candidate {n:02d}") for n in range(1, 14))


class Finger:
    """A finger on the touch screen, through the DevTools protocol: the touch events a phone sends."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)

    def down(self, x, y):
        self.cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})

    def move(self, x, y):
        self.cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})

    def up(self):
        self.cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


class Mouse:
    def __init__(self, page):
        self.mouse = page.mouse

    def down(self, x, y):
        self.mouse.move(x, y)
        self.mouse.down()

    def move(self, x, y):
        self.mouse.move(x, y)

    def up(self):
        self.mouse.up()


def card(page, name):
    return page.locator(".ballot-row", has=page.get_by_label(name, exact=True))


def grab(page, source, pointer):
    """Press ``source``'s drag handle; returns where the pointer is."""
    handle = card(page, source).locator(".drag-handle")
    handle.scroll_into_view_if_needed()
    start = handle.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    pointer.down(x, y)
    return x, y


def drag(page, source, target, *, where="onto", touch=False):
    """Drag ``source``'s handle onto, just before or just after ``target``'s card, in steps, with the mouse or a
    finger."""
    pointer = Finger(page) if touch else Mouse(page)
    x0, y0 = grab(page, source, pointer)
    box = card(page, target).bounding_box()
    x1 = box["x"] + box["width"] / 2
    y1 = box["y"] + box["height"] * (0.5 if where == "onto" else 0.1 if where == "before" else 0.9)
    for k in range(1, 9):
        pointer.move(x0 + (x1 - x0) * k / 8, y0 + (y1 - y0) * k / 8)
    pointer.up()


def expect_in_step(page, *, order, ranks, summary, announced):
    """The cards, the selects, the live summary and the announcement all say the same ballot."""
    expect_announced(page, announced)
    assert card_order(page) == order
    assert {name: page.get_by_label(name, exact=True).input_value() for name in order} == ranks
    assert live(page) == summary


@pytest.mark.parametrize("touch", [False, True], ids=["mouse at 1280 px", "finger at 390 px"])
def test_on_a_fresh_ballot_a_voter_ranks_by_dragging_above_between_and_onto_others(ballot_page, shoot, touch):
    options = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True} if touch else {}
    page = ballot_page(candidates=SIX, **options)
    o = card_order(page)
    ids = dict((name, candidate_id) for candidate_id, name in SIX)

    # Above the first card: first.
    drag(page, o[5], o[0], where="before", touch=touch)
    expect_in_step(page, order=[o[5], *o[:5]], ranks={o[5]: "1", **{n: "" for n in o[:5]}},
                   summary=[f"1st: {o[5]}", "Not ranked, counts last: " + ", ".join(sorted(o[:5]))],
                   announced=f"{o[5]}: 1st.")
    # Between two cards not ranked yet: the cards shown above it are ranked in the order shown.
    drag(page, o[4], o[2], where="before", touch=touch)
    expect_in_step(page, order=[o[5], o[0], o[1], o[4], o[2], o[3]],
                   ranks={o[5]: "1", o[0]: "2", o[1]: "3", o[4]: "4", o[2]: "", o[3]: ""},
                   summary=[f"1st: {o[5]}", f"2nd: {o[0]}", f"3rd: {o[1]}", f"4th: {o[4]}",
                            "Not ranked, counts last: " + ", ".join(sorted([o[2], o[3]]))],
                   announced=f"{o[4]}: 4th.")
    # Onto another: tied with it, and the places below close up.
    drag(page, o[3], o[0], where="onto", touch=touch)
    tied = ", ".join(sorted([o[0], o[3]]))
    expect_in_step(page, order=[o[5], o[0], o[3], o[1], o[4], o[2]],
                   ranks={o[5]: "1", o[0]: "2", o[3]: "2", o[1]: "3", o[4]: "4", o[2]: ""},
                   summary=[f"1st: {o[5]}", f"2nd, tied: {tied}", f"3rd: {o[1]}", f"4th: {o[4]}",
                            f"Not ranked, counts last: {o[2]}"],
                   announced=f"{o[3]}: 2nd, tied with {o[0]}.")
    if touch:
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the ballot scrolls sideways by {overflow}px"
    shoot(page, "ranked-by-dragging")
    assert page.errors == []

    assert cast(page) == [f"1st: {o[5]}", f"2nd, tied: {tied}", f"3rd: {o[1]}", f"4th: {o[4]}",
                          f"Not ranked, counts last: {o[2]}"]
    assert [b.ranks for b in box_open_now(Election.objects.get(key=KEY))] == [
        {ids[o[5]]: 1, ids[o[0]]: 2, ids[o[3]]: 2, ids[o[1]]: 3, ids[o[4]]: 4, ids[o[2]]: 6}]


def test_a_card_dragged_below_a_ranked_one_takes_the_next_place(ballot_page):
    page = ballot_page()
    o = card_order(page)
    drag(page, o[2], o[0], where="before")
    drag(page, o[3], o[2], where="after")
    expect_in_step(page, order=[o[2], o[3], o[0], o[1]], ranks={o[2]: "1", o[3]: "2", o[0]: "", o[1]: ""},
                   summary=[f"1st: {o[2]}", f"2nd: {o[3]}", "Not ranked, counts last: " + ", ".join(sorted(o[:2]))],
                   announced=f"{o[3]}: 2nd.")


@pytest.mark.parametrize("touch", [False, True], ids=["mouse at 1280 px", "finger at 390 px"])
def test_a_card_held_at_the_bottom_edge_scrolls_a_long_ballot(ballot_page, touch):
    options = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True} if touch else {}
    page = ballot_page(candidates=THIRTEEN, **options)
    assert page.evaluate("() => document.documentElement.scrollHeight") > 1500
    o = card_order(page)
    height = page.viewport_size["height"]
    hidden = next(name for name in o if card(page, name).bounding_box()["y"] > height)
    pointer = Finger(page) if touch else Mouse(page)
    x, y = grab(page, o[0], pointer)
    scrolled = page.evaluate("() => window.scrollY")
    for k in range(1, 9):
        pointer.move(x, y + (height - 8 - y) * k / 8)
    page.wait_for_function(f"() => window.scrollY > {scrolled} + 600")
    # The card held at the edge of the screen lands where the page has taken it: past a card that was below the
    # screen when the drag began.
    pointer.up()
    expect(page.locator(".ballot-form [role=status]").first).to_have_text(re.compile(re.escape(o[0]) + ": "))
    order = card_order(page)
    assert order.index(o[0]) > order.index(hidden)
    assert page.errors == []


def test_a_rank_chosen_in_a_select_reorders_the_cards_once_focus_leaves_the_ballot(ballot_page):
    page = ballot_page()
    last = card_order(page)[-1]
    rank_list = page.get_by_label(last, exact=True)
    rank_list.focus()
    rank_list.select_option("1")
    assert live(page)[0] == f"1st: {last}"
    expect_announced(page, f"{last}: 1st.")
    # Still on the ballot: nothing moves under the voter's focus, but its buttons already fit its new rank.
    assert card_order(page)[-1] == last
    card = page.locator(".ballot-row", has=page.get_by_label(last, exact=True))
    expect(card.get_by_role("button", name=f"Rank next: {last}")).to_be_hidden()
    expect(card.get_by_role("button", name=f"Down: {last}")).to_be_visible()
    page.get_by_role("button", name="Review my ballot").focus()
    assert card_order(page)[0] == last
