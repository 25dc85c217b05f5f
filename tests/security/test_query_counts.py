"""The pages' database queries do not grow with voters, candidates, ballots, requests or elections.

A page whose query count grows with the data is a page that falls over on election day (and a cheap way to
load the database on purpose). Each page is measured on a small and on a large data set: the counts must be
equal, and small.
"""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elections.models import Ballot, EligibleVoter, ExceptionRequest, VoteRecord
from tests.browser.builders import build_election, user

MAX_QUERIES = 20


def populate(size):
    """``size`` elections, each with ``size * 5`` candidates, ``size * 100`` voters, and some ballots and requests."""
    candidates = [(f"c{n:03d}", f"Candidate {n}") for n in range(size * 5)]
    for number in range(size):
        election = build_election(f"election---{number:03d}", candidates=candidates, voters=("alice",),
                                  officers=("olivia",))
        EligibleVoter.objects.bulk_create(
            EligibleVoter(election=election, login=f"voter-{n:04d}") for n in range(size * 100)
        )
        Ballot.objects.bulk_create(
            Ballot(election=election, ranks={c: 1 for c, _ in candidates}, receipt=uuid.uuid4().hex)
            for _ in range(size * 20)
        )
        voters = [user(f"voter-{n:04d}") for n in range(size * 4)]
        VoteRecord.objects.bulk_create(
            VoteRecord(election=election, voter=voter, salt=b"s" * 16, sealed_link=b"x" * 64) for voter in voters
        )
        ExceptionRequest.objects.bulk_create(
            ExceptionRequest(election=election, requester=voter, name=voter.username, email="v@example.org",
                             contributions="Work.") for voter in voters
        )


PAGES = {
    "public election list": (None, lambda: reverse("elections:public_list")),
    "public election page": (None, lambda: reverse("elections:public_detail", args=["election---000"])),
    "dashboard": ("alice", lambda: reverse("elections:dashboard")),
    "election list": ("alice", lambda: reverse("elections:list")),
    "election page": ("alice", lambda: reverse("elections:detail", args=["election---000"])),
    "ballot": ("alice", lambda: reverse("elections:vote", args=["election---000"])),
    "candidate page": ("alice", lambda: reverse("elections:candidate", args=["election---000", "c000"])),
    "officer overview": ("olivia", lambda: reverse("officers:overview", args=["election---000"])),
    "admin index": ("olivia", lambda: reverse("admin:index")),
    "admin elections": ("olivia", lambda: reverse("admin:elections_election_changelist")),
    "admin voter roll": ("olivia", lambda: reverse("admin:elections_eligiblevoter_changelist")),
    "admin exception requests": ("olivia", lambda: reverse("admin:elections_exceptionrequest_changelist")),
}


def count_queries(client_for, login, url):
    client = client_for(user(login)) if login else client_for()
    client.get(url)  # the first request may fill per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_a_page_makes_as_many_queries_for_a_large_election_as_for_a_small_one(client_for, page):
    login, url = PAGES[page]
    populate(1)
    small = count_queries(client_for, login, url())
    populate_more()
    large = count_queries(client_for, login, url())
    assert small <= MAX_QUERIES, f"{page}: {small} queries"
    assert large == small, f"{page}: {small} queries with little data, {large} with more"


def populate_more():
    """Grow the data in place: more elections, and more voters, candidates, ballots and requests in each."""
    from elections.models import Candidate, Election

    election = Election.objects.get(key="election---000")
    Candidate.objects.bulk_create(
        Candidate(election=election, candidate_id=f"x{n:03d}", name=f"Extra {n}") for n in range(40)
    )
    EligibleVoter.objects.bulk_create(EligibleVoter(election=election, login=f"more-{n:04d}") for n in range(600))
    Ballot.objects.bulk_create(
        Ballot(election=election, ranks={"c000": 1}, receipt=uuid.uuid4().hex) for _ in range(200)
    )
    more = [user(f"more-{n:04d}") for n in range(30)]
    VoteRecord.objects.bulk_create(
        VoteRecord(election=election, voter=voter, salt=b"s" * 16, sealed_link=b"x" * 64) for voter in more
    )
    ExceptionRequest.objects.bulk_create(
        ExceptionRequest(election=election, requester=voter, name=voter.username, email="v@example.org",
                         contributions="Work.") for voter in more
    )
    for number in range(1, 12):
        build_election(f"election---{number:03d}", voters=("alice",), officers=("olivia",))
