"""manage.py tally: an election's ballots from the database, or a ballots.csv file."""

import hashlib
import json
import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from elections.models import Ballot, Candidate, Election, EligibleVoter, ExceptionRequest
from tests.conftest import REPO_ROOT
from tests.tally.helpers import FIXTURES

User = get_user_model()


def tally(*args):
    out = StringIO()
    call_command("tally", *args, stdout=out)
    return out.getvalue()


def make_election(key="steering---2025", *, closed=True, **fields):
    now = timezone.now()
    start, end = (now - timedelta(days=10), now - timedelta(days=1)) if closed else (now - timedelta(days=1),
                                                                                     now + timedelta(days=1))
    return Election.objects.create(key=key, path=key.replace("---", "/"), name="Steering Committee 2025",
                                   start_datetime=start, end_datetime=end, **fields)


def cast(election, *rankings):
    for i, ranks in enumerate(rankings):
        Ballot.objects.create(election=election, ranks=ranks, receipt=f"{election.key}-{i}")


@pytest.fixture
def election(db):
    election = make_election(no_winners=2)
    for candidate_id, name in [("ann", "Ann A."), ("ben", "Ben B."), ("cat", "Cat C.")]:
        Candidate.objects.create(election=election, candidate_id=candidate_id, name=name)
    # Withdrawn after voting began: dan was ranked and still counts; eve was never ranked and is left out.
    Candidate.objects.create(election=election, candidate_id="dan", name="Dan D.", withdrawn=True)
    Candidate.objects.create(election=election, candidate_id="eve", name="Eve E.", withdrawn=True)
    EligibleVoter.objects.bulk_create(EligibleVoter(election=election, login=f"voter{i}") for i in range(8))
    cast(election,
         {"ann": 1, "ben": 2, "cat": 3, "dan": None, "eve": None},
         {"ann": 1, "ben": 3, "cat": 2, "dan": 4, "eve": None},
         {"ben": 1, "ann": 2, "cat": None},
         {"cat": 1, "ann": 2, "ben": 2})
    return election


@pytest.mark.django_db
def test_it_counts_a_closed_election_from_the_database(election):
    data = json.loads(tally("steering---2025", "--format", "json"))

    assert data["candidates"] == ["ann", "ben", "cat", "dan"]
    assert data["ballots"] == 4
    assert data["ranking"][0] == ["ann"]
    assert len(data["winners"]) == 2 and data["winners"][0] == "ann"
    assert data["pairwise"]["ann"]["dan"] == 1
    assert data["pairwise"]["dan"]["ann"] == 0


@pytest.mark.django_db
def test_the_draft_results_page_names_the_election_and_its_turnout(election):
    # Approved exception requests add to the electorate; someone already on the roll is counted once.
    for login, status in [("Newcomer", ExceptionRequest.APPROVED), ("voter1", ExceptionRequest.APPROVED),
                          ("refused", ExceptionRequest.DENIED)]:
        ExceptionRequest.objects.create(election=election, requester=User.objects.create(username=login),
                                        name=login, email=f"{login}@example.org", contributions="docs",
                                        status=status)
    text = tally("steering---2025", "--format", "markdown")

    assert text.startswith("# Results: Steering Committee 2025\n")
    assert "4 ballots counted out of 9 eligible voters (44.4% turnout)" in text
    assert "1. Ann A. (ann)" in text


@pytest.mark.django_db
def test_it_uses_the_elections_declared_tie_break():
    election = make_election(no_winners=1, tie_break={"order": ["ben", "ann"]})
    for candidate_id in ("ann", "ben"):
        Candidate.objects.create(election=election, candidate_id=candidate_id, name=candidate_id)
    cast(election, {"ann": 1, "ben": 2}, {"ann": 2, "ben": 1})

    data = json.loads(tally("steering---2025", "--format", "json"))

    assert data["winners"] == ["ben"]
    assert data["tie"] == {"candidates": ["ann", "ben"], "seats": 1}
    assert data["tie_break"]["rule"] == {"order": ["ben", "ann"]}


@pytest.mark.django_db
def test_it_refuses_to_count_while_voting_is_open():
    election = make_election(closed=False)
    Candidate.objects.create(election=election, candidate_id="ann", name="Ann")
    cast(election, {"ann": 1})

    with pytest.raises(CommandError, match="is running; voting closes at .* only after voting has closed"):
        tally("steering---2025")


