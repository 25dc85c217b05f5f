"""Renaming an election's folder mid-election: the election, its ballots and its voters' passphrases follow it to
the new key, old links redirect, and anything ambiguous is refused while the election keeps running."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from elections.models import AuditEvent, BallotBox, Election, ExceptionRequest, SealedBallot, VoteRecord
from elections.voting import services
from meta_sync.models import ElectionAlias
from meta_sync.services import sync_meta

pytestmark = pytest.mark.django_db

RUNNING = {"start": "2020-01-01 00:00:00", "end": "2099-01-01 00:00:00"}
PASSPHRASE = "plum orbit kettle saffron 91"


def _sync(root):
    return sync_meta(path=root, election_dir="elections", trigger="command")


@pytest.fixture
def voted(meta_repo, django_user_model):
    """A running election ``steering---2024`` in which voter-one has voted."""
    meta_repo.add_election("steering/2024", name="Steering 2024", **RUNNING)
    _sync(meta_repo.root)
    election = Election.objects.get(key="steering---2024")
    voter = django_user_model.objects.create_user(username="voter-one")
    services.ballot_cast(election=election, voter=voter, ranks={"alice": 1, "bob": 2}, passphrase=PASSPHRASE)
    outsider = django_user_model.objects.create_user(username="outsider")
    ExceptionRequest.objects.create(election=election, requester=outsider, name="O", email="o@example.org",
                                    contributions="Docs.")
    return election, voter


def _rename(meta_repo, old, new):
    meta_repo.folder(new).parent.mkdir(parents=True, exist_ok=True)
    meta_repo.folder(old).rename(meta_repo.folder(new))


def test_a_renamed_folder_carries_the_election_over(meta_repo, voted, capsys):
    election, voter = voted
    _rename(meta_repo, "steering/2024", "steering/2024-main")

    call_command("sync_meta", "--path", str(meta_repo.root), "--election-dir", "elections")

    renamed = Election.objects.get(pk=election.pk)
    assert renamed.key == "steering---2024-main" and renamed.path == "elections/steering/2024-main"
    assert not renamed.archived and Election.objects.count() == 1
    assert VoteRecord.objects.get(voter=voter).election_id == election.pk
    assert SealedBallot.objects.filter(election=renamed).count() == 1
    assert BallotBox.objects.get(election=renamed).election_id == election.pk
    assert ExceptionRequest.objects.get().election_id == election.pk
    assert list(ElectionAlias.objects.values_list("key", "election_id", "path")) == [
        ("steering---2024", election.pk, "elections/steering/2024")]
    event = AuditEvent.objects.get(action="election.rename")
    assert event.election_id == election.pk and event.detail["from"] == "steering---2024"
    assert event.detail["to"] == "steering---2024-main"
    out = capsys.readouterr().out
    assert "renamed   steering---2024-main" in out
    assert ("renamed from steering---2024 (elections/steering/2024): its ballots, vote records, exception requests "
            "and audit trail follow, and links to steering---2024 redirect here") in out


def test_after_a_rename_the_voter_views_changes_and_revokes_with_the_same_passphrase(meta_repo, voted, client):
    election, voter = voted
    _rename(meta_repo, "steering/2024", "steering/main")
    _sync(meta_repo.root)
    renamed = Election.objects.get(pk=election.pk)
    client.force_login(voter)

    # The link was sealed under the old key: it still opens.
    view = client.post(reverse("elections:confirmation", args=[renamed.key]),
                       {"action": "view", "passphrase": PASSPHRASE})
    assert view.status_code == 200 and view.context["ranked"]

    # No second ballot under the new key.
    with pytest.raises(services.AlreadyVoted):
        services.ballot_cast(election=renamed, voter=voter, ranks={"alice": 1, "bob": 1}, passphrase=PASSPHRASE)
    assert client.get(reverse("elections:detail", args=[renamed.key])).context["can_vote"] is False

    services.ballot_change(election=renamed, voter=voter, passphrase=PASSPHRASE, ranks={"bob": 1, "alice": 2})
    assert SealedBallot.objects.filter(election=renamed).count() == 1
    assert services.ballot_view(election=renamed, voter=voter, passphrase=PASSPHRASE).ranks == {"alice": 2, "bob": 1}
    revoke = client.post(reverse("elections:confirmation", args=[renamed.key]),
                         {"action": "revoke", "passphrase": PASSPHRASE})
    assert revoke.status_code == 302
    assert not SealedBallot.objects.exists() and not VoteRecord.objects.exists()


def test_a_link_sealed_before_a_rename_opens_through_revoke_too(meta_repo, voted):
    election, voter = voted
    _rename(meta_repo, "steering/2024", "steering/main")
    _sync(meta_repo.root)
    renamed = Election.objects.get(pk=election.pk)
    with pytest.raises(services.WrongPassphrase):
        services.ballot_revoke(election=renamed, voter=voter, passphrase="a wrong passphrase")
    services.ballot_revoke(election=renamed, voter=voter, passphrase=PASSPHRASE)
    assert not VoteRecord.objects.exists()


def test_old_links_redirect_to_the_new_key(meta_repo, voted, client, django_user_model):
    election, voter = voted
    _rename(meta_repo, "steering/2024", "steering/main")
    _sync(meta_repo.root)

    assert client.get("/elections/steering---2024?x=1")["Location"] == "/elections/steering---main?x=1"
    client.force_login(voter)
    old = reverse("elections:confirmation", args=["steering---2024"])
    response = client.get(old)
    assert response.status_code == 302 and response["Location"] == "/app/elections/steering---main/confirmation"
    post = client.post(old, {"action": "view", "passphrase": PASSPHRASE})
    assert post.status_code == 307
    officer = django_user_model.objects.create_user(username="officer-one")
    client.force_login(officer)
    response = client.get(reverse("officers:overview", args=["steering---2024"]), follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0].endswith("/steering---main/admin/")
    assert client.get("/elections/no-such-key").status_code == 404


def test_renaming_back_and_forth_keeps_one_election(meta_repo, voted, client):
    election, _ = voted
    _rename(meta_repo, "steering/2024", "steering/main")
    _sync(meta_repo.root)
    _rename(meta_repo, "steering/main", "steering/2024")
    _sync(meta_repo.root)
    assert Election.objects.get().key == "steering---2024"
    assert list(ElectionAlias.objects.values_list("key", flat=True)) == ["steering---main"]
    assert client.get("/elections/steering---2024").status_code == 200


def test_a_former_key_is_never_given_to_another_election(meta_repo, voted):
    _rename(meta_repo, "steering/2024", "steering/main")
    _sync(meta_repo.root)
    meta_repo.add_election("steering/2024", name="Someone else's election", **RUNNING)

    summary = _sync(meta_repo.root)

    assert Election.objects.count() == 1
    error = next(e for e in summary.elections if e.key == "steering---2024").errors[0]
    assert "was the key of another election, renamed since" in error


def test_a_rename_that_also_changes_the_name_keeps_the_election_running_under_its_old_key(meta_repo, voted):
    election, voter = voted
    _rename(meta_repo, "steering/2024", "steering/main")
    meta_repo.edit("steering/main/election.yaml", "name: Steering 2024", "name: Steering Committee 2024")

    summary = _sync(meta_repo.root)

    kept = Election.objects.get(pk=election.pk)
    assert kept.key == "steering---2024" and not kept.archived
    assert "left the meta repository while the election has ballots" in kept.sync_errors[0]
    assert summary.exit_code == 1
    # The new folder is a separate, new election: the voter's ballot stays in the old one, still reachable.
    assert VoteRecord.objects.get(voter=voter).election_id == election.pk
    assert services.ballot_view(election=kept, voter=voter, passphrase=PASSPHRASE).ranks == {"alice": 1, "bob": 2}


def test_two_folders_describing_the_renamed_election_are_refused(meta_repo, voted):
    election, _ = voted
    meta_repo.folder("copy").mkdir()
    for path in meta_repo.folder("steering/2024").iterdir():
        (meta_repo.folder("copy") / path.name).write_bytes(path.read_bytes())
    _rename(meta_repo, "steering/2024", "steering/main")

    summary = _sync(meta_repo.root)

    assert Election.objects.get(pk=election.pk).key == "steering---2024"
    assert not Election.objects.get(pk=election.pk).archived
    assert Election.objects.count() == 1
    refused = {e.key: e.errors for e in summary.elections if e.action == "error"}
    assert set(refused) == {"copy", "steering---main", "steering---2024"}
    assert "ambiguous" in refused["copy"][0] and "ambiguous" in refused["steering---2024"][0]
    assert "ambiguous" in Election.objects.get(pk=election.pk).sync_errors[0]


def test_a_rename_into_a_folder_with_an_error_keeps_the_old_key_and_records_the_error(meta_repo, voted):
    election, _ = voted
    _rename(meta_repo, "steering/2024", "steering/main")
    meta_repo.write("steering/main/voters.yaml", "eligible_voters: [unclosed\n")

    _sync(meta_repo.root)

    kept = Election.objects.get(pk=election.pk)
    assert kept.key == "steering---2024" and not kept.archived
    assert kept.sync_errors and "voters.yaml" in kept.sync_errors[0]


def _reseal_as_version_1(record, *, election_key, ballot_id, receipt):
    """Rewrite ``record``'s sealed link the way links were sealed before they were bound to the election's id:
    version 1, bound to the election's key (built from the primitives, as such a link sits in a database)."""
    import json
    import secrets
    import struct

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from elections.voting import secrecy

    header = struct.pack(">BIIB", 1, 1, 1024, 1)  # version 1: version, Argon2 time cost, memory, parallelism
    key = secrecy.key_derive(PASSPHRASE, bytes(record.salt), time_cost=1, memory_kib=1024, parallelism=1)
    nonce = secrets.token_bytes(12)
    plaintext = json.dumps({"ballot": str(ballot_id), "receipt": receipt}).encode()
    associated = b"elekto-ballot-link\x00" + header + election_key.encode() + b"\x00" + b"voter-one"
    record.sealed_link = header + nonce + AESGCM(key).encrypt(nonce, plaintext, associated)
    record.save(update_fields=["sealed_link"])


def test_a_key_bound_link_sealed_before_two_renames_still_opens(meta_repo, voted):
    election, voter = voted
    sealed = SealedBallot.objects.get(election=election)
    _reseal_as_version_1(VoteRecord.objects.get(voter=voter), election_key="steering---2024", ballot_id=sealed.id,
                         receipt="RECEIPT-FROM-2025")
    _rename(meta_repo, "steering/2024", "steering/main")
    _sync(meta_repo.root)
    _rename(meta_repo, "steering/main", "steering/main-2024")
    _sync(meta_repo.root)
    renamed = Election.objects.get(pk=election.pk)
    assert renamed.key == "steering---main-2024"

    assert services.ballot_view(election=renamed, voter=voter, passphrase=PASSPHRASE).receipt == "RECEIPT-FROM-2025"
    services.ballot_revoke(election=renamed, voter=voter, passphrase=PASSPHRASE)
    assert not VoteRecord.objects.exists()
