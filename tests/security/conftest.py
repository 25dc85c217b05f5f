"""Personas and clients for the attack tests: a voter, an officer, an outsider, an operator."""

import pytest
from django.test import Client

from tests.browser.builders import build_election, user
from tests.conftest import review_fields

KEY = "steering---2026"
PASSPHRASE = "plum orbit kettle saffron 91"


@pytest.fixture
def election(db):
    return build_election(KEY, name="Steering Committee 2026", voters=("alice", "bob", "carol"))


@pytest.fixture
def alice(db):
    return user("alice")


@pytest.fixture
def olivia(db):
    return user("olivia")


@pytest.fixture
def mallory(db):
    return user("mallory")


@pytest.fixture
def operator(db):
    root = user("root-operator")
    root.is_superuser = root.is_staff = True
    root.save()
    return root


@pytest.fixture
def client_for():
    """A test client signed in as ``person``; ``csrf=True`` makes it enforce CSRF checks like a browser."""

    def make(person=None, *, csrf=False):
        client = Client(enforce_csrf_checks=csrf)
        if person is not None:
            client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


def vote_form(ranks, *, step="review", passphrase=None, mode="cast"):
    """The POST body of the ballot form: ``ranks`` maps candidate ids to a rank (None for "No opinion", "" for
    left unranked, or any raw string)."""
    data = {f"rank-{candidate_id}": "no-opinion" if rank is None else str(rank) for candidate_id, rank in ranks.items()}
    data["step"] = step
    if step == "cast":
        data["mode"] = mode
        data["passphrase"] = data["passphrase_again"] = passphrase or PASSPHRASE
        data.update(review_fields(ranks))
    return data
