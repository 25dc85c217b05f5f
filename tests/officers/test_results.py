"""The officers' results page: closed to everyone until voting closes, then explained in plain words."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from elections.models import AuditEvent
from elections.officers.results import election_tally, results_page

from .conftest import cast, cast_many, make_election

pytestmark = pytest.mark.django_db

SVG = "http://www.w3.org/2000/svg"

# The Schulze method's textbook example (45 voters, 5 candidates): E wins, partly through chains of wins.
TEXTBOOK = [(5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"), (7, "CAEBD"), (2, "CBADE"), (7, "DCEBA"),
            (8, "EBADC")]


def textbook_election(status="completed", **fields):
    election = make_election("textbook---2026", status=status, officers=["olivia"], candidates=list("abcde"),
                             voters=[f"voter{i}" for i in range(50)], **fields)
    election.candidates.filter(candidate_id="e").update(name="Emma Example")
    cast_many(election, [(n, {c.lower(): i + 1 for i, c in enumerate(order)}) for n, order in TEXTBOOK])
    return election


@pytest.mark.parametrize("status", ["upcoming", "running"])
@pytest.mark.parametrize("persona", ["olivia", "root"])
def test_nobody_sees_results_before_voting_closes(login, users, status, persona):
    election = textbook_election(status=status)
    response = login(persona).get(reverse("officers:results", args=[election.key]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "No results yet" in page and "before voting closes" in page
    assert "Emma Example" not in page
    assert not AuditEvent.objects.exists()


def test_the_overview_offers_no_results_link_while_voting_runs(login):
    election = textbook_election(status="running")
    page = login("olivia").get(reverse("officers:overview", args=[election.key])).content.decode()
    assert reverse("officers:results", args=[election.key]) not in page
    assert "Results and exports open when voting closes" in page


def test_after_the_close_the_officer_sees_winner_ranking_and_tables(login):
    election = textbook_election()
    response = login("olivia").get(reverse("officers:results", args=[election.key]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>Emma Example</strong>" in page
    assert page.count('<th scope="col">Emma Example</th>') == 2  # pairwise and strongest-path tables
    assert '<th scope="row">Emma Example</th>' in page
    assert "<svg" in page and "heat map" in page
    assert "<script>" not in page.replace(" ", "")
    # The ranking reads E, A, C, B, D.
    places = re.findall(r'<th scope="row">(\d)</th>\s*<td>(\w+)', page)
    assert places == [("1", "Emma"), ("2", "A"), ("3", "C"), ("4", "B"), ("5", "D")]


def test_the_explanation_says_who_beat_whom_directly_and_through_which_chain(login):
    election = textbook_election()
    page = login("olivia").get(reverse("officers:results", args=[election.key])).content.decode()
    # Each candidate with their place in the ranking (E, A, C, B, D).
    assert "Emma Example (1st) beat D (5th) directly by 31 ballots to 14" in page
    assert ("C (3rd) beat Emma Example (1st) directly by 24 ballots to 21, but Emma Example (1st) beat C (3rd) "
            "through Emma Example (1st) → D (5th) → C (3rd) with strength 28") in page


def test_viewing_results_is_recorded_in_the_audit_trail(login):
    election = textbook_election()
    login("olivia").get(reverse("officers:results", args=[election.key]))
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.election) == ("olivia", "results.view", election)
    assert event.detail == {"ballots": 45, "winners": ["e"]}


def test_a_tie_straddling_the_last_seat_is_disclosed_not_settled(login):
    election = make_election("tie---2026", status="completed", officers=["olivia"], seats=2)
    cast_many(election, [(4, {"alice": 1, "bob": 2, "carol": 2}), (2, {"bob": 1, "carol": 1, "alice": 2})])
    page = login("olivia").get(reverse("officers:results", args=[election.key])).content.decode()
    assert "Bob and Carol are tied for 1 seat" in page
    assert "Bob over Carol: 0 ballots; Carol over Bob: 0 ballots." in page
    assert "1 seat remains undecided" in page
    assert "<strong>Alice</strong>" in page


def test_a_declared_tie_break_is_applied_and_explained(login):
    election = make_election("tiebreak---2026", status="completed", officers=["olivia"], candidates=["alice", "bob"],
                             tie_break={"order": ["bob", "alice"]})
    cast_many(election, [(2, {"alice": 1, "bob": 2}), (2, {"bob": 1, "alice": 2})])
    page = login("olivia").get(reverse("officers:results", args=[election.key])).content.decode()
    assert "broken by the declared tie-break order" in page
    assert "<strong>Bob</strong>" in page


def test_an_election_without_ballots_shows_one_tied_group(login):
    election = make_election("empty---2026", status="completed", officers=["olivia"])
    response = login("olivia").get(reverse("officers:results", args=[election.key]))
    assert response.status_code == 200
    assert "Alice, Bob and Carol are tied for 1 seat" in response.content.decode()


def test_a_withdrawn_candidate_counts_only_if_ranked_and_is_marked(login):
    election = make_election("withdrawn---2026", status="completed", officers=["olivia"],
                             candidates=["alice", "bob", "carol", "dave"])
    election.candidates.filter(candidate_id__in=["carol", "dave"]).update(withdrawn=True)
    cast(election, {"alice": 1, "bob": 2, "carol": 3, "dave": None})
    page = login("olivia").get(reverse("officers:results", args=[election.key])).content.decode()
    assert '<th scope="col">Carol (withdrawn)</th>' in page
    # Nobody ranked Dave: counting him would tie him, unbeaten, for the seat.
    assert "Dave" not in page
    assert "<strong>Alice</strong>" in page


def test_the_heat_map_colours_wins_and_losses():
    election = textbook_election()
    svg = ET.fromstring(str(results_page(election_tally(election), {})["heat_map"]))
    cells = svg.findall(f"{{{SVG}}}g")
    assert len(cells) == 20
    # The first row is the winner's (E): it wins against D by 31 to 14, so that cell is green.
    by_title = {c.find(f"{{{SVG}}}title").text: c.find(f"{{{SVG}}}rect").get("fill") for c in cells}
    fill = by_title["e over d: 31 ballots; the other way: 14"]
    red, green, blue = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    assert green > red and green > blue


def test_the_results_page_says_how_to_recount_the_published_ballots(login):
    election = make_election("recount---2026", status="completed", officers=["olivia"], seats=2,
                             tie_break={"order": ["bob", "alice", "carol"]})
    page = login("olivia").get(reverse("officers:results", args=[election.key])).content.decode()
    assert ("python manage.py tally --ballots ballots-recount---2026.csv --seats 2 "
            "--tie-break-order bob,alice,carol") in page
