"""Injected markup in candidate names, bios, info fields, descriptions, results.md and exception requests stays
inert on every page that shows it: voters', officers', the admin's and the public ones."""

import pytest
from django.urls import reverse

from elections.models import Candidate, ExceptionRequest
from tests.security.conftest import vote_form
from tests.security.hostile import COMPLETED, RUNNING, audit, build_hostile_elections


@pytest.fixture
def hostile(db, settings):
    settings.DEBUG = False
    return build_hostile_elections()


def assert_inert(response, *, shows=()):
    assert response.status_code == 200, f"{response.wsgi_request.path}: {response.status_code}"
    problems, text = audit(response.content.decode())
    assert not problems, f"{response.wsgi_request.path} would run script: {problems}"
    for where in shows:
        # Shown to the reader as text, so the test is not passing on a page that left the field out.
        assert f"alert('{where}')" in text, f"{response.wsgi_request.path} does not show the {where} as text"


def test_public_pages_render_hostile_text_inert(hostile, client):
    assert_inert(client.get(reverse("elections:public_list")), shows=["election-name"])
    for key in (RUNNING, COMPLETED):
        assert_inert(client.get(reverse("elections:public_detail", args=[key])),
                     shows=["election-name", "candidate-name", "eligibility"])
    assert_inert(client.get(reverse("elections:results", args=[COMPLETED])), shows=["election-name"])


def test_voter_pages_render_hostile_text_inert(hostile, client_for, alice):
    client = client_for(alice)
    assert_inert(client.get(reverse("elections:dashboard")), shows=["election-name"])
    assert_inert(client.get(reverse("elections:list")), shows=["election-name"])
    for key in (RUNNING, COMPLETED):
        assert_inert(client.get(reverse("elections:detail", args=[key])), shows=["election-name", "candidate-name"])
        assert_inert(client.get(reverse("elections:candidate", args=[key, "amara"])),
                     shows=["candidate-name", "info"])
    vote = reverse("elections:vote", args=[RUNNING])
    assert_inert(client.get(vote), shows=["candidate-name"])
    ranks = {"amara": 1, "bjorn": 2}
    # The review and the receipt: each a GET the POST redirects to.
    assert_inert(client.post(vote, vote_form(ranks), follow=True), shows=["candidate-name"])
    assert_inert(client.post(vote, vote_form(ranks, step="cast"), follow=True), shows=["candidate-name"])
    confirmation = reverse("elections:confirmation", args=[RUNNING])
    assert_inert(client.get(confirmation), shows=["election-name"])
    assert_inert(client.post(confirmation, {"action": "view", "passphrase": vote_form({}, step="cast")["passphrase"]}),
                 shows=["candidate-name"])


def test_the_requester_sees_their_hostile_request_and_the_officers_comment_inert(hostile, client_for, mallory):
    page = client_for(mallory).get(reverse("elections:exception", args=[RUNNING]))
    assert_inert(page, shows=["request-name", "contributions", "comments", "chat", "review-comment"])


def test_officer_pages_render_hostile_text_inert(hostile, client_for, olivia):
    client = client_for(olivia)
    for key in (RUNNING, COMPLETED):
        assert_inert(client.get(reverse("officers:overview", args=[key])),
                     shows=["election-name", "request-name", "contributions", "comments"])
    assert_inert(client.get(reverse("officers:results", args=[COMPLETED])), shows=["candidate-name"])


def test_admin_pages_render_hostile_text_inert(hostile, client_for, olivia):
    client = client_for(olivia)
    running, _ = hostile
    candidate = Candidate.objects.get(election=running, candidate_id="amara")
    request_row = ExceptionRequest.objects.get(election=running)
    assert_inert(client.get(reverse("admin:index")), shows=["election-name"])
    assert_inert(client.get(reverse("admin:elections_election_changelist")), shows=["election-name"])
    assert_inert(client.get(reverse("admin:elections_election_change", args=[running.pk])))
    assert_inert(client.get(reverse("admin:elections_candidate_changelist")), shows=["candidate-name"])
    assert_inert(client.get(reverse("admin:elections_candidate_change", args=[candidate.pk])))
    assert_inert(client.get(reverse("admin:elections_exceptionrequest_changelist")), shows=["request-name"])
    assert_inert(client.get(reverse("admin:elections_exceptionrequest_change", args=[request_row.pk])))


def test_exports_are_downloads_that_a_browser_will_not_render_as_a_page(hostile, client_for, olivia):
    client = client_for(olivia)
    for kind in ("ballots.csv", "ballots.yaml", "result.csv", "result.yaml", "result.json", "results.md"):
        response = client.get(reverse("officers:export", args=[COMPLETED, kind]))
        assert response.status_code == 200
        assert not response["Content-Type"].startswith("text/html"), kind
        assert response["Content-Disposition"].startswith("attachment"), kind
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("where", ["name", "bio"])
def test_the_audit_itself_catches_each_payload_when_it_is_rendered_raw(where):
    """The control: markup that was not escaped or sanitised is reported, so the tests above can fail."""
    from tests.security.hostile import markdown_payload, payload

    problems, _ = audit(f"<p>{payload(where)}</p>")
    assert len(problems) >= 2
    raw_markdown = markdown_payload(where).replace("[click me](javascript:", "<a href=javascript:")
    problems, _ = audit(raw_markdown)
    assert len(problems) >= 9
