"""The upgrade to one roll entry per ballot and frozen counts: ballots already cast bind their roll entries, and
elections already counted record the inputs they are counted with at the upgrade."""

from datetime import timedelta

import pytest
from django.utils import timezone
from social_django.models import UserSocialAuth

from elections.models import CountRecord, RollBinding
from tests.voting.migrations import latest, migrate, migrated_back_to

BEFORE = [("elections", "0008_verbose_names")]


@pytest.fixture
def before_the_upgrade(transactional_db):
    with migrated_back_to(BEFORE) as apps:
        yield apps


def test_cast_ballots_bind_their_roll_entries_and_counted_elections_record_their_inputs(before_the_upgrade):
    apps = before_the_upgrade
    User = apps.get_model("auth", "User")
    Election = apps.get_model("elections", "Election")
    EligibleVoter = apps.get_model("elections", "EligibleVoter")
    VoteRecord = apps.get_model("elections", "VoteRecord")
    BallotBox = apps.get_model("elections", "BallotBox")
    Candidate = apps.get_model("elections", "Candidate")
    now = timezone.now()
    running = Election.objects.create(key="club---now", path="club/now", name="Now",
                                      start_datetime=now - timedelta(days=1), end_datetime=now + timedelta(days=1))
    counted = Election.objects.create(key="club---past", path="club/past", name="Past", no_winners=2,
                                      start_datetime=now - timedelta(days=9), end_datetime=now - timedelta(days=8),
                                      charter={"representation": {"max_per_organization": 1}})
    on_roll, by_exception = User.objects.create(username="v08"), User.objects.create(username="guest")
    UserSocialAuth.objects.create(user_id=on_roll.pk, provider="github", uid="8008", extra_data={})
    EligibleVoter.objects.create(election=running, login="v08")
    for voter in (on_roll, by_exception):
        VoteRecord.objects.create(election=running, voter=voter, salt=b"s" * 16, sealed_link=b"sealed")
    BallotBox.objects.create(election=counted, public_key=b"k" * 32, opened_at=now)
    Candidate.objects.create(election=counted, candidate_id="amara", name="Amara", info={"employer": "Acme"})
    Candidate.objects.create(election=counted, candidate_id="bjorn", name="Bjorn", info={"employer": "Beta"},
                             withdrawn=True)

    migrate(latest())

    assert [(b.election_id, b.login, b.voter_id, b.github_id) for b in RollBinding.objects.all()] == [
        (running.pk, "v08", on_roll.pk, "8008")]
    (record,) = CountRecord.objects.all()
    assert (record.election_id, record.cause) == (counted.pk, CountRecord.UPGRADE)
    assert record.inputs == {"seats": 2, "tie_break": None, "charter": counted.charter,
                             "candidates": ["amara", "bjorn"], "withdrawn": ["bjorn"],
                             "organizations": {"amara": "Acme", "bjorn": "Beta"}}
