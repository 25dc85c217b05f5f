"""Importing ``ballot_box: {officers_to_open: K, officer_keys: ...}``: the import pins the officers' keys and deals
the key shares, each encrypted to its officer's keys, and deals them again only while that is safe."""

import datetime as dt

import pytest

from elections.models import AuditEvent, BallotBox, Election, KeyShare
from meta_sync.services import sync_meta
from tests.officer_keys import officer_identities

pytestmark = pytest.mark.django_db

UTC = dt.UTC
BEFORE_VOTING = dt.datetime(2029, 6, 1, tzinfo=UTC)
DURING_VOTING = dt.datetime(2030, 1, 15, tzinfo=UTC)
OFFICERS = "election_officers:\n  - officer-one\n"


@pytest.fixture
def identities(tmp_path):
    return officer_identities(tmp_path, ("officer-one", "officer-two", "officer-three"), ssh=("officer-two",))


def _threshold_repo(meta_repo, identities, needed=2, officers=("officer-one", "officer-two", "officer-three")):
    meta_repo.add_election("e")
    listed = "election_officers:\n" + "".join(f"  - {login}\n" for login in officers)
    keys = "".join(f"    {login}: {identities[login].public_key}\n" for login in officers)
    meta_repo.edit("e/election.yaml", OFFICERS,
                   listed + f"ballot_box:\n  officers_to_open: {needed}\n  officer_keys:\n{keys}")
    return meta_repo


def _holders(election):
    return list(KeyShare.objects.filter(box__election=election).order_by("number").values_list("holder", flat=True))


def test_importing_a_threshold_election_deals_one_share_per_officer_to_their_pinned_keys(meta_repo, identities):
    summary = sync_meta(path=_threshold_repo(meta_repo, identities).root, trigger="test", now=BEFORE_VOTING)
    assert summary.exit_code == 0, summary.errors
    assert any("not yet confirmed with their check code: officer-one, officer-three, officer-two" in w
               for w in summary.elections[0].warnings), summary.elections[0].warnings
    election = Election.objects.get(key="e")
    assert election.officers_to_open == 2
    assert election.officer_keys["officer-one"][0]["key"] == identities["officer-one"].public_key
    assert election.officer_keys["officer-two"][0]["fingerprint"].startswith("SHA256:")
    box = BallotBox.objects.get(election=election)
    assert (box.custody, box.threshold, box.wrapped_private_key) == (BallotBox.OFFICER_KEYS, 2, None)
    assert _holders(election) == ["officer-one", "officer-three", "officer-two"]
    for row in KeyShare.objects.filter(box=box):
        assert f"e share {row.number} of 3: " in identities[row.holder].decrypt(row.sealed_share)
    event = AuditEvent.objects.get(action="ballot_box.share_deal")
    assert event.detail["keys"]["officer-two"] == [election.officer_keys["officer-two"][0]["fingerprint"]]


def test_an_officer_without_a_key_keeps_the_election_out_naming_the_officer(meta_repo, identities):
    repo = _threshold_repo(meta_repo, identities)
    repo.edit("e/election.yaml", f"    officer-three: {identities['officer-three'].public_key}\n", "")
    summary = sync_meta(path=repo.root, trigger="test", now=BEFORE_VOTING)
    assert summary.exit_code == 1
    assert summary.errors[0]["message"].startswith(
        "ballot_box.officer_keys.officer-three: officer officer-three has no usable public key"), summary.errors
    assert not Election.objects.exists() and not BallotBox.objects.exists()


def test_a_threshold_that_cannot_be_met_keeps_the_election_out(meta_repo, identities):
    summary = sync_meta(path=_threshold_repo(meta_repo, identities, needed=4).root, trigger="test", now=BEFORE_VOTING)
    assert summary.exit_code == 1
    assert "ballot_box.officers_to_open" in summary.errors[0]["message"]
    assert not Election.objects.exists() and not BallotBox.objects.exists()


def test_a_change_of_officers_before_voting_deals_again_and_during_voting_is_only_a_warning(meta_repo, identities):
    repo = _threshold_repo(meta_repo, identities)
    sync_meta(path=repo.root, trigger="test", now=BEFORE_VOTING)
    first_key = bytes(BallotBox.objects.get().public_key)
    repo.edit("e/election.yaml", "  - officer-three\n", "")
    repo.edit("e/election.yaml", f"    officer-three: {identities['officer-three'].public_key}\n", "")
    summary = sync_meta(path=repo.root, trigger="test", now=BEFORE_VOTING)
    assert any("dealt again" in w for w in summary.elections[0].warnings)
    assert _holders(Election.objects.get()) == ["officer-one", "officer-two"]
    second_key = bytes(BallotBox.objects.get().public_key)
    assert second_key != first_key
    assert AuditEvent.objects.filter(action="ballot_box.share_deal").count() == 2

    repo.edit("e/election.yaml", "officers_to_open: 2", "officers_to_open: 1")
    summary = sync_meta(path=repo.root, trigger="test", now=DURING_VOTING)
    assert any("voting has begun" in w for w in summary.elections[0].warnings), summary.elections[0].warnings
    box = BallotBox.objects.get()
    assert (box.threshold, bytes(box.public_key)) == (2, second_key)


def test_dropping_threshold_mode_before_voting_gives_the_box_back_to_the_default_mode(meta_repo, identities):
    repo = _threshold_repo(meta_repo, identities)
    sync_meta(path=repo.root, trigger="test", now=BEFORE_VOTING)
    text = (repo.root / "elections/e/election.yaml").read_text()
    repo.edit("e/election.yaml", text[text.index("ballot_box:"):], "")
    sync_meta(path=repo.root, trigger="test", now=BEFORE_VOTING)
    box = BallotBox.objects.get()
    assert box.custody == BallotBox.ENVIRONMENT and box.wrapped_private_key
    assert not KeyShare.objects.exists()


def test_an_election_whose_box_was_dealt_before_officers_keys_keeps_importing_without_them(meta_repo, identities):
    """A legacy threshold box keeps its shares until it closes: officers without keys are a warning there, and
    results.md can still be published after the close."""
    from tests.officers.legacy_custody import legacy_deal

    repo = _threshold_repo(meta_repo, identities)
    text = (repo.root / "elections/e/election.yaml").read_text()
    repo.edit("e/election.yaml", text[text.index("  officer_keys:"):], "")
    summary = sync_meta(path=repo.root, trigger="test", now=BEFORE_VOTING)
    assert summary.exit_code == 1 and "has no usable public key" in summary.errors[0]["message"]
    # The same election imported before officers' keys existed, its box dealt the old way.
    repo.edit("e/election.yaml", "ballot_box:\n  officers_to_open: 2\n", "")
    assert sync_meta(path=repo.root, trigger="test", now=BEFORE_VOTING).exit_code == 0
    election = Election.objects.get(key="e")
    BallotBox.objects.filter(election=election).delete()
    Election.objects.filter(pk=election.pk).update(officers_to_open=2)
    legacy_deal(Election.objects.get(pk=election.pk))
    repo.edit("e/election.yaml", "election_officers:", "ballot_box:\n  officers_to_open: 2\nelection_officers:")
    summary = sync_meta(path=repo.root, trigger="test", now=DURING_VOTING)
    assert summary.exit_code == 0, summary.errors
    assert any("no share will be dealt to this officer's keys" in w for w in summary.elections[0].warnings)
    assert BallotBox.objects.get(election=election).custody == BallotBox.THRESHOLD
