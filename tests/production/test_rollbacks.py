"""Rollbacks refuse up front: a backwards migration that would lose data is refused before any migration is
unapplied, so a refused rollback leaves the database exactly as it was."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from elections.models import Candidate, Disqualification, SealedBallot, VoteRecord
from elections.voting.services import ballot_cast
from tests.voting.conftest import PASSPHRASE, make_election

pytestmark = pytest.mark.django_db(transaction=True)


def showmigrations():
    out = StringIO()
    call_command("showmigrations", "elections", stdout=out)
    return out.getvalue()


@pytest.fixture
def running_with_sealed_ballots():
    now = timezone.now()
    election = make_election("steering---2026", start=now - timedelta(days=1), end=now + timedelta(days=6),
                             voters=["vera-voter", "victor-voter"])
    for login in ("vera-voter", "victor-voter"):
        voter = get_user_model().objects.create(username=login)
        ballot_cast(election=election, voter=voter, ranks={"alice": 1, "bob": 2, "carol": None},
                    passphrase=PASSPHRASE)
    return election


def test_migrating_back_before_the_ballot_box_before_the_close_is_refused_and_nothing_is_unapplied(
        running_with_sealed_ballots):
    before = showmigrations()

    with pytest.raises(CommandError, match="Sealed ballots exist") as refusal:
        call_command("migrate", "elections", "0004", verbosity=0)

    assert "Cannot unapply elections.0005_seal_running_ballots" in str(refusal.value)
    assert "Nothing was unapplied" in str(refusal.value)
    assert showmigrations() == before
    assert "[X] 0009_schema_generation" in before
    assert SealedBallot.objects.count() == 2
    assert VoteRecord.objects.count() == 2


def test_migrating_back_past_an_officers_disqualification_is_refused_up_front():
    now = timezone.now()
    election = make_election("steering---2025", start=now - timedelta(days=9), end=now - timedelta(days=2))
    Disqualification.objects.create(candidate=Candidate.objects.get(election=election, candidate_id="bob"),
                                    reason="Broke the code of conduct.", decided_by="olga-officer")
    before = showmigrations()

    with pytest.raises(CommandError, match="Officers' decisions"):
        call_command("migrate", "elections", "0006", verbosity=0)

    assert showmigrations() == before
    assert Disqualification.objects.count() == 1


def test_a_rollback_that_loses_nothing_is_done_and_can_be_migrated_forward_again():
    call_command("migrate", "elections", "0007", verbosity=0)
    assert "[ ] 0008_verbose_names" in showmigrations()

    call_command("migrate", "elections", verbosity=0)
    assert "[X] 0009_schema_generation" in showmigrations()
