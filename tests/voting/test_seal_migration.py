"""The data migration that seals the plaintext ballots of elections still running when the ballot box arrives."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from elections.ballot_box.box import ballot_box_open
from elections.models import Ballot, BallotBox, Election, SealedBallot, VoteRecord
from elections.voting import secrecy
from elections.voting.services import ballot_view
from tests.voting.conftest import PASSPHRASE
from tests.voting.migrations import latest, migrate, migrated_back_to
from tests.voting.test_secrecy import v1_link_seal

BEFORE = [("elections", "0003_election_source_stamp")]
RANKS_WITH_RECEIPTS = [({"alice": 1, "bob": 2, "carol": None}, "RCPT-0"),
                       ({"alice": None, "bob": 1, "carol": 1}, "RCPT-1")]


@pytest.fixture
def before_the_box(transactional_db):
    with migrated_back_to(BEFORE) as apps:
        yield apps


def test_running_ballots_are_sealed_completed_ones_stay_readable_and_v1_links_keep_working(before_the_box):
    apps = before_the_box
    User = apps.get_model("auth", "User")
    OldElection = apps.get_model("elections", "Election")
    OldBallot = apps.get_model("elections", "Ballot")
    OldRecord = apps.get_model("elections", "VoteRecord")
    Attempt = apps.get_model("elections", "PassphraseAttempt")
    now = timezone.now()
    running = OldElection.objects.create(key="club---now", path="club/now", name="Now",
                                         start_datetime=now - timedelta(days=1), end_datetime=now + timedelta(days=1))
    done = OldElection.objects.create(key="club---past", path="club/past", name="Past",
                                      start_datetime=now - timedelta(days=9), end_datetime=now - timedelta(days=8))
    for index, (ranks, receipt) in enumerate(RANKS_WITH_RECEIPTS):
        voter = User.objects.create(username=f"old-voter-{index}")
        ballot = OldBallot.objects.create(election=running, ranks=ranks, receipt=receipt)
        salt = secrecy.salt_generate()
        link = v1_link_seal(ballot_id=str(ballot.id), receipt=receipt, passphrase=PASSPHRASE, salt=salt,
                            election_key=running.key, login=voter.username)
        OldRecord.objects.create(election=running, voter=voter, salt=salt, sealed_link=link,
                                 voted_at=now.replace(minute=17, second=23))
        Attempt.objects.create(election=running, voter=voter)
    OldBallot.objects.create(election=done, ranks={"alice": 1}, receipt="PAST-1")

    migrate(latest())

    running_now = Election.objects.get(key="club---now")
    assert not Ballot.objects.filter(election=running_now).exists()
    assert SealedBallot.objects.filter(election=running_now).count() == 2
    assert BallotBox.objects.filter(election=running_now).exists()
    assert list(Ballot.objects.filter(election__key="club---past").values_list("receipt", flat=True)) == ["PAST-1"]
    assert not BallotBox.objects.filter(election__key="club---past").exists()
    assert all(r.minute == 0 and r.second == 0 for r in VoteRecord.objects.values_list("voted_at", flat=True))
    assert not apps.get_model("elections", "PassphraseAttempt").objects.exists()
    assert not Ballot.objects.filter(receipt__in=[receipt for _, receipt in RANKS_WITH_RECEIPTS]).exists()

    # The voters' version 1 links still open: the receipt is shown, the ranks wait for the opening.
    first = get_user_model().objects.get(username="old-voter-0")
    view = ballot_view(election=running_now, voter=first, passphrase=PASSPHRASE)
    assert (view.receipt, view.ranks) == ("RCPT-0", None)

    # After the close, opening the box gives back exactly the ballots that were cast.
    Election.objects.filter(pk=running_now.pk).update(end_datetime=timezone.now() - timedelta(seconds=1))
    running_now.refresh_from_db()
    ballot_box_open(election=running_now, actor="system")
    opened = sorted(((b.receipt, b.ranks) for b in Ballot.objects.filter(election=running_now)), key=str)
    assert opened == sorted(((receipt, ranks) for ranks, receipt in RANKS_WITH_RECEIPTS), key=str)
