"""Personas and elections for the officers' tests.

Two elections, A and B, each with its own officer: olivia officers A, oscar officers B. Vera votes,
mallory is signed in but officers nothing, and root is an operator (superuser).
"""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from elections.models import Ballot, Candidate, Election, EligibleVoter, ExceptionRequest, Officer, VoteRecord

_receipts = itertools.count(1)


def make_election(key, *, status="running", officers=(), voters=(), candidates=("alice", "bob", "carol"), seats=1,
                  **fields):
    now = timezone.now()
    start, end = {
        "upcoming": (now + timedelta(days=1), now + timedelta(days=8)),
        "running": (now - timedelta(days=2), now + timedelta(days=5)),
        "completed": (now - timedelta(days=9), now - timedelta(days=2)),
    }[status]
    election = Election.objects.create(key=key, path=key.replace("---", "/"), name=f"Election {key}",
                                       start_datetime=start, end_datetime=end, no_winners=seats, **fields)
    Officer.objects.bulk_create(Officer(election=election, login=login.lower()) for login in officers)
    EligibleVoter.objects.bulk_create(EligibleVoter(election=election, login=login) for login in voters)
    Candidate.objects.bulk_create(
        Candidate(election=election, candidate_id=c, name=c.capitalize()) for c in candidates
    )
    return election


def cast(election, ranks, *, voter=None, voted_at=None):
    """Store one ballot the way the voting service leaves it (record and ballot, not linked in the clear)."""
    if voter is not None:
        VoteRecord.objects.create(election=election, voter=voter, voted_at=voted_at or timezone.now(),
                                  salt=b"s" * 16, sealed_link=b"sealed")
    return Ballot.objects.create(election=election, ranks=ranks, receipt=f"R{next(_receipts):08d}")


def cast_many(election, ballots):
    """``ballots``: [(times, ranks)]; no vote records (for tests about the count only)."""
    for times, ranks in ballots:
        for _ in range(times):
            cast(election, ranks)


@pytest.fixture
def users(django_user_model):
    make = django_user_model.objects.create_user
    return {
        "olivia": make(username="olivia"),
        "oscar": make(username="oscar"),
        "vera": make(username="vera"),
        "mallory": make(username="mallory"),
        "root": django_user_model.objects.create_superuser(username="root", password=None),
    }


@pytest.fixture
def election_a(db):
    return make_election("club---a", officers=["Olivia"], voters=["vera", "walt"])


@pytest.fixture
def election_b(db):
    return make_election("club---b", officers=["oscar"], voters=["vera", "xena"])


@pytest.fixture
def login(client, users):
    def as_user(name):
        client.force_login(users[name])
        return client

    return as_user


def make_request(election, user, **fields):
    defaults = {"name": user.username.capitalize(), "email": f"{user.username}@example.org",
                "contributions": "Reviews and docs."}
    return ExceptionRequest.objects.create(election=election, requester=user, **{**defaults, **fields})
