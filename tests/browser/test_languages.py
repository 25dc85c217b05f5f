"""The language switcher in a real browser: the page follows the browser's language, the switcher changes it
without JavaScript being needed, and the choice holds on the next pages."""

import pytest

from tests.browser.builders import at, build_election

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_visitor_switches_language_and_the_choice_sticks(new_page, shoot, assert_accessible, javascript):
    build_election("steering---2026", name="Steering Committee 2026")
    page = new_page(locale="de-DE", java_script_enabled=javascript)

    page.goto("/elections")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_role("heading", level=1).inner_text() == "Wahlen"
    switcher = page.get_by_label("Sprache")
    assert switcher.input_value() == "de"
    if javascript:
        assert_accessible(page, "election list in German")
    shoot(page, "german")

    switcher.select_option("ja")
    page.get_by_role("button", name="Sprache wechseln").click()
    page.wait_for_url(at("/elections"))
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("heading", level=1).inner_text() == "選挙"
    shoot(page, "japanese")

    page.get_by_role("link", name="Steering Committee 2026").click()
    page.wait_for_url(at("/elections/steering---2026"))
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_label("言語").input_value() == "ja"
    if javascript:
        assert_accessible(page, "election page in Japanese")
        # The local-time script writes the reader's time in the page's language too.
        assert "あなたの現地時刻" in page.locator(".local-time").first.inner_text()
    shoot(page, "japanese-election")

    page.get_by_label("言語").select_option("en")
    page.get_by_role("button", name="言語を変更").click()
    page.wait_for_url(at("/elections/steering---2026"))
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_switcher_fits_a_phone_screen(new_page, shoot):
    build_election("steering---2026", name="Steering Committee 2026")
    phone = new_page(viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True, locale="pt-BR")
    phone.goto("/elections")
    assert phone.locator("html").get_attribute("lang") == "pt-br"
    assert phone.get_by_role("button", name="Mudar idioma").is_visible()
    overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    shoot(phone, "phone-portuguese")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
