"""What officers trip over: decided requests, loaded ballots, the admin list, a late turnout chart, the way back."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from elections.models import ExceptionRequest
from elections.officers.published_ballots import ballots_load
from elections.officers.results import turnout_chart
from elections.voting.exception_requests import exception_request_review
from tests.officers.conftest import cast, make_election, make_request

pytestmark = pytest.mark.django_db


def test_a_pending_request_offers_the_review_buttons(login, users, election_a):
    make_request(election_a, users["mallory"])
    page = login("olivia").get(reverse("officers:overview", args=[election_a.key])).content.decode()
    assert "Approve: may vote" in page and 'value="deny"' in page
    assert "Change this decision" not in page


@pytest.mark.parametrize(("status", "offered", "withheld"), [
    (ExceptionRequest.APPROVED, "Deny after all", "approve"),
    (ExceptionRequest.DENIED, "Approve after all", "deny"),
])
def test_a_decided_request_shows_the_decision_and_only_the_reversal_behind_a_disclosure(
    login, users, election_a, status, offered, withheld
):
    row = make_request(election_a, users["mallory"])
    exception_request_review(request=row, reviewer=users["olivia"],
                                      approve=status == ExceptionRequest.APPROVED, comment="Checked.")
    for url in (reverse("officers:overview", args=[election_a.key]),
                reverse("admin:elections_exceptionrequest_change", args=[row.pk])):
        page = login("olivia").get(url).content.decode()
        assert "<summary>Change this decision</summary>" in page
        assert offered in page
        assert f'name="decision" value="{withheld}"' not in page and "Approve: may vote" not in page


def loaded_election(receipts):
    election = make_election("board---2024", status="completed", officers=["olivia"],
                             voters=["v1", "v2", "v3", "v4", "v5"])
    ballots = [{"alice": 1, "bob": 2}, {"alice": 2, "bob": 1}, {"alice": 1, "bob": 2}, {"alice": 1, "bob": 1}]
    ballots_load(election=election, candidates=["alice", "bob", "carol"],
                          ballots=[{**b, "carol": None} for b in ballots],
                          receipts=receipts, actor="operator")
    return election


def test_loaded_ballots_count_as_voters_in_the_admin_list_as_on_the_officers_page(login):
    election = loaded_election(None)
    listing = login("olivia").get(reverse("admin:elections_election_changelist")).content.decode()
    assert "4 / 5 (80%), loaded" in listing
    overview = login("olivia").get(reverse("officers:overview", args=[election.key])).content.decode()
    assert "4 (80.0%)" in overview


def test_the_admin_list_counts_granted_exceptions_as_eligible(login, users, election_a):
    row = make_request(election_a, users["mallory"])
    exception_request_review(request=row, reviewer=users["olivia"], approve=True, comment="")
    cast(election_a, {"alice": 1}, voter=users["vera"])
    listing = login("olivia").get(reverse("admin:elections_election_changelist")).content.decode()
    assert "1 / 3 (33%)" in listing


def test_results_of_ballots_loaded_without_receipts_do_not_send_voters_to_look_for_theirs(login):
    election = loaded_election(None)
    page = login("olivia").get(reverse("officers:results", args=[election.key])).content.decode()
    text = " ".join(page.split())
    assert "no voter has ever seen them" in text
    assert "Each voter can find their receipt code" not in text


def test_results_of_ballots_cast_here_tell_voters_to_check_their_receipt(login, users, election_a):
    cast(election_a, {"alice": 1}, voter=users["vera"])
    election_a.__class__.objects.filter(pk=election_a.pk).update(
        start_datetime=timezone.now() - timedelta(days=3), end_datetime=timezone.now() - timedelta(minutes=1))
    page = login("olivia").get(reverse("officers:results", args=[election_a.key])).content.decode()
    assert "Each voter can find their receipt code" in " ".join(page.split())


def test_a_long_window_whose_votes_came_late_is_charted_from_shortly_before_the_first_vote():
    opened = timezone.now() - timedelta(days=400)
    now = timezone.now()
    times = [now - timedelta(hours=3), now - timedelta(hours=2), now - timedelta(hours=1)]
    chart = turnout_chart(times, start=opened, end=now + timedelta(days=1), now=now)
    assert chart["trimmed"] and chart["opened"] == opened
    assert times[0] - timedelta(hours=1) <= chart["start"] < times[0]
    heights = [float(point.split(",")[1]) for point in chart["points"].split()]
    # The line climbs across the chart rather than jumping at its right edge.
    assert heights[len(heights) // 3] < 160.0 and heights[0] == 160.0 and heights[-1] == 0.0


def test_an_early_vote_keeps_the_chart_from_the_opening():
    opened = timezone.now() - timedelta(days=4)
    now = timezone.now()
    chart = turnout_chart([opened + timedelta(hours=2)], start=opened, end=now + timedelta(days=1), now=now)
    assert not chart["trimmed"] and chart["start"] == opened


def test_the_officers_index_names_elections_in_plain_words_with_the_sites_dates(login, election_a):
    page = login("olivia").get(reverse("admin:index")).content.decode()
    assert "Elections you run as an officer" in page
    assert "you officer" not in page
    assert 'class="js-local-time"' in page and " UTC</time>" in page


def test_the_election_page_links_an_officer_to_the_officers_page(client, users, election_a):
    officer_link = reverse("officers:overview", args=[election_a.key])
    client.force_login(users["olivia"])
    assert officer_link in client.get(reverse("elections:detail", args=[election_a.key])).content.decode()
    client.force_login(users["vera"])
    assert officer_link not in client.get(reverse("elections:detail", args=[election_a.key])).content.decode()


def test_ballots_exported_from_loaded_ballots_still_read_back(login):
    # The loaded election's ballots export is unchanged by the page fixes: the file still lists four ballots.
    election = loaded_election(None)
    body = login("olivia").get(reverse("officers:export", args=[election.key, "ballots.csv"])).content.decode()
    assert len([r for r in csv.reader(io.StringIO(body)) if r][1:]) == 4
