"""``meta_sync.check --against REF``: what merging the working tree into REF would change, election by election,
and the changes the site refuses or does not apply, judged from the state at REF (the site's until the merge)."""

import datetime as dt
import json
import subprocess
import sys

import pytest

from meta_sync.check import check_meta
from meta_sync.check.output import render_text
from tests.conftest import REPO_ROOT
from tests.meta_sync.conftest import git

NOW = dt.datetime(2030, 1, 15, tzinfo=dt.UTC)
RUNNING = {"start": "2030-01-01 00:00:00", "end": "2030-01-31 00:00:00"}
CLOSED = {"start": "2029-12-01 00:00:00", "end": "2030-01-10 00:00:00"}
UPCOMING = {"start": "2030-03-01 00:00:00", "end": "2030-03-31 00:00:00"}


@pytest.fixture
def repo(meta_repo):
    """The meta repository as a git working tree; ``repo.commit()`` records it and returns the commit."""
    git("init", "--initial-branch=main", cwd=meta_repo.root)

    def commit():
        git("add", "-A", cwd=meta_repo.root)
        git("commit", "--allow-empty", "-m", "change", cwd=meta_repo.root)
        return git("rev-parse", "HEAD", cwd=meta_repo.root).strip()

    meta_repo.commit = commit
    return meta_repo


def election(report, key):
    (found,) = [e for e in report.elections if e.key == key]
    return found


def problems(report, key, severity=None):
    return [(p.field, p.message) for p in election(report, key).problems
            if severity is None or report.severity(p) == severity]


def test_it_lists_voters_candidates_and_fields_that_change(repo):
    repo.add_election("e/2030", voters=("ann", "bob"), candidates=("alice", "bob"), **UPCOMING)
    ref = repo.commit()
    repo.write("e/2030/voters.yaml", "eligible_voters:\n  - bob\n  - cy\n  - dee\n")
    repo.remove("e/2030/candidate-bob.md")
    repo.edit("e/2030/candidate-alice.md", "A bio.", "A longer bio.")
    repo.write("e/2030/candidate-carol.md", repo.folder("e/2030/candidate-alice.md").read_text()
               .replace("ID: alice", "ID: carol"))
    repo.edit("e/2030/election.yaml", "end_datetime: 2030-03-31 00:00:00", "end_datetime: 2030-04-02 00:00:00")

    report = check_meta(repo.root, against=ref, now=NOW)

    changes = election(report, "e---2030").changes
    assert changes.status == "changed"
    assert changes.voters == {"added": ["cy", "dee"], "removed": ["ann"]}
    assert changes.candidates == {"added": ["carol"], "removed": ["bob"], "withdrawn": [],
                                  "changed": [{"id": "alice", "fields": ["bio"]}]}
    assert changes.fields == [{"field": "end_datetime", "before": "2030-03-31 00:00:00 UTC",
                               "after": "2030-04-02 00:00:00 UTC"}]
    assert report.exit_code == 0
    text = render_text(report)
    assert f"What the merge changes, against {ref}:" in text
    assert "    voters: +2 (cy, dee), -1 (ann)\n" in text
    assert "    end_datetime: 2030-03-31 00:00:00 UTC -> 2030-04-02 00:00:00 UTC\n" in text


def test_an_unchanged_tree_says_so(repo):
    repo.add_election("e/2030", **UPCOMING)
    ref = repo.commit()

    report = check_meta(repo.root, against=ref, now=NOW)

    assert election(report, "e---2030").changes.status == "unchanged"
    assert f"No election changes against {ref}." in render_text(report)


def test_moving_the_close_of_a_counted_election_later_is_an_error(repo):
    repo.add_election("e/2030", **CLOSED)
    repo.write("e/2030/results.md", "# Results\n\nAlice wins.\n")
    ref = repo.commit()
    repo.edit("e/2030/election.yaml", "end_datetime: 2030-01-10 00:00:00", "end_datetime: 2030-01-20 00:00:00")

    report = check_meta(repo.root, against=ref, now=NOW)

    ((field, message),) = problems(report, "e---2030", "error")
    assert field == "end_datetime" and "refuses to move the close of a counted election" in message
    assert [p.line for p in election(report, "e---2030").problems if p.field == "end_datetime"] == [4]
    assert report.exit_code == 1


def test_moving_the_close_of_a_closed_election_later_warns_that_an_opened_box_refuses_it(repo):
    repo.add_election("e/2030", **CLOSED)
    ref = repo.commit()
    repo.edit("e/2030/election.yaml", "end_datetime: 2030-01-10 00:00:00", "end_datetime: 2030-01-20 00:00:00")

    report = check_meta(repo.root, against=ref, now=NOW)

    assert [f for f, m in problems(report, "e---2030", "warning") if "if the ballot box was opened" in m] == [
        "end_datetime"]
    assert report.exit_code == 0


def test_changing_the_rules_of_a_closed_election_is_flagged(repo):
    repo.add_election("e/2030", **CLOSED)
    ref = repo.commit()
    repo.edit("e/2030/election.yaml", "no_winners: 1", "no_winners: 2")
    repo.edit("e/2030/candidate-alice.md", "employer: Example", "employer: Other")

    report = check_meta(repo.root, against=ref, now=NOW)

    flagged = [(p.path.rsplit("/", 1)[-1], p.field) for p in election(report, "e---2030").problems
               if "after voting closed" in p.message]
    assert flagged == [("election.yaml", "no_winners"), ("candidate-alice.md", "info")]


