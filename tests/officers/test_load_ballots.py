"""``manage.py load_ballots``: a completed election's published ballots.csv becomes its ballots, all or nothing."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from elections.audit import BALLOTS_LOAD
from elections.ballot_box import crypto
from elections.ballot_box.services import ballot_box_ensure
from elections.models import AuditEvent, Ballot, BallotBox, Election, SealedBallot, VoteRecord
from tests.conftest import EXAMPLE_META, shared_fixture
from tests.officers.conftest import cast, make_election

pytestmark = pytest.mark.django_db


def load(key, path, *options):
    out = io.StringIO()
    call_command("load_ballots", key, str(path), *options, stdout=out)
    return out.getvalue()


def tally_json(key):
    out = io.StringIO()
    call_command("tally", key, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def write(tmp_path, text, name="ballots.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def completed(db):
    return make_election("club---past", status="completed", officers=["olivia"], voters=["vera"])


# --- real data -----------------------------------------------------------------------------------------


def test_loaded_kubernetes_ballots_reproduce_the_published_winners():
    meta = shared_fixture("meta", "kubernetes")
    vectors = json.loads(shared_fixture("schulze_vectors.json").read_text(encoding="utf-8"))
    vector = next(v for v in vectors if v["name"] == "k8s_steering_2023")
    call_command("sync_meta", "--path", str(meta), "--election-dir", "elections", stdout=io.StringIO())

    output = load("steering---2023", shared_fixture(*vector["data_file"].split("/")))

    election = Election.objects.get(key="steering---2023")
    assert f"Loaded {election.ballots.count()} ballots into steering---2023" in output
    result = tally_json("steering---2023")
    seats = election.no_winners
    expected = [c for group in vector["expected_winners_in_order"] for c in group][:seats]
    assert sorted(result["winners"]) == sorted(expected)
    assert result["ranking"] == vector["expected_winners_in_order"]
    assert VoteRecord.objects.filter(election=election).count() == 0


@pytest.mark.parametrize(("year", "all_default"), [("2022", 6), ("2023", 4), ("2024", 7)])
def test_real_ballots_csv_files_load_with_their_all_default_ballots_and_published_votes_cast_and_winners(
        year, all_default):
    # Elekto stored a ballot left at its defaults as every candidate tied last; it counts in "votes cast".
    import re

    meta = shared_fixture("meta", "kubernetes")
    folder = meta / "elections" / "steering" / year
    call_command("sync_meta", "--path", str(meta), "--election-dir", "elections", stdout=io.StringIO())
    key = f"steering---{year}"

    load(key, folder / "ballots.csv")

    published = (folder / "results.md").read_text(encoding="utf-8")
    votes_cast = int(re.search(r"Number of votes cast: (\d+)", published).group(1))
    winners_part = published.split("## Winners", 1)[1].split("The rest of the candidates", 1)[0]
    published_winners = re.findall(r"github\.com/([\w-]+)\)", winners_part)
    election = Election.objects.get(key=key)
    lowest = election.candidates.count()
    ballots = list(election.ballots.values_list("ranks", flat=True))
    assert len(ballots) == votes_cast
    assert sum(set(ranks.values()) == {lowest} for ranks in ballots) == all_default
    result = tally_json(key)
    assert result["ballots"] == votes_cast
    assert [w.lower() for w in result["winners"]] == [w.lower() for w in published_winners]


def test_the_demo_board_election_counts_as_its_published_results_say():
    call_command("sync_meta", "--path", str(EXAMPLE_META), "--election-dir", "elections", stdout=io.StringIO())

    load("board---2024", EXAMPLE_META / "elections" / "board" / "2024" / "ballots.csv")

    result = tally_json("board---2024")
    assert result["ballots"] == 4
    assert result["winners"] == ["gita"]
    assert result["pairwise"]["gita"]["hugo"] == 3
    assert result["pairwise"]["hugo"]["gita"] == 0


# --- what is stored ------------------------------------------------------------------------------------


def test_header_ids_match_the_candidates_whatever_their_case(completed, tmp_path):
    load(completed.key, write(tmp_path, "ALICE,Bob,carol\n1,2,3\n2,1,No opinion\n"))

    stored = sorted(completed.ballots.values_list("ranks", flat=True), key=lambda r: r["alice"])
    assert stored == [{"alice": 1, "bob": 2, "carol": 3}, {"alice": 2, "bob": 1, "carol": None}]


def test_published_receipts_are_kept(completed, tmp_path):
    load(completed.key, write(tmp_path, "alice,bob,carol,receipt\n1,2,3,AAAA-1111\n3,2,1,BBBB-2222\n"))

    assert set(completed.ballots.values_list("receipt", flat=True)) == {"AAAA-1111", "BBBB-2222"}
    assert completed.ballots.get(receipt="BBBB-2222").ranks == {"alice": 3, "bob": 2, "carol": 1}


def test_without_a_receipt_column_each_ballot_gets_a_new_random_receipt(completed, tmp_path):
    output = load(completed.key, write(tmp_path, "alice,bob,carol\n1,2,3\n1,2,3\n1,2,3\n"))

    receipts = list(completed.ballots.values_list("receipt", flat=True))
    assert len(set(receipts)) == 3
    assert all(len(r) == 29 and r.count("-") == 5 for r in receipts)
    assert "new random receipts" in output


def test_loading_is_recorded_in_the_audit_trail_without_any_vote_record(completed, tmp_path):
    load(completed.key, write(tmp_path, "alice,bob,carol\n1,2,3\n3,2,1\n"))

    event = AuditEvent.objects.get(action=BALLOTS_LOAD)
    assert (event.election, event.actor, event.detail["ballots"]) == (completed, "system", 2)
    assert not VoteRecord.objects.filter(election=completed).exists()


def test_a_dry_run_checks_the_file_and_writes_nothing(completed, tmp_path):
    output = load(completed.key, write(tmp_path, "alice,bob,carol\n1,2,3\n"), "--dry-run")

    assert "Dry run: 1 ballots" in output
    assert not completed.ballots.exists()
    assert not AuditEvent.objects.filter(action=BALLOTS_LOAD).exists()


def test_officers_see_loaded_ballots_as_such_not_as_a_mismatch(tmp_path, client, django_user_model):
    election = make_election("club---old", status="completed", officers=["olivia"], voters=["vera", "walt", "xena"])
    load(election.key, write(tmp_path, "alice,bob,carol\n1,2,3\n3,2,1\n"))
    client.force_login(django_user_model.objects.create_user(username="olivia"))

    overview = client.get(reverse("officers:overview", args=[election.key])).content.decode()
    results = client.get(reverse("officers:results", args=[election.key])).content.decode()

    assert "loaded from the election's published ballots.csv" in overview
    assert "number of ballots differs" not in overview
    assert "2 (66.7%)" in overview
    assert "2 of 3 eligible voters (66.7%)" in results


# --- refusals ------------------------------------------------------------------------------------------


def assert_refused(key, path, *fragments):
    with pytest.raises(CommandError) as refused:
        load(key, path)
    for fragment in fragments:
        assert fragment in str(refused.value)
    assert not AuditEvent.objects.filter(action=BALLOTS_LOAD).exists()


def test_it_refuses_a_running_election(tmp_path):
    running = make_election("club---now", status="running")

    assert_refused(running.key, write(tmp_path, "alice,bob,carol\n1,2,3\n"), "is running", "completed election")
    assert not Ballot.objects.exists()


def test_loaded_ballots_are_opened_ballots_counted_without_any_box_to_open(completed, tmp_path):
    load(completed.key, write(tmp_path, "alice,bob,carol\n1,2,3\n2,1,3\n1,2,3\n"))

    assert not SealedBallot.objects.exists() and not BallotBox.objects.filter(election=completed).exists()
    # Compared as sorted items: PostgreSQL's jsonb keeps the keys in an order of its own.
    stored = Ballot.objects.filter(election=completed).values_list("ranks", flat=True)
    expected = [{"alice": 1, "bob": 2, "carol": 3}, {"alice": 2, "bob": 1, "carol": 3},
                {"alice": 1, "bob": 2, "carol": 3}]
    assert sorted(sorted(r.items()) for r in stored) == sorted(sorted(r.items()) for r in expected)
    assert tally_json(completed.key)["winners"] == ["alice"]


def test_it_refuses_an_election_with_sealed_ballots(completed, tmp_path):
    box = ballot_box_ensure(election=completed)
    SealedBallot.objects.create(election=completed, sealed=crypto.ballot_seal(
        bytes(box.public_key), ranks={"alice": 1, "bob": 2, "carol": 3}, receipt="R-SEALED"))

    assert_refused(completed.key, write(tmp_path, "alice,bob,carol\n3,2,1\n"), "already has ballots")
    assert not completed.ballots.exists()


def test_it_refuses_an_election_that_already_has_ballots(completed, tmp_path):
    cast(completed, {"alice": 1, "bob": 2, "carol": 3})

    assert_refused(completed.key, write(tmp_path, "alice,bob,carol\n3,2,1\n"), "already has ballots")
    assert completed.ballots.count() == 1


def test_a_second_load_is_refused_and_if_empty_makes_it_a_no_op(completed, tmp_path):
    path = write(tmp_path, "alice,bob,carol\n1,2,3\n")
    load(completed.key, path)

    with pytest.raises(CommandError, match="already has ballots"):
        load(completed.key, path)
    assert "nothing loaded" in load(completed.key, path, "--if-empty")
    assert completed.ballots.count() == 1


def test_it_names_unknown_and_missing_candidates(completed, tmp_path):
    assert_refused(completed.key, write(tmp_path, "alice,bob,zoe\n1,2,3\n"),
                   "not candidates of club---past: zoe", "missing from the header: carol")
    assert not completed.ballots.exists()


def test_it_refuses_ids_that_differ_only_in_case(completed, tmp_path):
    assert_refused(completed.key, write(tmp_path, "alice,bob,carol,Carol\n1,2,3,4\n"), "named twice", "Carol")


def test_a_bad_row_loads_nothing(completed, tmp_path):
    assert_refused(completed.key, write(tmp_path, "alice,bob,carol\n1,2,3\n1,two,3\n"), "row 3", "'two'")
    assert not completed.ballots.exists()


def test_it_refuses_repeated_receipts(completed, tmp_path):
    assert_refused(completed.key, write(tmp_path, "alice,bob,carol,receipt\n1,2,3,R-1\n3,2,1,R-1\n"),
                   "more than once", "R-1")
    assert not completed.ballots.exists()


def test_it_refuses_receipts_used_by_another_election(completed, tmp_path):
    other = make_election("club---other", status="completed")
    taken = cast(other, {"alice": 1, "bob": 2, "carol": 3}).receipt

    assert_refused(completed.key, write(tmp_path, f"alice,bob,carol,receipt\n1,2,3,{taken}\n"), taken)
    assert not completed.ballots.exists()


def test_it_refuses_an_unknown_election_and_an_unreadable_file(completed, tmp_path):
    assert_refused("club---nope", write(tmp_path, "alice,bob,carol\n1,2,3\n"), "No election with key")
    assert_refused(completed.key, tmp_path / "absent.csv", "Cannot read")
