"""One voter, one ballot, even when many submissions of the same voter arrive at once (on every database)."""

import threading

import pytest
from django.db import connections
from django.test import Client

from elections.models import SealedBallot, VoteRecord
from tests.voting.conftest import cast_data

SIMULTANEOUS = 20

@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_casts_by_one_voter_give_exactly_one_ballot(running, voter):
    barrier = threading.Barrier(SIMULTANEOUS)
    statuses = []
    errors = []

    def cast(index):
        client = Client()
        client.force_login(voter)
        try:
            barrier.wait(timeout=30)
            response = client.post(
                f"/app/elections/{running.key}/vote", cast_data({"alice": 1 + index % 3, "bob": 2, "carol": None})
            )
            statuses.append(response.status_code)
        except Exception as exc:  # reported below: any exception is a failure of the guarantee
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cast, args=(index,)) for index in range(SIMULTANEOUS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(statuses) == [303] + [409] * (SIMULTANEOUS - 1)
    assert VoteRecord.objects.filter(election=running, voter=voter).count() == 1
    assert SealedBallot.objects.filter(election=running).count() == 1