@pytest.mark.django_db
def test_an_unknown_election_key_is_named_in_the_error():
    with pytest.raises(CommandError, match="No election with key 'steering---1999'"):
        tally("steering---1999")


@pytest.mark.django_db
def test_a_ballot_for_a_candidate_the_election_does_not_have_stops_the_count(election):
    Candidate.objects.filter(candidate_id="dan").delete()

    with pytest.raises(CommandError, match="Cannot count: a ballot ranks dan, not among the candidates"):
        tally("steering---2025")


@pytest.mark.django_db
def test_seats_cannot_be_overridden_for_an_election(election):
    with pytest.raises(CommandError, match="--seats and --tie-break-\\* apply to --ballots only"):
        tally("steering---2025", "--seats", "3")


def test_it_recounts_a_ballots_csv_as_text():
    text = tally("--ballots", str(FIXTURES / "small_election.csv"))

    assert "Ballots counted: 5" in text
    assert "Winners: alice" in text


def test_a_ballots_csv_tie_is_disclosed_and_can_be_broken_by_a_declared_order():
    path = str(FIXTURES / "tied_with_receipts.csv")
    undecided = json.loads(tally("--ballots", path, "--format", "json"))
    broken = json.loads(tally("--ballots", path, "--format", "json", "--tie-break-order", "cat,ann,ben"))

    assert undecided["winners"] == []
    assert undecided["tie"] == {"candidates": ["ann", "ben", "cat"], "seats": 1}
    assert "tie_break" not in undecided
    assert broken["winners"] == ["cat"]
    assert "cat elected" in broken["tie_break"]["note"]


def test_the_json_output_has_the_documented_keys():
    data = json.loads(tally("--ballots", str(FIXTURES / "small_election.csv"), "--seats", "2", "--format", "json"))

    assert list(data) == ["candidates", "ballots", "ballots_sha256", "ranking", "winners", "tie", "pairwise",
                          "strongest_paths", "ballots_csv_sha256"]
    assert data["ballots_csv_sha256"] == hashlib.sha256((FIXTURES / "small_election.csv").read_bytes()).hexdigest()


def test_the_ballots_digest_does_not_depend_on_row_or_column_order(tmp_path):
    text = (FIXTURES / "small_election.csv").read_text().splitlines()
    header, rows = text[0].split(","), [line.split(",") for line in text[1:] if line]
    # Columns reversed, rows reversed: the same ballots.
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text("\n".join(",".join(r[::-1]) for r in [header, *rows[::-1]]) + "\n")
    fewer = tmp_path / "fewer.csv"
    fewer.write_text("\n".join(",".join(r) for r in [header, *rows[:-1]]) + "\n")

    def digest(path):
        return json.loads(tally("--ballots", str(path), "--format", "json"))["ballots_sha256"]

    assert digest(shuffled) == digest(FIXTURES / "small_election.csv")
    assert digest(fewer) != digest(FIXTURES / "small_election.csv")


def test_a_malformed_ballots_csv_names_the_row_and_column():
    with pytest.raises(CommandError, match="malformed_rank.csv: row 5, column 2: ben: 'x' is not a rank"):
        tally("--ballots", str(FIXTURES / "malformed_rank.csv"))


def test_a_missing_file_is_reported_plainly(tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*absent.csv: No such file"):
        tally("--ballots", str(tmp_path / "absent.csv"))


def test_either_an_election_or_a_file_is_required():
    with pytest.raises(CommandError, match="Give either an election key or --ballots"):
        tally()


def test_a_malformed_ballots_csv_exits_non_zero_from_the_command_line():
    completed = subprocess.run(
        [sys.executable, "manage.py", "tally", "--ballots", str(FIXTURES / "malformed_rank.csv")],
        cwd=REPO_ROOT, capture_output=True, text=True, env={"DEBUG": "1", "PATH": ""}, timeout=60,
    )

    assert completed.returncode == 1
    assert "row 5, column 2" in completed.stderr
    assert completed.stdout == ""


def test_it_reads_a_ballots_csv_from_standard_input(monkeypatch):
    monkeypatch.setattr("sys.stdin", StringIO("ann,ben\n1,2\n1,No opinion\n"))

    assert "Winners: ann" in tally("--ballots", "-")
