"""Charter rules in election.yaml (representation, seat_terms, disqualified) and the counted-election lock."""

import datetime as dt

import pytest
from django.utils import translation

from elections.audit import ELECTION_REOPEN
from elections.models import AuditEvent, Ballot, Election
from elections.officers.decisions import election_reopen
from meta_sync.parser import parse_election
from meta_sync.services import sync_meta
from tests.meta_sync.conftest import candidate_text

UTC = dt.UTC
AFTER_CLOSE = dt.datetime(2030, 3, 1, tzinfo=UTC)

KUBERNETES = """\
representation:
  field: employer
  max_per_organization: 2
  continuing:
    - {login: 0123, organization: Example Corp}
    - {login: carol, organization: " example corp "}
  same_organization:
    - [Example Corp, Example Cloud]
seat_terms:
  - {seats: 1, term: two years}
disqualified:
  - {candidate: ALICE, reason: Code of conduct violation}
"""


def _parse(meta_repo, extra, rel="club/2030"):
    folder = meta_repo.add_election(rel)
    meta_repo.write(f"{rel}/election.yaml", folder.joinpath("election.yaml").read_text() + extra)
    return parse_election(meta_repo.root, folder)


def test_the_charter_rules_are_read_with_logins_as_text_and_candidate_ids_as_written(meta_repo):
    election = _parse(meta_repo, KUBERNETES)

    assert election.ok, election.problems
    assert election.charter == {
        "representation": {
            "field": "employer", "max_per_organization": 2,
            "continuing": [{"login": "0123", "organization": "Example Corp"},
                           {"login": "carol", "organization": "example corp"}],
            "same_organization": [["Example Corp", "Example Cloud"]],
        },
        "seat_terms": [{"seats": 1, "term": "two years"}],
        "disqualified": [{"candidate": "alice", "reason": "Code of conduct violation"}],
    }


@pytest.mark.parametrize(("extra", "field", "message"), [
    ("representation:\n  max_per_organisation: 2\n", "representation.max_per_organisation", "unknown setting"),
    ("representation:\n  max_per_organization: 1\n  continuing:\n    - {login: a, organization: X}\n"
     "    - {login: b, organization: x}\n", "representation.continuing", "more than max_per_organization"),
    ("representation:\n  max_per_organization: 2\n  continuing:\n    - {login: alice, organization: X}\n",
     "representation.continuing[0].login", "'alice' is a candidate in this election"),
    ("seat_terms:\n  - {seats: 2, term: two years}\n", "seat_terms", "add up to 2 seats, but no_winners is 1"),
    ("disqualified:\n  - {candidate: zed, reason: r}\n", "disqualified[0].candidate", "no candidate 'zed'"),
    ("disqualified:\n  - {candidate: bob}\n", "disqualified[0].reason", "is required"),
])
def test_unknown_or_contradictory_rules_are_errors_naming_the_file_and_field(meta_repo, extra, field, message):
    election = _parse(meta_repo, extra)

    (problem,) = election.errors
    assert problem.path == "elections/club/2030/election.yaml"
    assert problem.field == field
    assert message in problem.message


def test_a_candidate_without_the_representation_field_is_warned_about(meta_repo):
    folder = meta_repo.add_election("club/2030")
    meta_repo.write("club/2030/candidate-bob.md", candidate_text("bob", employer='""'))
    meta_repo.write("club/2030/election.yaml", folder.joinpath("election.yaml").read_text()
                    + "representation:\n  max_per_organization: 1\n")

    election = parse_election(meta_repo.root, folder)

    assert election.ok
    assert [str(w) for w in election.warnings if w.field == "info"] == [
        "elections/club/2030/candidate-bob.md: info: no 'employer': this candidate never counts against the "
        "representation limit"]


def test_the_values_that_mean_no_organization_are_read_from_election_yaml(meta_repo):
    election = _parse(meta_repo, 'representation:\n  max_per_organization: 2\n'
                                 '  no_organization: [Independent, Self-employed, "-", ""]\n')

    assert election.ok, election.problems
    assert election.charter["representation"]["no_organization"] == ["Independent", "Self-employed", "-", ""]


def test_no_organization_must_be_a_list_of_values(meta_repo):
    election = _parse(meta_repo, "representation:\n  max_per_organization: 2\n  no_organization: Independent\n")

    (problem,) = election.errors
    assert problem.field == "representation.no_organization" and "must be a list" in problem.message


def test_the_sync_imports_the_rules(db, meta_repo):
    _parse(meta_repo, KUBERNETES)
    sync_meta(path=meta_repo.root, trigger="test", now=dt.datetime(2029, 1, 1, tzinfo=UTC))

    assert Election.objects.get(key="club---2030").charter["seat_terms"] == [{"seats": 1, "term": "two years"}]


