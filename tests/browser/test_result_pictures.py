"""The results pictures in Chromium: shown at a readable size at 1280 px and on a phone, axe-clean, downloadable."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from elections.models import Ballot, Election
from tests.browser.builders import build_election

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "board---2026"
CANDIDATES = tuple((f"c{i:02d}", f"Candidate Number {i}") for i in range(12))


@pytest.fixture
def counted():
    election = build_election(KEY, name="Board 2026", candidates=CANDIDATES, status="completed")
    for i in range(15):
        ranks = {c: (j + i) % 12 + 1 for j, (c, _) in enumerate(CANDIDATES)}
        Ballot.objects.create(election=election, ranks=ranks, receipt=f"R-{i:04d}")
    Election.objects.filter(pk=election.pk).update(end_datetime=timezone.now() - timedelta(minutes=1))
    return election


@pytest.mark.parametrize("width", [1280, 390])
def test_the_officer_sees_the_beat_graph_and_a_readable_heat_map(counted, new_page, sign_in, shoot,
                                                                 assert_accessible, width):
    page = new_page(viewport={"width": width, "height": 900}, is_mobile=width < 500, has_touch=width < 500)
    sign_in(page, "olivia")
    page.goto(f"/app/elections/{KEY}/admin/results")
    beat_graph = page.get_by_role("img", name="Who beats whom, head to head")
    heat_map = page.get_by_role("img", name="Head-to-head results as a heat map")
    expect(beat_graph).to_be_visible()
    heat_map.scroll_into_view_if_needed()
    expect(heat_map).to_be_visible()
    cell = page.locator(".heat-map g.cell rect").first.bounding_box()
    assert cell["width"] >= 36, f"heat-map cells are drawn {cell['width']:.0f}px wide"
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    shoot(page, f"results-pictures-{width}")
    assert_accessible(page, f"results with pictures at {width}px")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the beat graph (SVG)").click()
    download = download_info.value
    assert download.suggested_filename == f"beat-graph-{KEY}.svg"
    assert "<svg" in open(download.path(), encoding="utf-8").read()
