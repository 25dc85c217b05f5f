"""The ballot box: ballots sealed when cast, the key kept wrapped, the box opened only after the close."""

import io
import json
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from elections.audit import BOX_OPEN, BOX_REWRAP
from elections.ballot_box import crypto
from elections.ballot_box.box import BallotBoxRefused, ballot_box_open, ballot_boxes_rewrap
from elections.ballot_box.services import ballot_box_ensure
from elections.counting.tally import count
from elections.models import AuditEvent, Ballot, BallotBox, Election, EligibleVoter, SealedBallot, VoteRecord
from elections.officers.results import election_tally
from elections.voting import secrecy, services
from elections.voting.services import ballot_cast
from tests.conftest import REPO_ROOT, TEST_BALLOT_BOX_KEY
from tests.voting.conftest import PASSPHRASE, make_election

RANKINGS = [
    {"alice": 1, "bob": 2, "carol": 3},
    {"alice": None, "bob": 1, "carol": 2},
    {"alice": 2, "bob": 1, "carol": None},
    {"alice": 1, "bob": 1, "carol": 2},
    {"alice": 3, "bob": 2, "carol": 1},
]


# --- the pure module --------------------------------------------------------------------------------


def test_the_box_cryptography_imports_no_django():
    code = "import sys, elections.ballot_box.crypto; assert not any(m.startswith('django') for m in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_a_sealed_ballot_opens_with_the_private_key_only():
    pair, other = crypto.keypair_generate(), crypto.keypair_generate()
    sealed = crypto.ballot_seal(pair.public_key, ranks=RANKINGS[1], receipt="ABCD-EFGH")
    assert crypto.ballot_open(pair.private_key, sealed) == crypto.OpenedBallot(RANKINGS[1], "ABCD-EFGH")
    with pytest.raises(crypto.BoxError, match="does not open with this key"):
        crypto.ballot_open(other.private_key, sealed)
    with pytest.raises(crypto.BoxError):
        crypto.ballot_open(pair.private_key, sealed[:-1] + bytes([sealed[-1] ^ 1]))


def test_the_ciphertext_length_never_depends_on_the_ranks():
    pair = crypto.keypair_generate()
    candidates = [f"candidate-{n}" for n in range(12)]
    rankings = [dict.fromkeys(candidates, None) | {candidates[0]: 1},
                {c: n + 1 for n, c in enumerate(candidates)},
                dict.fromkeys(candidates, 12),
                {c: None if n % 2 else 10 for n, c in enumerate(candidates)}]
    lengths = {len(crypto.ballot_seal(pair.public_key, ranks=r, receipt=secrecy.receipt_generate()))
               for r in rankings}
    assert len(lengths) == 1


def test_the_private_key_unwraps_only_with_its_wrapping_key_and_for_its_own_box():
    pair, other = crypto.keypair_generate(), crypto.keypair_generate()
    key, wrong = crypto.wrapping_key_parse(crypto.wrapping_key_generate()), bytes(32)
    wrapped = crypto.private_key_wrap(pair.private_key, wrapping_key=key, public_key=pair.public_key)
    assert pair.private_key not in wrapped
    assert crypto.private_key_unwrap(wrapped, wrapping_keys=[wrong, key],
                                         public_key=pair.public_key) == pair.private_key
    with pytest.raises(crypto.BoxError, match=crypto.wrapping_key_id(key)):
        crypto.private_key_unwrap(wrapped, wrapping_keys=[wrong], public_key=pair.public_key)
    with pytest.raises(crypto.BoxError, match="moved from another box"):
        crypto.private_key_unwrap(wrapped, wrapping_keys=[key], public_key=other.public_key)


@pytest.mark.parametrize("text", ["", "short", "not base64 at all!!", "AAAA"])
def test_a_malformed_wrapping_key_is_refused(text):
    with pytest.raises(ValueError):
        crypto.wrapping_key_parse(text)


# --- casting and opening ------------------------------------------------------------------------------


@pytest.fixture
def cast_many(running, user_factory):
    for index, ranks in enumerate(RANKINGS):
        user = user_factory(f"box-voter-{index}")
        EligibleVoter.objects.create(election=running, login=user.username)
        ballot_cast(election=running, voter=user, ranks=ranks, passphrase=PASSPHRASE)
    return running


def close(election):
    now = timezone.now()
    Election.objects.filter(pk=election.pk).update(end_datetime=now - timedelta(seconds=1))
    election.refresh_from_db()


