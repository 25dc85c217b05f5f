"""An officer of one election cannot reach another election's officer pages, requests, results or admin rows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from elections.models import AuditEvent, Election, ExceptionRequest
from elections.voting import services
from tests.browser.builders import build_election, user

OWN = "own---2026"
OTHER_DONE = "other---2025"
OTHER_RUNNING = "other---2026"


@pytest.fixture
def elections(db):
    own = build_election(OWN, name="Own Election", officers=("olivia",))
    done = build_election(OTHER_DONE, name="Other Finished Election", officers=("oscar",), voters=("alice", "bob"))
    ranks = {"amara": 1, "bjorn": 2, "chen": None, "dolores": None}
    for login in ("alice", "bob"):
        services.ballot_cast(election=done, voter=user(login), ranks=ranks, passphrase="a long passphrase of mine!")
    now = timezone.now()
    Election.objects.filter(pk=done.pk).update(start_datetime=now - timedelta(days=9), end_datetime=now)
    running = build_election(OTHER_RUNNING, name="Other Running Election", officers=("oscar",),
                             candidates=(("zed", "Secret Zed Candidate"),), voters=("hidden-voter",))
    request_row = ExceptionRequest.objects.create(
        election=running, requester=user("mallory"), name="Mallory Private", email="mallory@example.org",
        contributions="Private contributions.",
    )
    AuditEvent.objects.create(actor="oscar", action="results.view", election=done)
    return own, done, running, request_row


@pytest.fixture
def olivia_client(client_for, elections):
    return client_for(user("olivia"))


@pytest.mark.parametrize("key", [OTHER_DONE, OTHER_RUNNING])
def test_an_officer_cannot_open_another_elections_officer_page(olivia_client, key):
    response = olivia_client.get(reverse("officers:overview", args=[key]))
    assert response.status_code == 403
    assert b"Mallory Private" not in response.content


def test_an_officer_cannot_see_another_elections_results_or_exports(olivia_client):
    assert olivia_client.get(reverse("officers:results", args=[OTHER_DONE])).status_code == 403
    for kind in ("ballots.csv", "result.json", "results.md"):
        response = olivia_client.get(reverse("officers:export", args=[OTHER_DONE, kind]))
        assert response.status_code == 403
    assert not AuditEvent.objects.filter(actor="olivia").exists()


def test_an_officer_cannot_review_another_elections_request(olivia_client, elections):
    _, _, _, request_row = elections
    direct = olivia_client.post(reverse("officers:review_exception", args=[OTHER_RUNNING, request_row.pk]),
                                {"decision": "approve"})
    assert direct.status_code == 403
    # Through her own election's URL, with the other election's request id.
    smuggled = olivia_client.post(reverse("officers:review_exception", args=[OWN, request_row.pk]),
                                  {"decision": "approve"})
    assert smuggled.status_code == 404
    request_row.refresh_from_db()
    assert request_row.status == ExceptionRequest.PENDING


def test_the_admin_lists_only_the_officers_own_elections_rows(olivia_client):
    pages = {
        "admin:elections_election_changelist": "Other",
        "admin:elections_candidate_changelist": "Secret Zed Candidate",
        "admin:elections_eligiblevoter_changelist": "hidden-voter",
        "admin:elections_exceptionrequest_changelist": "Mallory Private",
        "admin:elections_officer_changelist": "oscar",
        "admin:elections_auditevent_changelist": "results.view",
    }
    for name, secret in pages.items():
        response = olivia_client.get(reverse(name))
        assert response.status_code == 200, name
        assert secret not in response.content.decode(), f"{name} shows {secret!r}"


def test_the_admin_will_not_open_or_act_on_another_elections_rows(olivia_client, elections):
    _, done, _, request_row = elections
    for url in (reverse("admin:elections_exceptionrequest_change", args=[request_row.pk]),
                reverse("admin:elections_election_change", args=[done.pk])):
        response = olivia_client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert b"Mallory Private" not in response.content
    olivia_client.post(reverse("admin:elections_exceptionrequest_changelist"),
                       {"action": "approve", "_selected_action": [request_row.pk]})
    request_row.refresh_from_db()
    assert request_row.status == ExceptionRequest.PENDING


def test_a_voter_who_officers_nothing_is_kept_out_of_the_admin(client_for, elections):
    response = client_for(user("alice")).get(reverse("admin:index"))
    assert response.status_code in (302, 403)
    assert b"Own Election" not in response.content