# --- A counted election stays counted ---------------------------------------------------------------------------


def _counted(meta_repo):
    meta_repo.add_election("club/2030")
    sync_meta(path=meta_repo.root, trigger="test", now=AFTER_CLOSE)
    election = Election.objects.get(key="club---2030")
    Ballot.objects.create(election=election, ranks={"alice": 1, "bob": 2}, receipt="R1")
    meta_repo.edit("club/2030/election.yaml", "end_datetime: 2030-01-31 00:00:00", "end_datetime: 2030-04-30 00:00:00")
    return election


def test_the_sync_refuses_to_move_a_counted_elections_close_later(db, meta_repo):
    election = _counted(meta_repo)

    summary = sync_meta(path=meta_repo.root, trigger="test", now=AFTER_CLOSE)

    election.refresh_from_db()
    assert election.end_datetime == dt.datetime(2030, 1, 31, tzinfo=UTC)
    assert summary.exit_code == 1
    (error,) = summary.errors
    assert error["path"] == "elections/club/2030/election.yaml"
    assert error["message"].startswith("end_datetime: moved later (2030-01-31 00:00 UTC to 2030-04-30 00:00 UTC) "
                                       "after the election was counted")
    assert "an officer must first reopen the election" in election.sync_errors[0]


def test_a_published_result_locks_the_close_too(db, meta_repo):
    meta_repo.add_election("club/2030")
    meta_repo.write("club/2030/results.md", "# Results\n\nAlice won.\n")
    sync_meta(path=meta_repo.root, trigger="test", now=AFTER_CLOSE)
    meta_repo.edit("club/2030/election.yaml", "end_datetime: 2030-01-31 00:00:00", "end_datetime: 2030-04-30 00:00:00")

    assert sync_meta(path=meta_repo.root, trigger="test", now=AFTER_CLOSE).exit_code == 1


def test_moving_the_close_earlier_or_before_any_count_is_allowed(db, meta_repo):
    meta_repo.add_election("club/2030")
    sync_meta(path=meta_repo.root, trigger="test", now=AFTER_CLOSE)
    meta_repo.edit("club/2030/election.yaml", "end_datetime: 2030-01-31 00:00:00", "end_datetime: 2030-04-30 00:00:00")

    # Closed, but no ballot and no published result: nothing was counted.
    assert sync_meta(path=meta_repo.root, trigger="test", now=AFTER_CLOSE).exit_code == 0
    assert Election.objects.get(key="club---2030").end_datetime == dt.datetime(2030, 4, 30, tzinfo=UTC)


def test_officers_reopen_a_counted_election_once_and_it_is_audited(db, meta_repo):
    election = _counted(meta_repo)

    election_reopen(election=election, officer="Officer-One", reason="The voter roll missed a team", now=AFTER_CLOSE)
    summary = sync_meta(path=meta_repo.root, trigger="test", now=AFTER_CLOSE)

    election.refresh_from_db()
    assert summary.exit_code == 0
    assert election.end_datetime == dt.datetime(2030, 4, 30, tzinfo=UTC)
    assert election.reopened_at is None  # used up
    event = AuditEvent.objects.get(action=ELECTION_REOPEN)
    assert (event.actor, event.detail["reason"]) == ("officer-one", "The voter roll missed a team")
    # Counted again after the new close: the lock holds again.
    meta_repo.edit("club/2030/election.yaml", "end_datetime: 2030-04-30 00:00:00", "end_datetime: 2030-05-30 00:00:00")
    assert sync_meta(path=meta_repo.root, trigger="test", now=dt.datetime(2030, 5, 1, tzinfo=UTC)).exit_code == 1


def test_an_opened_ballot_box_cannot_be_reopened_for_voting(db, meta_repo):
    from django.core.exceptions import ValidationError

    from elections.models import BallotBox

    meta_repo.add_election("club/2030")
    sync_meta(path=meta_repo.root, trigger="test", now=AFTER_CLOSE)
    election = Election.objects.get(key="club---2030")
    BallotBox.objects.create(election=election, public_key=b"k" * 32, opened_at=AFTER_CLOSE, opened_by="officer-one")
    meta_repo.edit("club/2030/election.yaml", "end_datetime: 2030-01-31 00:00:00", "end_datetime: 2030-04-30 00:00:00")

    # Opened box: counted, so the close is locked...
    assert sync_meta(path=meta_repo.root, trigger="test", now=AFTER_CLOSE).exit_code == 1
    # ...and reopening is refused: its key is destroyed, so ballots cast now could never be counted.
    with translation.override("en"), pytest.raises(ValidationError, match="ballot box is opened and its key destroyed"):
        election_reopen(election=election, officer="officer-one", reason="late", now=AFTER_CLOSE)
    assert not AuditEvent.objects.filter(action=ELECTION_REOPEN).exists()