def test_the_box_is_made_at_the_first_cast_and_keeps_its_key_only_wrapped(cast_many):
    box = BallotBox.objects.get(election=cast_many)
    assert box.custody == BallotBox.ENVIRONMENT and box.opened_at is None
    assert box.wrapping_key_id == crypto.wrapping_key_id(crypto.wrapping_key_parse(TEST_BALLOT_BOX_KEY))
    private_key = crypto.private_key_unwrap(box.wrapped_private_key,
                                                wrapping_keys=[crypto.wrapping_key_parse(TEST_BALLOT_BOX_KEY)],
                                                public_key=bytes(box.public_key))
    assert private_key not in bytes(box.wrapped_private_key)
    assert ballot_box_ensure(election=cast_many).pk == box.pk


def test_opening_is_refused_before_the_close_and_nothing_is_readable(cast_many):
    with pytest.raises(BallotBoxRefused, match="can be opened only after the close") as refused:
        ballot_box_open(election=cast_many, actor="olga-officer")
    assert refused.value.status == 403
    assert SealedBallot.objects.count() == len(RANKINGS) and not Ballot.objects.exists()
    assert BallotBox.objects.get().wrapped_private_key is not None


def test_after_opening_the_count_equals_the_ranks_cast(cast_many):
    close(cast_many)
    outcome = ballot_box_open(election=cast_many, actor="Olga-Officer")
    assert outcome.ballots == len(RANKINGS)
    # Compared as sorted JSON: PostgreSQL's jsonb keeps a ballot's keys in its own order.
    opened = sorted(json.dumps(b.ranks, sort_keys=True) for b in Ballot.objects.filter(election=cast_many))
    assert opened == sorted(json.dumps(ranks, sort_keys=True) for ranks in RANKINGS)
    assert not SealedBallot.objects.exists()
    box = BallotBox.objects.get()
    assert box.wrapped_private_key is None and box.opened_by == "olga-officer" and box.opened_at is not None
    event = AuditEvent.objects.get(action=BOX_OPEN)
    assert (event.actor, event.election, event.detail["ballots"]) == ("olga-officer", cast_many, len(RANKINGS))
    result = election_tally(cast_many)
    expected = count(["alice", "bob", "carol"], [{c: r for c, r in ranks.items() if r is not None}
                                                 for ranks in RANKINGS], seats=cast_many.no_winners)
    assert result.ballots == len(RANKINGS)
    assert (result.pairwise, result.winners) == (expected.pairwise, expected.winners)


def test_a_box_opens_once(cast_many):
    close(cast_many)
    ballot_box_open(election=cast_many, actor="olga-officer")
    with pytest.raises(BallotBoxRefused, match="was opened on"):
        ballot_box_open(election=cast_many, actor="olga-officer")
    assert Ballot.objects.count() == len(RANKINGS)


def test_a_key_from_another_box_is_refused_and_opens_nothing(cast_many):
    close(cast_many)
    with pytest.raises(BallotBoxRefused, match="does not belong to this election's ballot box"):
        ballot_box_open(election=cast_many, actor="olga-officer",
                        private_key=crypto.keypair_generate().private_key)
    assert SealedBallot.objects.count() == len(RANKINGS)


def test_a_threshold_box_needs_the_key_from_the_shares(cast_many):
    close(cast_many)
    box = BallotBox.objects.get()
    private_key = crypto.private_key_unwrap(box.wrapped_private_key,
                                                wrapping_keys=[crypto.wrapping_key_parse(TEST_BALLOT_BOX_KEY)],
                                                public_key=bytes(box.public_key))
    BallotBox.objects.filter(pk=box.pk).update(custody=BallotBox.THRESHOLD, threshold=2, wrapped_private_key=None)
    with pytest.raises(BallotBoxRefused, match="shares of 2 officers"):
        ballot_box_open(election=cast_many, actor="olga-officer")
    assert ballot_box_open(election=cast_many, actor="olga-officer", private_key=private_key).ballots == len(RANKINGS)


def test_opening_without_the_right_environment_key_names_the_missing_key(cast_many, settings):
    close(cast_many)
    settings.BALLOT_BOX_KEY = crypto.wrapping_key_generate()
    with pytest.raises(BallotBoxRefused, match="BALLOT_BOX_OLD_KEYS"):
        ballot_box_open(election=cast_many, actor="olga-officer")
    assert SealedBallot.objects.count() == len(RANKINGS)


