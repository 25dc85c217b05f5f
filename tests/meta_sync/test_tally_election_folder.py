"""``manage.py tally --ballots FILE.csv --election-folder DIR``: a published ballots.csv recounted as its election
folder declares (seats, tie-break, charter rules, candidates' profiles), from the meta repository alone."""

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.meta_sync.conftest import candidate_text

REPRESENTATION = """\
representation:
  field: employer
  max_per_organization: 1
"""


def tally(*args):
    out = StringIO()
    call_command("tally", *args, stdout=out)
    return out.getvalue()


def club(meta_repo, extra="", seats=2):
    """Alice and Bob work for Acme, Carol for Globex; every voter ranks Alice, then Bob, then Carol."""
    folder = meta_repo.add_election("club/2030", candidates=())
    employers = {"alice": "Acme", "bob": "Acme", "carol": "Globex"}
    for candidate_id, employer in employers.items():
        meta_repo.write(f"club/2030/candidate-{candidate_id}.md",
                        candidate_text(candidate_id, name=f"{candidate_id.title()} Person", employer=employer))
    yaml = folder.joinpath("election.yaml").read_text().replace("no_winners: 1", f"no_winners: {seats}")
    meta_repo.write("club/2030/election.yaml", yaml + extra)
    ballots = folder / "ballots.csv"
    ballots.write_text("alice,bob,carol\n" + "1,2,3\n" * 5)
    return folder, ballots


def test_the_folder_gives_the_seats_and_the_charter_rules(meta_repo):
    folder, ballots = club(meta_repo, REPRESENTATION)

    plain = json.loads(tally("--ballots", str(ballots), "--seats", "2", "--format", "json"))
    declared = json.loads(tally("--ballots", str(ballots), "--election-folder", str(folder), "--format", "json"))

    assert plain["winners"] == ["alice", "bob"]
    # At most one seat per employer: Bob's goes to Carol, as the site itself would count.
    assert declared["winners"] == ["alice", "carol"]
    text = tally("--ballots", str(ballots), "--election-folder", str(folder))
    assert "Seats: 2" in text and "Charter rules:" in text


def test_the_folder_gives_the_tie_break_and_the_draft_results_heading(meta_repo):
    folder, ballots = club(meta_repo, "tie_break:\n  order: [carol, bob, alice]\n", seats=1)
    ballots.write_text("alice,bob,carol\n1,2,3\n2,1,3\n")  # Alice and Bob tie for the one seat

    declared = json.loads(tally("--ballots", str(ballots), "--election-folder", str(folder), "--format", "json"))
    assert declared["winners"] == ["bob"]
    markdown = tally("--ballots", str(ballots), "--election-folder", str(folder), "--format", "markdown")
    assert "Test Election" in markdown and "Bob Person" in markdown


@pytest.mark.parametrize("args, message", [
    (["--seats", "2"], "--seats and --tie-break-* cannot go with --election-folder"),
    (["--tie-break-seed", "x"], "--seats and --tie-break-* cannot go with --election-folder"),
])
def test_seats_and_tie_break_come_from_the_folder_only(meta_repo, args, message):
    folder, ballots = club(meta_repo)
    with pytest.raises(CommandError, match=re.escape(message)):
        tally("--ballots", str(ballots), "--election-folder", str(folder), *args)


def test_a_folder_without_ballots_or_election_or_with_other_candidates_is_refused(meta_repo, tmp_path):
    folder, ballots = club(meta_repo)
    with pytest.raises(CommandError, match="--election-folder goes with --ballots"):
        tally("--election-folder", str(folder))
    with pytest.raises(CommandError, match="holds no election.yaml"):
        tally("--ballots", str(ballots), "--election-folder", str(tmp_path))
    other = tmp_path / "other.csv"
    other.write_text("alice,mallory\n1,2\n")
    with pytest.raises(CommandError, match="without a profile in .*: mallory"):
        tally("--ballots", str(other), "--election-folder", str(folder))
    meta_repo.write("club/2030/election.yaml", "name: [unclosed\n")
    with pytest.raises(CommandError, match="cannot be read as an election:\n  2030/election.yaml"):
        tally("--ballots", str(ballots), "--election-folder", str(folder))
