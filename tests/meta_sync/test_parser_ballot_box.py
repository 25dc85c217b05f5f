"""``ballot_box: {officers_to_open: K}`` in election.yaml: threshold mode, read and checked by the parser."""

import pytest

from meta_sync.parser import parse_election

OFFICERS = "election_officers:\n  - officer-one\n"
THREE_OFFICERS = "election_officers:\n  - officer-one\n  - officer-two\n  - officer-three\n"


def _parse(meta_repo, ballot_box, officers=THREE_OFFICERS):
    folder = meta_repo.add_election("e")
    meta_repo.edit("e/election.yaml", OFFICERS, officers + ballot_box)
    return parse_election(meta_repo.root, folder)


def test_without_ballot_box_the_election_is_in_the_default_mode(meta_repo):
    election = parse_election(meta_repo.root, meta_repo.add_election("e"))
    assert election.ok
    assert election.officers_to_open is None


@pytest.mark.parametrize("k", [1, 2, 3])
def test_officers_to_open_from_one_to_the_number_of_officers_is_read(meta_repo, k):
    election = _parse(meta_repo, f"ballot_box:\n  officers_to_open: {k}\n")
    assert election.ok, election.problems
    assert election.officers_to_open == k


def test_the_flow_style_of_the_issue_is_read(meta_repo):
    election = _parse(meta_repo, "ballot_box: {officers_to_open: 2}\n")
    assert election.officers_to_open == 2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "must be from 1 to the number of election_officers (3), not 0"),
        ("4", "must be from 1 to the number of election_officers (3), not 4"),
        ("-1", "must be from 1 to the number of election_officers (3), not -1"),
        ("1.5", "must be a whole number of officers, not 1.5"),
        ("two", "must be a whole number of officers, not 'two'"),
        ("true", "must be a whole number of officers, not True"),
        ("[2]", "must be a whole number of officers, not [2]"),
        ("", "must be a whole number of officers, not None"),
    ],
)
def test_a_number_of_officers_that_cannot_be_is_an_error_naming_file_and_field(meta_repo, value, message):
    election = _parse(meta_repo, f"ballot_box:\n  officers_to_open: {value}\n")
    assert [str(p) for p in election.errors] == [
        f"elections/e/election.yaml: ballot_box.officers_to_open: {message}"
    ]
    assert election.officers_to_open is None


def test_the_count_of_officers_is_of_distinct_logins(meta_repo):
    twice = "election_officers:\n  - officer-one\n  - Officer-One\n"
    election = _parse(meta_repo, "ballot_box: {officers_to_open: 2}\n", officers=twice)
    assert [str(p) for p in election.errors] == [
        "elections/e/election.yaml: ballot_box.officers_to_open: must be from 1 to the number of "
        "election_officers (1), not 2"
    ]


def test_threshold_mode_without_officers_is_an_error(meta_repo):
    election = _parse(meta_repo, "ballot_box: {officers_to_open: 1}\n", officers="")
    assert "elections/e/election.yaml: ballot_box.officers_to_open: needs election_officers to share the key " \
           "among" in [str(p) for p in election.errors]


def test_an_unknown_key_in_ballot_box_is_an_error(meta_repo):
    election = _parse(meta_repo, "ballot_box:\n  officers_to_open: 2\n  officers_to_close: 1\n")
    assert [str(p) for p in election.errors] == [
        "elections/e/election.yaml: ballot_box.officers_to_close: unknown key (the only one is officers_to_open)"
    ]


@pytest.mark.parametrize("value", ["2", "[officers_to_open, 2]", "", "{}"])
def test_ballot_box_that_is_not_a_map_with_officers_to_open_is_an_error(meta_repo, value):
    election = _parse(meta_repo, f"ballot_box: {value}\n")
    assert not election.ok
    assert all(p.field.startswith("ballot_box") for p in election.errors)
    assert election.officers_to_open is None


def test_changing_officers_to_open_changes_the_content_hash(meta_repo):
    one = _parse(meta_repo, "ballot_box: {officers_to_open: 1}\n").content_hash()
    meta_repo.remove("e")
    two = _parse(meta_repo, "ballot_box: {officers_to_open: 2}\n").content_hash()
    assert one != two