def test_rotating_the_environment_key_rewraps_every_unopened_box(cast_many, settings):
    old = settings.BALLOT_BOX_KEY
    settings.BALLOT_BOX_KEY = new = crypto.wrapping_key_generate()
    settings.BALLOT_BOX_OLD_KEYS = [old]
    assert ballot_boxes_rewrap(dry_run=True) == [cast_many.key]
    call_command("rewrap_ballot_boxes")
    assert ballot_boxes_rewrap() == []  # idempotent
    assert AuditEvent.objects.filter(action=BOX_REWRAP).count() == 1
    assert BallotBox.objects.get().wrapping_key_id == crypto.wrapping_key_id(crypto.wrapping_key_parse(new))
    settings.BALLOT_BOX_OLD_KEYS = []
    close(cast_many)
    assert ballot_box_open(election=cast_many, actor="system").ballots == len(RANKINGS)


def test_one_command_rotates_the_key_and_the_old_key_then_opens_nothing(cast_many, settings, capsys, now):
    old = settings.BALLOT_BOX_KEY
    waiting = make_election("waiting---2099", start=now + timedelta(days=1), end=now + timedelta(days=2))
    call_command("rotate_ballot_box_key")
    printed = capsys.readouterr().out
    new = printed.split("shown once and stored nowhere:\n")[1].splitlines()[0]
    new_id = crypto.wrapping_key_id(crypto.wrapping_key_parse(new))
    assert f"Re-wrapped the ballot box of {cast_many.key}." in printed and new_id in printed
    assert BallotBox.objects.get(election=cast_many).wrapping_key_id == new_id
    assert AuditEvent.objects.filter(action=BOX_REWRAP, election=cast_many).count() == 1
    # Until BALLOT_BOX_KEY is the new key, no box is made under the old one, which is about to be discarded.
    with pytest.raises(BallotBoxRefused, match=f"being rotated.*{new_id}"):
        ballot_box_ensure(election=waiting)
    assert not BallotBox.objects.filter(election=waiting).exists()
    close(cast_many)
    with pytest.raises(BallotBoxRefused, match=new_id):
        ballot_box_open(election=cast_many, actor="system")
    # The old key discarded, the new one configured: the box opens, and new boxes are made under the new key.
    settings.BALLOT_BOX_KEY, settings.BALLOT_BOX_OLD_KEYS = new, []
    assert ballot_box_ensure(election=waiting).wrapping_key_id == new_id
    wrapped = BallotBox.objects.get(election=cast_many).wrapped_private_key
    with pytest.raises(crypto.BoxError):
        crypto.private_key_unwrap(wrapped, wrapping_keys=[crypto.wrapping_key_parse(old)],
                                      public_key=bytes(BallotBox.objects.get(election=cast_many).public_key))
    assert ballot_box_open(election=cast_many, actor="system").ballots == len(RANKINGS)


def test_a_cast_while_the_key_is_being_rotated_is_refused_with_a_page_and_stores_nothing(running, voter, now):
    call_command("rotate_ballot_box_key", stdout=io.StringIO())
    with pytest.raises(services.WrongState, match="ballot box key is being changed") as refused:
        ballot_cast(election=running, voter=voter, ranks=RANKINGS[0], passphrase=PASSPHRASE)
    assert refused.value.status == 503
    assert not SealedBallot.objects.exists() and not VoteRecord.objects.exists()


def test_the_command_opens_after_the_close_and_says_what_a_dry_run_would_do(cast_many, capsys):
    with pytest.raises(CommandError, match="only after the close"):
        call_command("open_ballot_box", cast_many.key)
    with pytest.raises(CommandError, match="No election with key"):
        call_command("open_ballot_box", "nope---2026")
    close(cast_many)
    call_command("open_ballot_box", cast_many.key, "--dry-run")
    assert f"holds {len(RANKINGS)} sealed ballot(s). Nothing was changed." in capsys.readouterr().out
    assert SealedBallot.objects.count() == len(RANKINGS)
    with pytest.raises(CommandError, match="still sealed"):
        call_command("tally", cast_many.key)
    call_command("open_ballot_box", cast_many.key)
    assert f"{len(RANKINGS)} ballot(s) can now be counted" in capsys.readouterr().out
    call_command("tally", cast_many.key)
    assert f"Ballots counted: {len(RANKINGS)}" in capsys.readouterr().out


