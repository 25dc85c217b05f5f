"""No receipt without a counted ballot: a cast held at one of its writes while the close passes and the box opens.

A backup tool's table flush, a slow disk or a lock wait can hold a cast's INSERT for seconds. Whatever the
moment, the voter either gets a receipt for a ballot that the opening counts, or "Voting has closed" and
nothing stored; never a receipt for a ballot left sealed in an opened box.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from elections.ballot_box.box import ballot_box_open
from elections.ballot_box.services import ballot_box_ensure
from elections.models import Ballot, Election, RollBinding, SealedBallot, VoteRecord
from elections.voting import services
from tests.browser.builders import build_election, user
from tests.security.conftest import PASSPHRASE

pytestmark = pytest.mark.django_db(transaction=True)

RANKS = {"amara": 1, "bjorn": 2, "chen": 3, "dolores": 4}
# How long the cast's write is held once the box opening has started.
HOLD_SECONDS = 1.0


def _in_thread(target):
    """Run ``target()`` in a thread with its own database connection; returns (thread, outcome list)."""
    outcome = []

    def run():
        try:
            outcome.append(target())
        except Exception as exc:  # the test inspects what the service raised
            outcome.append(exc)
        finally:
            for alias in connections:
                connections[alias].close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _cast_held_at(table, election, held, release):
    """A cast whose first INSERT into ``table`` waits for ``release`` (``held`` says it is waiting)."""

    def hold(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and table in sql and not held.is_set():
            held.set()
            assert release.wait(30), "the hold was never released"
        return execute(sql, params, many, context)

    def cast():
        voter = user("alice")
        with connection.execute_wrapper(hold):
            return services.ballot_cast(election=election, voter=voter, ranks=RANKS, passphrase=PASSPHRASE)

    return cast


@pytest.mark.parametrize("table", [VoteRecord._meta.db_table, SealedBallot._meta.db_table])
def test_a_cast_held_at_its_write_across_the_close_is_refused_or_counted_never_lost(table):
    now = timezone.now()
    election = build_election(voters=("alice",), start_datetime=now - timedelta(days=1),
                              end_datetime=now + timedelta(seconds=2))
    ballot_box_ensure(election=election)
    user("alice")
    held, release = threading.Event(), threading.Event()

    caster, cast_outcome = _in_thread(_cast_held_at(table, election, held, release))
    try:
        assert held.wait(30), "the cast never reached its write"
        # The close passes while the cast is held, then the box is opened.
        time.sleep(max(0.0, (election.end_datetime - timezone.now()).total_seconds()) + 0.1)
        opener, open_outcome = _in_thread(lambda: ballot_box_open(election=election, actor="olivia"))
        opener.join(HOLD_SECONDS)
    finally:
        release.set()
        released = time.monotonic()
    opener.join(60)
    # The opening waits at most for the held cast, never on a lock the cast keeps after its hold.
    assert time.monotonic() - released < 10
    caster.join(60)
    assert not caster.is_alive() and not opener.is_alive()

    (opened,) = open_outcome
    assert not isinstance(opened, Exception), opened
    (cast,) = cast_outcome
    counted = set(Ballot.objects.filter(election=election).values_list("receipt", flat=True))
    if isinstance(cast, services.CastReceipt):
        assert cast.receipt in counted
    else:
        assert isinstance(cast, services.WrongState), cast
        assert cast.message == "Voting has closed for this election."
        assert not VoteRecord.objects.filter(election=election).exists()
        assert not counted
    assert not SealedBallot.objects.filter(election=election).exists()


def test_a_cast_committed_before_the_opening_is_counted():
    now = timezone.now()
    election = build_election(voters=("alice",), start_datetime=now - timedelta(days=1),
                              end_datetime=now + timedelta(seconds=1))
    receipt = services.ballot_cast(election=election, voter=user("alice"), ranks=RANKS,
                                   passphrase=PASSPHRASE).receipt
    time.sleep(max(0.0, (election.end_datetime - timezone.now()).total_seconds()) + 0.1)

    ballot_box_open(election=election, actor="olivia")

    assert list(Ballot.objects.filter(election=election).values_list("receipt", flat=True)) == [receipt]


def test_a_cast_that_finds_the_box_opened_stores_nothing():
    election = build_election(voters=("alice",))
    box = ballot_box_ensure(election=election)
    # An opened box while the window still says "running": a close moved later after the opening.
    type(box).objects.filter(pk=box.pk).update(opened_at=timezone.now(), wrapped_private_key=None)

    with pytest.raises(services.WrongState, match="Voting has closed"):
        services.ballot_cast(election=election, voter=user("alice"), ranks=RANKS, passphrase=PASSPHRASE)

    assert not VoteRecord.objects.filter(election=election).exists()
    assert not SealedBallot.objects.filter(election=election).exists()
    assert Election.objects.get(pk=election.pk).is_running


def test_a_change_that_finds_the_box_opened_keeps_the_ballot_it_had():
    election = build_election(voters=("alice",))
    first = services.ballot_cast(election=election, voter=user("alice"), ranks=RANKS, passphrase=PASSPHRASE)
    box = ballot_box_ensure(election=election)
    type(box).objects.filter(pk=box.pk).update(opened_at=timezone.now())

    with pytest.raises(services.WrongState, match="Voting has closed"):
        services.ballot_change(election=election, voter=user("alice"), passphrase=PASSPHRASE,
                               ranks={"amara": 4, "bjorn": 3, "chen": 2, "dolores": 1})

    type(box).objects.filter(pk=box.pk).update(opened_at=None)
    view = services.ballot_view(election=election, voter=user("alice"), passphrase=PASSPHRASE)
    assert (view.receipt, view.ranks) == (first.receipt, RANKS)


def test_two_accounts_casting_at_once_under_one_roll_login_store_one_ballot():
    election = build_election(voters=("v08",))
    ballot_box_ensure(election=election)
    first = user("v08")
    # The login changed hands: the first account was moved aside, the second registered "v08" again.
    type(first).objects.filter(pk=first.pk).update(username="v08+github-8008")
    first.refresh_from_db()
    second = user("v08")
    RollBinding.objects.all().delete()
    barrier = threading.Barrier(2)

    def cast_as(voter, login):
        def cast():
            # Each account presents the login on the roll at the moment it casts.
            voter.username = login
            barrier.wait(10)
            return services.ballot_cast(election=election, voter=voter, ranks=RANKS, passphrase=PASSPHRASE)
        return cast

    threads = [_in_thread(cast_as(first, "v08")), _in_thread(cast_as(second, "v08"))]
    for thread, _outcome in threads:
        thread.join(60)
    outcomes = [outcome[0] for _thread, outcome in threads]

    receipts = [o for o in outcomes if isinstance(o, services.CastReceipt)]
    refusals = [o for o in outcomes if isinstance(o, services.Refusal)]
    assert len(receipts) == 1 and len(refusals) == 1, outcomes
    assert isinstance(refusals[0], services.RollEntryTaken | services.Concurrent), refusals
    assert VoteRecord.objects.filter(election=election).count() == 1
    assert RollBinding.objects.filter(election=election).count() == 1


def test_a_revocation_that_finds_the_box_opened_is_refused_and_keeps_the_ballot():
    election = build_election(voters=("alice",))
    services.ballot_cast(election=election, voter=user("alice"), ranks=RANKS, passphrase=PASSPHRASE)
    box = ballot_box_ensure(election=election)
    type(box).objects.filter(pk=box.pk).update(opened_at=timezone.now())

    with pytest.raises(services.WrongState, match="Voting has closed"):
        services.ballot_revoke(election=election, voter=user("alice"), passphrase=PASSPHRASE)

    assert VoteRecord.objects.filter(election=election).count() == 1
    assert SealedBallot.objects.filter(election=election).count() == 1
