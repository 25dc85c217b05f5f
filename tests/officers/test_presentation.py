"""What an officer reads on the results and admin pages: context, wide tables, pictures with words."""

import pytest
from django.urls import reverse

from .conftest import cast_many, make_election

pytestmark = pytest.mark.django_db

CANDIDATES = [f"candidate{i:02d}" for i in range(12)]


@pytest.fixture
def big_election(db):
    election = make_election("big---2025", status="completed", officers=["olivia"], voters=["vera", "walt"],
                             candidates=CANDIDATES, seats=3)
    cast_many(election, [(3, {c: i + 1 for i, c in enumerate(CANDIDATES)}),
                         (2, {c: len(CANDIDATES) - i for i, c in enumerate(CANDIDATES)})])
    return election


def test_the_results_page_says_which_election_when_it_closed_and_how_many_ballots(login, big_election):
    page = login("olivia").get(reverse("officers:results", args=[big_election.key])).content.decode()

    assert "big---2025" in page
    closed = big_election.end_datetime.strftime("%Y-%m-%dT%H:%M")
    assert "closed <time class=\"js-local-time\" datetime=\"" + closed in page
    assert "<dt>Ballots counted</dt><dd>5" in page
    assert "<dt>Seats</dt><dd>3</dd>" in page


def test_result_tables_scroll_in_their_own_labelled_box(login, big_election):
    page = login("olivia").get(reverse("officers:results", args=[big_election.key])).content.decode()

    # Pairwise counts, strongest paths, and the seats under each counting method.
    assert page.count('class="table-scroll" role="region" tabindex="0"') == 3
    assert 'aria-labelledby="panel-seats-caption"' in page and 'id="panel-seats-caption"' in page
    assert 'aria-labelledby="pairwise-table-caption"' in page and 'id="pairwise-table-caption"' in page
    assert 'aria-labelledby="paths-table-caption"' in page and 'id="paths-table-caption"' in page


def test_the_heat_map_has_a_legend_in_words(login, big_election):
    page = login("olivia").get(reverse("officers:results", args=[big_election.key])).content.decode()

    text = " ".join(page.split())
    assert "Green: the row's candidate wins head to head; orange: loses; grey: level." in text
    assert "The deeper the colour, the wider the margin." in text


def test_the_overview_of_a_completed_election_says_voting_closed(login, big_election):
    page = login("olivia").get(reverse("officers:overview", args=[big_election.key])).content.decode()

    assert "and closed <time" in page
    assert "and closes" not in page


def test_the_audit_table_on_the_overview_says_what_happened_in_words(login, big_election):
    client = login("olivia")
    client.get(reverse("officers:results", args=[big_election.key]))

    page = client.get(reverse("officers:overview", args=[big_election.key])).content.decode()

    assert "viewed the results <span class=\"muted\">(results.view)</span>" in page


def test_the_admin_loads_its_own_stylesheet_for_the_turnout_block(login, big_election):
    page = login("olivia").get(reverse("admin:elections_election_change", args=[big_election.pk])).content.decode()

    assert "css/admin.css" in page
    assert 'class="module aligned officer-module"' in page
    assert '<dl class="turnout">' in page