def test_importing_a_running_or_upcoming_election_makes_its_box(db):
    from meta_sync.services import sync_meta
    from tests.conftest import EXAMPLE_META

    sync_meta(path=EXAMPLE_META, trigger="test")
    now = timezone.now()
    for election in Election.objects.all():
        assert BallotBox.objects.filter(election=election).exists() == (election.status_at(now) != "completed")


# --- the officers' page -------------------------------------------------------------------------------


def overview(election):
    return f"/app/elections/{election.key}/admin/"


def test_officers_see_the_box_sealed_and_open_it_after_the_close(client, officer, cast_many):
    client.force_login(officer)
    page = client.get(overview(cast_many)).content.decode()
    assert "Every ballot is sealed when it is cast" in page and "Open the ballot box" not in page
    refused = client.post(overview(cast_many) + "ballot-box/open", {"confirm": "yes"}, follow=True)
    assert "can be opened only after the close" in refused.content.decode()
    close(cast_many)
    results = client.get(overview(cast_many) + "results")
    assert results.status_code == 409
    assert "still sealed" in results.content.decode() and f"open_ballot_box {cast_many.key}" in results.content.decode()
    assert client.get(overview(cast_many) + "export/ballots.csv").status_code == 409
    # The report to the steering body holds the results: no count of an unopened box either.
    report = client.get(overview(cast_many) + "report")
    assert report.status_code == 409 and "still sealed" in report.content.decode()
    page = client.get(overview(cast_many)).content.decode()
    assert "Open the ballot box" in page and 'name="confirm"' in page
    unconfirmed = client.post(overview(cast_many) + "ballot-box/open", follow=True)
    assert "Tick the box to confirm" in unconfirmed.content.decode()
    assert SealedBallot.objects.count() == len(RANKINGS)
    opened = client.post(overview(cast_many) + "ballot-box/open", {"confirm": "yes"}, follow=True)
    assert f"The ballot box is open: {len(RANKINGS)} ballots can now be counted." in opened.content.decode()
    assert "opened the ballot box" in opened.content.decode()
    assert client.get(overview(cast_many) + "results").status_code == 200
    assert client.get(overview(cast_many) + "report").status_code == 200
    csv = client.get(overview(cast_many) + "export/ballots.csv").content.decode()
    assert len(csv.strip().splitlines()) == len(RANKINGS) + 1


def test_only_the_elections_officers_can_open_its_box(client, outsider, officer, cast_many):
    from django.test import Client

    close(cast_many)
    client.force_login(outsider)
    assert client.post(overview(cast_many) + "ballot-box/open", {"confirm": "yes"}).status_code in (403, 404)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(officer)
    assert strict.post(overview(cast_many) + "ballot-box/open", {"confirm": "yes"}).status_code == 403
    assert client.get(overview(cast_many) + "ballot-box/open").status_code == 405
    assert SealedBallot.objects.count() == len(RANKINGS)


# --- attempt limit before any key derivation (issue 12 item 7) ----------------------------------------


@pytest.fixture
def derivations(monkeypatch):
    calls = []
    real = secrecy.hash_secret_raw

    def counting(**kwargs):
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(secrecy, "hash_secret_raw", counting)
    return calls


def _confirm(client, election, action, passphrase):
    return client.post(f"/app/elections/{election.key}/confirmation", {"action": action, "passphrase": passphrase})


def test_past_the_attempt_limit_no_key_is_derived_for_view_change_or_revoke(voter_client, running, settings,
                                                                             derivations):
    from tests.voting.conftest import cast_data, vote_data

    settings.PASSPHRASE_ATTEMPTS_PER_MINUTE = 2
    assert voter_client.post(f"/app/elections/{running.key}/vote", cast_data(RANKINGS[0])).status_code == 303
    for _ in range(2):
        assert _confirm(voter_client, running, "view", "a wrong guess here").status_code == 403
    derivations.clear()
    assert _confirm(voter_client, running, "view", PASSPHRASE).status_code == 429
    assert _confirm(voter_client, running, "revoke", PASSPHRASE).status_code == 429
    change = vote_data(RANKINGS[1], step="cast", mode="change", passphrase=PASSPHRASE)
    assert voter_client.post(f"/app/elections/{running.key}/vote", change).status_code == 429
    assert derivations == []
    assert VoteRecord.objects.count() == 1 and SealedBallot.objects.count() == 1


