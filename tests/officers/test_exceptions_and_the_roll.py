"""Exceptions and the meta repository stay in step: an approval grants the vote at once, the officers' page
gives the approved logins as lines for voters.yaml, and the result exports say how many were asked and granted."""

import json

import pytest
import yaml
from django.urls import reverse

from elections.models import EligibleVoter, ExceptionRequest
from elections.voting.exception_requests import exception_request_review

from .conftest import cast_many, make_election, make_request

pytestmark = pytest.mark.django_db


def approve(row, reviewer):
    exception_request_review(request=row, reviewer=reviewer, approve=True, comment="")


def overview(client, election):
    return client.get(reverse("officers:overview", args=[election.key])).content.decode()


def test_approved_logins_missing_from_the_roll_are_offered_as_voters_yaml_lines(login, users, election_a,
                                                                                django_user_model):
    zed = django_user_model.objects.create_user(username="zed")
    for user in (users["mallory"], zed):
        approve(make_request(election_a, user), users["olivia"])
    make_request(election_a, users["root"])  # pending: not offered
    assert election_a.is_eligible("mallory") and election_a.is_eligible("zed")

    page = overview(login("olivia"), election_a)
    assert "Lines for voters.yaml" in page
    assert '<code>  - mallory\n  - zed\n</code>' in page
    assert "club/a/voters.yaml" in page
    lines = page.split("<code>  - ")[1].split("</code>")[0]
    assert "root" not in lines
    # The lines paste into an Elekto voters.yaml as it is.
    roll = yaml.safe_load("eligible_voters:\n  - vera\n  - walt\n" + "  - " + lines)
    assert roll["eligible_voters"] == ["vera", "walt", "mallory", "zed"]


def test_a_login_leaves_the_lines_once_the_roll_in_git_has_it(login, users, election_a):
    approve(make_request(election_a, users["mallory"]), users["olivia"])
    EligibleVoter.objects.create(election=election_a, login="mallory")  # what the next sync imports
    page = overview(login("olivia"), election_a)
    assert "Lines for voters.yaml" not in page
    assert election_a.is_eligible("mallory")


def test_no_lines_are_offered_without_an_approved_request(login, users, election_a):
    row = make_request(election_a, users["mallory"])
    exception_request_review(request=row, reviewer=users["olivia"], approve=False, comment="")
    assert "Lines for voters.yaml" not in overview(login("olivia"), election_a)


@pytest.fixture
def counted(users, django_user_model):
    election = make_election("club---done", status="completed", officers=["olivia"], voters=["vera"])
    for name, status in (("mallory", "approved"), ("zed", "approved"), ("yan", "denied"), ("xia", "pending")):
        user = users.get(name) or django_user_model.objects.create_user(username=name)
        make_request(election, user, status=status)
    cast_many(election, [(2, {"alice": 1, "bob": 2, "carol": 3}), (1, {"alice": 3, "bob": 1, "carol": 2})])
    return election


def export(client, election, kind):
    response = client.get(reverse("officers:export", args=[election.key, kind]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_result_exports_and_the_draft_results_md_count_requested_and_granted_exceptions(login, counted):
    client = login("olivia")
    assert json.loads(export(client, counted, "result.json"))["election"]["exception_requests"] == {
        "requested": 4, "granted": 2}
    assert yaml.safe_load(export(client, counted, "result.yaml"))["election"]["exception_requests"] == {
        "requested": 4, "granted": 2}
    assert ("Exception requests from people missing from the voter roll: 4 received, 2 granted."
            in export(client, counted, "results.md"))
    page = client.get(reverse("officers:results", args=[counted.key])).content.decode()
    assert "4 received, 2 granted" in " ".join(page.split())


def test_without_requests_the_exports_say_none_were_received(login, users):
    election = make_election("club---quiet", status="completed", officers=["olivia"], voters=["vera"])
    cast_many(election, [(1, {"alice": 1, "bob": 2, "carol": 3})])
    assert not ExceptionRequest.objects.exists()
    text = export(login("olivia"), election, "results.md")
    assert "voter roll: 0 received, 0 granted." in text


def test_pending_requests_come_first_on_the_officers_page_and_reviewed_ones_last(login, users, election_a):
    row = make_request(election_a, users["mallory"])
    page = overview(login("olivia"), election_a)
    assert page.index('id="requests-title"') < page.index('id="turnout-title"')
    approve(row, users["olivia"])
    page = overview(login("olivia"), election_a)
    assert page.index('id="turnout-title"') < page.index('id="requests-title"')
