"""Personas and elections for the voting tests, built with the ORM relative to the current time."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from elections.models import Candidate, Election, EligibleVoter, Officer
from tests.conftest import review_fields

PASSPHRASE = "plum-orbit-kettle-saffron-91"


def make_election(key, *, start, end, voters=(), officers=(), candidates=("alice", "bob", "carol"), **fields):
    election = Election.objects.create(
        key=key,
        path=key.replace("---", "/"),
        name=fields.pop("name", key.replace("---", " ").title()),
        start_datetime=start,
        end_datetime=end,
        **fields,
    )
    for login in voters:
        EligibleVoter.objects.create(election=election, login=login)
    for login in officers:
        Officer.objects.create(election=election, login=login)
    for candidate_id in candidates:
        Candidate.objects.create(
            election=election, candidate_id=candidate_id, name=candidate_id.title(), bio=f"I am {candidate_id}."
        )
    return election


@pytest.fixture
def user_factory(db):
    def make(username):
        return get_user_model().objects.create(username=username)

    return make


@pytest.fixture
def voter(user_factory):
    return user_factory("vera-voter")


@pytest.fixture
def officer(user_factory):
    return user_factory("olga-officer")


@pytest.fixture
def outsider(user_factory):
    return user_factory("oscar-outsider")


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def running(db, now, voter, officer):
    return make_election(
        "steering---2026",
        start=now - timedelta(days=1),
        end=now + timedelta(days=6),
        voters=[voter.username, "another-voter"],
        officers=[officer.username],
        exception_due=now + timedelta(days=3),
        eligibility="Contributors with 50 or more contributions.",
        description="# The steering election\n\nVote for **three** seats.",
        show_candidate_fields=["employer", "slack"],
    )


@pytest.fixture
def upcoming(db, now, voter, officer):
    return make_election(
        "steering---2027",
        start=now + timedelta(days=10),
        end=now + timedelta(days=20),
        voters=[voter.username],
        officers=[officer.username],
    )


@pytest.fixture
def completed(db, now, voter, officer):
    return make_election(
        "steering---2025",
        start=now - timedelta(days=20),
        end=now - timedelta(days=10),
        voters=[voter.username],
        officers=[officer.username],
        results="# Results\n\nAlice and Bob won.",
    )


@pytest.fixture
def voter_client(client, voter):
    client.force_login(voter)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client


def vote_data(ranks, *, step="review", **extra):
    """The POST body of the ballot form: ``ranks`` maps candidate_id to a rank, None for "No opinion", or "" for
    left unranked (counts last)."""
    data = {f"rank-{cid}": "no-opinion" if rank is None else str(rank) for cid, rank in ranks.items()}
    data["step"] = step
    data.update(extra)
    return data


def cast_data(ranks, passphrase=PASSPHRASE):
    """The cast as the review form posts it."""
    return vote_data(ranks, step="cast", mode="cast", passphrase=passphrase, passphrase_again=passphrase,
                     **review_fields(ranks))