def test_a_second_cast_fails_before_any_key_derivation(voter, running, derivations):
    ballot_cast(election=running, voter=voter, ranks=RANKINGS[0], passphrase=PASSPHRASE)
    derivations.clear()
    from elections.voting.services import AlreadyVoted

    with pytest.raises(AlreadyVoted):
        ballot_cast(election=running, voter=voter, ranks=RANKINGS[1], passphrase=PASSPHRASE)
    assert derivations == []


# --- links sealed before the ballot box (version 1) ---------------------------------------------------


@pytest.fixture
def v1_voter(running, voter):
    """A ballot cast before sealing, as the data migration leaves it: sealed, with the voter's version 1 link."""
    from tests.voting.test_secrecy import v1_link_seal

    box = ballot_box_ensure(election=running)
    sealed = SealedBallot.objects.create(election=running, sealed=crypto.ballot_seal(
        bytes(box.public_key), ranks=RANKINGS[2], receipt="OLD1-RECE-IPT0"))
    salt = secrecy.salt_generate()
    link = v1_link_seal(ballot_id=str(sealed.id), receipt="OLD1-RECE-IPT0", passphrase=PASSPHRASE, salt=salt,
                        election_key=running.key, login=voter.username)
    VoteRecord.objects.create(election=running, voter=voter, salt=salt, sealed_link=link)
    return voter


def test_a_version_1_link_shows_its_receipt_and_says_why_the_ranks_wait(voter_client, running, v1_voter):
    response = _confirm(voter_client, running, "view", PASSPHRASE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "OLD1-RECE-IPT0" in html and "cannot be shown until the box is opened" in html


def test_a_version_1_link_still_changes_the_ballot_and_then_shows_it(voter_client, running, v1_voter):
    from tests.voting.conftest import vote_data

    change = vote_data(RANKINGS[3], step="cast", mode="change", passphrase=PASSPHRASE)
    assert voter_client.post(f"/app/elections/{running.key}/vote", change).status_code == 303
    assert SealedBallot.objects.count() == 1
    assert secrecy.link_version(VoteRecord.objects.get().sealed_link) == 2
    view = _confirm(voter_client, running, "view", PASSPHRASE)
    assert view.context["ranked"] == [("1st, tied", ["Alice", "Bob"]), ("2nd", ["Carol"])]
    close(running)
    ballot_box_open(election=running, actor="system")
    assert [b.ranks for b in Ballot.objects.all()] == [RANKINGS[3]]


def test_a_version_1_link_still_revokes_the_ballot(voter_client, running, v1_voter):
    assert _confirm(voter_client, running, "revoke", PASSPHRASE).status_code == 302
    assert not SealedBallot.objects.exists() and not VoteRecord.objects.exists()


def test_a_completed_election_without_a_box_needs_no_opening(officer, client, now):
    completed = make_election("old---2020", start=now - timedelta(days=9), end=now - timedelta(days=8),
                              officers=[officer.username])
    Ballot.objects.create(election=completed, ranks={"alice": 1, "bob": 2, "carol": None}, receipt="R-1")
    client.force_login(officer)
    assert client.get(overview(completed) + "results").status_code == 200
    with pytest.raises(BallotBoxRefused, match="already readable"):
        ballot_box_open(election=completed, actor="system")


@pytest.mark.django_db
def test_on_sqlite_sealed_and_opened_ballots_get_a_random_rowid_at_insert(running, user_factory):
    """SQLite keeps rows in the order of their rowid; given at random in the INSERT, it says nothing of the
    order of casting (and no UPDATE leaves the first, ordered cell behind)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("rowids are SQLite's; MariaDB and PostgreSQL tables are ordered by the random UUID key or not "
                    "at all")
    rowids = []
    for index in range(12):
        user = user_factory(f"rowid-voter-{index}")
        EligibleVoter.objects.create(election=running, login=user.username)
        before = set(SealedBallot.objects.values_list("id", flat=True))
        ballot_cast(election=running, voter=user, ranks=RANKINGS[index % len(RANKINGS)], passphrase=PASSPHRASE)
        (new,) = set(SealedBallot.objects.values_list("id", flat=True)) - before
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM elections_sealedballot WHERE id = %s", [new.hex])
            rowids.append(cursor.fetchone()[0])
    assert rowids != sorted(rowids) and max(rowids) > 2**40
    close(running)
    ballot_box_open(election=running, actor="olivia")
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid FROM elections_ballot WHERE election_id = %s", [running.pk])
        opened = [row[0] for row in cursor.fetchall()]
    assert len(opened) == 12 and max(opened) > 2**40