def test_a_candidate_removed_after_voting_began_is_withdrawn(repo):
    repo.add_election("e/2030", candidates=("alice", "bob"), **RUNNING)
    ref = repo.commit()
    repo.remove("e/2030/candidate-bob.md")

    report = check_meta(repo.root, against=ref, now=NOW)

    changes = election(report, "e---2030").changes
    assert (changes.candidates["removed"], changes.candidates["withdrawn"]) == ([], ["bob"])
    assert any("keeps the candidate, withdrawn" in m for _, m in problems(report, "e---2030", "warning"))


def test_officers_changed_after_voting_began_leave_a_threshold_box_as_it_was(repo):
    repo.add_election("e/2030", **RUNNING)
    repo.edit("e/2030/election.yaml", "  - officer-one\n", "  - officer-one\n  - officer-two\nballot_box:\n"
              "  officers_to_open: 2\n")
    ref = repo.commit()
    repo.edit("e/2030/election.yaml", "  - officer-two\n", "  - officer-three\n")

    report = check_meta(repo.root, against=ref, now=NOW)

    assert election(report, "e---2030").changes.officers == {"added": ["officer-three"], "removed": ["officer-two"]}
    assert [f for f, m in problems(report, "e---2030", "warning") if "keeps its custody" in m] == [
        "ballot_box.officers_to_open"]


def test_a_folder_moved_with_its_name_and_start_is_a_rename(repo):
    repo.add_election("steering/2030", **RUNNING)
    ref = repo.commit()
    git("mv", "elections/steering/2030", "elections/steering/2030-main", cwd=repo.root)

    report = check_meta(repo.root, against=ref, now=NOW)

    assert [e.key for e in report.elections] == ["steering---2030-main"]
    changes = election(report, "steering---2030-main").changes
    assert (changes.status, changes.renamed_from) == ("renamed", "steering---2030")


def test_a_folder_moved_with_its_name_changed_too_is_flagged(repo):
    repo.add_election("steering/2030", **RUNNING)
    ref = repo.commit()
    git("mv", "elections/steering/2030", "elections/steering/2030-main", cwd=repo.root)
    repo.edit("steering/2030-main/election.yaml", "name: Test Election", "name: Main Election")

    report = check_meta(repo.root, against=ref, now=NOW)

    assert election(report, "steering---2030-main").changes.status == "added"
    assert any("cannot tell it is the same election" in m for _, m in problems(report, "steering---2030-main"))
    removed = election(report, "steering---2030")
    assert removed.present is False and removed.changes.status == "removed"
    assert any("removed while voting is open" in m for _, m in problems(report, "steering---2030"))


def test_a_folder_name_with_three_dashes_imported_before_keeps_its_key(repo):
    repo.add_election("x---y/2030", **UPCOMING)
    ref = repo.commit()
    repo.add_election("a---b/2030", **UPCOMING)

    report = check_meta(repo.root, against=ref, now=NOW)

    assert [report.severity(p) for p in election(report, "x---y---2030").problems if "'---'" in p.message] == [
        "warning"]
    assert [report.severity(p) for p in election(report, "a---b---2030").problems if "'---'" in p.message] == [
        "error"]


def test_a_tree_that_did_not_exist_at_the_reference_is_all_added(repo):
    (repo.root / "README.md").write_text("Elections.\n")
    ref = repo.commit()
    repo.add_election("e/2030", **UPCOMING)

    report = check_meta(repo.root, against=ref, now=NOW)

    assert election(report, "e---2030").changes.status == "added"


def test_an_unknown_reference_is_an_error_that_says_what_to_fetch(repo):
    repo.add_election("e/2030", **UPCOMING)
    repo.commit()

    report = check_meta(repo.root, against="origin/main", now=NOW)

    assert report.exit_code == 1
    (problem,) = report.problems
    assert problem.field == "--against" and "fetch-depth" in problem.message


def test_one_folder_of_a_repository_is_compared_with_the_same_folder_at_the_reference(repo):
    repo.add_election("e/2030", voters=("ann",), **UPCOMING)
    ref = repo.commit()
    repo.write("e/2030/voters.yaml", "eligible_voters:\n  - ann\n  - bob\n")

    completed = subprocess.run([sys.executable, "-m", "meta_sync.check", "elections/e/2030", "--against", ref,
                                "--format", "json"], cwd=repo.root, capture_output=True, text=True, timeout=120,
                               env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)})

    data = json.loads(completed.stdout)
    assert data["against"] == ref
    (entry,) = data["elections"]
    assert (entry["path"], entry["changes"]["status"]) == ("elections/e/2030", "changed")
    assert entry["changes"]["voters"] == {"added": ["bob"], "removed": []}


def test_a_symbolic_link_at_the_reference_is_not_followed(repo):
    import os

    repo.add_election("e/2030", candidates=("alice",), **UPCOMING)
    os.symlink("/etc/passwd", repo.folder("e/2030/candidate-bob.md"))
    os.symlink("../../../..", repo.folder("e/2030/up"))
    ref = repo.commit()
    os.unlink(repo.folder("e/2030/candidate-bob.md"))
    os.unlink(repo.folder("e/2030/up"))

    report = check_meta(repo.root, against=ref, now=NOW)

    assert election(report, "e---2030").changes.status == "unchanged"
    assert report.exit_code == 0
