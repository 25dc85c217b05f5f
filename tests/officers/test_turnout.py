"""Turnout on the officers' page while voting runs: eligible, voted, percentage, a chart over time."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.urls import reverse

from elections.models import ExceptionRequest
from elections.officers.results import election_turnout
from meta_sync.models import SyncRun

from .conftest import cast, make_election, make_request

pytestmark = pytest.mark.django_db


def svgs(page):
    return [ET.fromstring(svg) for svg in re.findall(r"<svg.*?</svg>", page, flags=re.S)]


def test_eligible_voters_are_the_roll_plus_approved_requests_counted_once(users, election_a):
    make_request(election_a, users["mallory"], status=ExceptionRequest.APPROVED)
    make_request(election_a, users["oscar"], status=ExceptionRequest.DENIED)
    # vera is on the roll already: an approved request of hers adds nobody.
    make_request(election_a, users["vera"], status=ExceptionRequest.APPROVED)
    assert election_turnout(election_a).eligible == 3  # vera, walt, mallory


def test_the_overview_shows_votes_percentage_and_a_chart_of_votes_over_time(login, users, election_a):
    start = election_a.start_datetime
    cast(election_a, {"alice": 1}, voter=users["vera"], voted_at=start + timedelta(hours=1))
    page = login("olivia").get(reverse("officers:overview", args=[election_a.key])).content.decode()
    assert "1 (50.0%)" in page
    (chart,) = svgs(page)
    assert chart.get("role") == "img"
    points = chart.find("{http://www.w3.org/2000/svg}polyline").get("points").split()
    assert len(points) == 49
    # Cumulative: starts at the bottom (no votes) and ends at the top (all votes).
    assert points[0].endswith(",160.0") and points[-1].endswith(",0.0")
    assert "<script" not in page.split("</main>")[0].split("<main")[1]


def test_an_upcoming_election_has_no_chart_yet(login):
    election = make_election("later---2026", status="upcoming", officers=["olivia"])
    page = login("olivia").get(reverse("officers:overview", args=[election.key])).content.decode()
    assert "Voting has not opened yet" in page
    assert svgs(page) == []


def test_the_overview_lists_sync_warnings_and_errors(login, election_a):
    election_a.sync_warnings = ["candidate-zed.md: no ID, skipped"]
    election_a.sync_errors = ["voters.yaml: not a list"]
    election_a.save()
    page = login("olivia").get(reverse("officers:overview", args=[election_a.key])).content.decode()
    assert "candidate-zed.md: no ID, skipped" in page and "voters.yaml: not a list" in page


def test_the_results_pictures_are_well_formed_svg(login):
    election = make_election("pic---2026", status="completed", officers=["olivia"], candidates=["a&b", "c<d"])
    cast(election, {"a&b": 1, "c<d": 2})
    page = login("olivia").get(reverse("officers:results", args=[election.key])).content.decode()
    titles = [svg.find("{http://www.w3.org/2000/svg}title").text for svg in svgs(page)]
    assert titles == ["Who beats whom, head to head", "Head-to-head results as a heat map"]


def test_a_mismatch_between_voters_and_ballots_is_flagged(login, users, election_a):
    cast(election_a, {"alice": 1}, voter=users["vera"])
    client = login("olivia")
    page = client.get(reverse("officers:overview", args=[election_a.key])).content.decode()
    assert "differs from the number of voters" not in page
    cast(election_a, {"bob": 1})  # a ballot without a voter record
    page = client.get(reverse("officers:overview", args=[election_a.key])).content.decode()
    assert "differs from the number of voters" in page


def test_the_overview_says_when_the_repository_was_last_synced(login, election_a):
    SyncRun.objects.create(trigger="webhook", source="x", ok=False, summary={"errors": [{"path": "p", "message": "m"}]})
    page = login("olivia").get(reverse("officers:overview", args=[election_a.key])).content.decode()
    assert "The last sync of the repository ran" in page and "met errors" in page
