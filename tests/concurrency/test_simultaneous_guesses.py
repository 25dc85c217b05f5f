"""The passphrase attempt limit holds when a voter's guesses arrive all at once, on every database."""

import pytest
from django.test import Client
from django.urls import reverse

from elections.models import PassphraseAttempt, VoteRecord
from elections.voting import services
from tests.browser.builders import build_election, user
from tests.concurrency.conftest import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "steering---2026"
PASSPHRASE = "plum orbit kettle saffron 91"
CANDIDATES = ("amara", "bjorn", "chen", "dolores")
SIMULTANEOUS = 20


@pytest.mark.parametrize("action", ["view", "revoke"])
def test_twenty_simultaneous_guesses_get_only_the_allowed_attempts(settings, action):
    settings.PASSPHRASE_ATTEMPTS_PER_MINUTE = 5
    election = build_election(KEY, voters=("alice",))
    alice = user("alice")
    services.ballot_cast(election=election, voter=alice, ranks=dict.fromkeys(CANDIDATES, 1), passphrase=PASSPHRASE)
    confirmation = reverse("elections:confirmation", args=[KEY])

    def guess(n):
        def prepare():
            client = Client()
            client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
            return client

        return prepare, lambda client: client.post(
            confirmation, {"action": action, "passphrase": f"wrong guess number {n}"}
        ).status_code

    statuses = run_at_once([guess(n) for n in range(SIMULTANEOUS)])

    assert all(isinstance(s, int) for s in statuses), statuses
    # Exactly the allowed number of guesses were checked (403, wrong passphrase); every other one was refused
    # before checking (429), however the requests interleaved.
    assert sorted(statuses) == [403] * 5 + [429] * (SIMULTANEOUS - 5), statuses
    assert PassphraseAttempt.objects.filter(election=election, voter=alice).count() == 5
    # The ballot is untouched, and the right passphrase is refused too until the minute has passed.
    assert VoteRecord.objects.filter(election=election, voter=alice).count() == 1
    with pytest.raises(services.TooManyAttempts):
        services.ballot_view(election=election, voter=alice, passphrase=PASSPHRASE)
