"""The meta-format parser: plain Python, tested without a database."""

import datetime as dt
import subprocess
import sys

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meta_sync.parser import (
    ERROR,
    WARNING,
    Problem,
    parse_datetime,
    parse_election,
    parse_meta_tree,
    split_candidate_text,
)
from tests.conftest import REPO_ROOT

from .conftest import IRREGULAR, MetaRepo, candidate_text

UTC = dt.UTC


def _club():
    tree = parse_meta_tree(IRREGULAR, "elections")
    return {e.key: e for e in tree.elections}


def _problems(election, severity):
    return [str(p) for p in election.problems if p.severity == severity]


def test_the_parser_imports_without_django():
    code = ("import importlib, pkgutil, sys, meta_sync.parser\n"
            "for module in pkgutil.iter_modules(meta_sync.parser.__path__, 'meta_sync.parser.'):\n"
            "    importlib.import_module(module.name)\n"
            "sys.exit(1 if any(m.startswith('django') for m in sys.modules) else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr or "meta_sync.parser imported Django"


def test_elections_are_found_at_any_depth_and_other_folders_are_ignored():
    tree = parse_meta_tree(IRREGULAR, "elections")
    assert tree.ok
    assert [(e.key, e.path) for e in tree.elections] == [
        ("club---2025", "elections/club/2025"),
        ("club---no-voters", "elections/club/no-voters"),
    ]


def test_naive_datetimes_are_utc_and_trailing_comments_are_ignored():
    club = _club()["club---2025"]
    assert club.name == "Club Board Election 2025"
    assert club.start_datetime == dt.datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_a_date_only_end_lasts_the_whole_day_and_a_date_only_start_begins_at_midnight():
    elections = _club()
    assert elections["club---2025"].end_datetime == dt.datetime(2025, 3, 15, 23, 59, 59, tzinfo=UTC)
    assert elections["club---no-voters"].start_datetime == dt.datetime(2030, 1, 1, tzinfo=UTC)


def test_explicit_offsets_are_converted_to_utc():
    assert _club()["club---2025"].exception_due == dt.datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
    assert parse_datetime("2024-08-27T00:00:01Z") == dt.datetime(2024, 8, 27, 0, 0, 1, tzinfo=UTC)


def test_exceptions_due_is_read_as_exception_due_with_a_warning():
    assert "elections/club/2025/election.yaml: exceptions_due: read as exception_due (the documented spelling)" \
        in _problems(_club()["club---2025"], WARNING)


def test_unknown_keys_are_ignored_with_a_warning():
    assert "elections/club/2025/election.yaml: colour: unknown key, ignored" in _problems(_club()["club---2025"],
                                                                                          WARNING)


def test_logins_are_strings_compared_case_insensitively():
    club = _club()["club---2025"]
    # 0123 would be the octal number 83 to a plain YAML 1.1 reader; 42 would be an integer.
    assert club.voters == ["0123", "42", "alice", "bob", "carol"]
    assert club.officers == ["0123", "alice-officer"]
    assert any("eligible_voters: 2 login(s) listed more than once" in w for w in _problems(club, WARNING))


def test_candidate_headers_with_tabs_blank_lines_and_uneven_dashes_are_read():
    alice = next(c for c in _club()["club---2025"].candidates if c.candidate_id == "alice")
    assert alice.name == "Alice Example"
    assert alice.info == {"employer": "Example Inc", "slack": "alice"}


def test_a_bio_containing_dash_lines_and_tables_is_kept_whole():
    alice = next(c for c in _club()["club---2025"].candidates if c.candidate_id == "alice")
    assert alice.bio.startswith("## Why me")
    assert "|------|------|" in alice.bio
    assert "\n---\n" in alice.bio
    assert alice.bio.endswith("all part of the bio.")


def test_info_values_are_text_and_missing_info_is_empty():
    candidates = {c.candidate_id: c for c in _club()["club---2025"].candidates}
    assert candidates["carol"].info == {"employer": "1999", "slack": "carol"}
    assert candidates["Robert"].info == {}


def test_the_id_wins_over_a_mismatched_file_name_with_a_warning():
    club = _club()["club---2025"]
    assert [c.candidate_id for c in club.candidates] == ["alice", "carol", "Robert"]
    assert "elections/club/2025/candidate-bob.md: ID: 'Robert' does not match the file name; the ID is used" \
        in _problems(club, WARNING)


def test_a_missing_voter_roll_and_description_are_warnings_not_errors():
    election = _club()["club---no-voters"]
    assert election.ok
    assert election.voters == []
    assert _problems(election, WARNING) == [
        "elections/club/no-voters/voters.yaml: missing: no one is eligible to vote",
        "elections/club/no-voters/election_desc.md: missing: the election has no description",
    ]
    assert election.results == ""


def test_show_candidate_fields_may_be_absent_null_or_a_list_of_null(meta_repo):
    for value, expected in [("", []), ("\n  - \n", []), (" [null]", []), ("\n  - employer\n  - 7", ["employer", "7"])]:
        folder = meta_repo.add_election("e")
        meta_repo.edit("e/election.yaml", "show_candidate_fields:\n  - employer\n",
                       f"show_candidate_fields:{value}\n")
        election = parse_election(meta_repo.root, folder)
        assert election.ok, election.problems
        assert election.show_candidate_fields == expected
        meta_repo.remove("e")


def test_a_tie_break_map_is_kept_as_given():
    assert _club()["club---2025"].tie_break == {"order": ["carol", "alice", "Robert"]}


def _error_for(meta_repo, old, new, rel="e/election.yaml"):
    folder = meta_repo.add_election("e")
    meta_repo.edit(rel, old, new)
    election = parse_election(meta_repo.root, folder)
    return [str(p) for p in election.errors]


def test_end_before_start_is_an_error_naming_file_and_field(meta_repo):
    assert _error_for(meta_repo, "end_datetime: 2030-01-31 00:00:00", "end_datetime: 2029-12-31 00:00:00") == [
        "elections/e/election.yaml: end_datetime: must be after start_datetime"
    ]


def test_missing_required_keys_are_errors(meta_repo):
    errors = _error_for(meta_repo, "name: Test Election\n", "")
    assert errors == ["elections/e/election.yaml: name: is required"]
    meta_repo.remove("e")
    errors = _error_for(meta_repo, "start_datetime: 2030-01-01 00:00:00\n", "")
    assert errors == ["elections/e/election.yaml: start_datetime: is required"]
    meta_repo.remove("e")
    errors = _error_for(meta_repo, "end_datetime: 2030-01-31 00:00:00\n", "")
    assert errors == ["elections/e/election.yaml: end_datetime: is required"]


def test_fewer_than_one_seat_is_an_error(meta_repo):
    assert _error_for(meta_repo, "no_winners: 1", "no_winners: 0") == [
        "elections/e/election.yaml: no_winners: must be at least 1"
    ]


def test_unreadable_yaml_is_an_error_with_its_line(meta_repo):
    errors = _error_for(meta_repo, "organization: Example", "organization: [unclosed")
    assert len(errors) == 1 and errors[0].startswith("elections/e/election.yaml: unreadable YAML (line ")


def test_duplicate_candidate_ids_are_an_error_even_in_another_case(meta_repo):
    folder = meta_repo.add_election("e", candidates=("alice",))
    meta_repo.write("e/candidate-alice2.md", candidate_text("ALICE"))
    errors = [str(p) for p in parse_election(meta_repo.root, folder).errors]
    assert errors == ["elections/e/candidate-alice2.md: ID: duplicate candidate ID 'ALICE' "
                      "(also in elections/e/candidate-alice.md)"]


def test_a_candidate_file_without_a_header_is_an_error(meta_repo):
    folder = meta_repo.add_election("e", candidates=())
    meta_repo.write("e/candidate-dave.md", "Just a bio, no header.\n")
    assert [str(p) for p in parse_election(meta_repo.root, folder).errors] == [
        "elections/e/candidate-dave.md: no header: the file must start with a line of dashes, the name, ID and "
        "info, and another line of dashes"
    ]


def test_only_safe_yaml_loading_is_used(meta_repo, tmp_path):
    marker = tmp_path / "pwned"
    folder = meta_repo.add_election("e")
    meta_repo.edit("e/election.yaml", "organization: Example",
                   f"organization: !!python/object/apply:os.system ['touch {marker}']")
    election = parse_election(meta_repo.root, folder)
    assert not marker.exists()
    assert [p.path for p in election.errors] == ["elections/e/election.yaml"]


def test_the_parser_handles_the_real_header_shapes():
    assert split_candidate_text("\n---\nID: a\n-----\nbio\n---\nmore") == ("ID: a", "bio\n---\nmore")
    assert split_candidate_text("no header") is None
    assert split_candidate_text("---\nID: a\nnever closed") is None


# Property tests: whatever officers write, the parser reports problems and never raises.

yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
    st.text(max_size=20), st.dates().map(str), st.datetimes().map(str),
)
yaml_values = st.recursive(yaml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=8)
KEYS = ["name", "organization", "start_datetime", "end_datetime", "no_winners", "allow_no_opinion",
        "delete_after", "show_candidate_fields", "election_officers", "eligibility", "exception_description",
        "exception_due", "exceptions_due", "tie_break", "other"]
raw_text = st.text(alphabet=st.sampled_from(list("-: \t\n[]{}#!&*|>'\"%@`abcID0123")), max_size=120)


def _check(election):
    for problem in election.problems:
        assert isinstance(problem, Problem) and problem.severity in (ERROR, WARNING)
        assert problem.path.startswith("elections/")
    if election.ok:
        assert election.name and election.start_datetime < election.end_datetime and election.no_winners >= 1
    election.content_hash()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.dictionaries(st.sampled_from(KEYS), yaml_values, max_size=10))
def test_any_election_yaml_values_give_problems_not_exceptions(tmp_path, values):
    repo = MetaRepo(tmp_path / "h")
    folder = repo.add_election("e")
    repo.write("e/election.yaml", yaml.safe_dump(values, allow_unicode=True))
    _check(parse_election(repo.root, folder))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    election_yaml=raw_text, voters=raw_text, candidate=raw_text,
    voters_value=yaml_values, info=yaml_values,
)
def test_any_file_layout_gives_problems_not_exceptions(tmp_path, election_yaml, voters, candidate, voters_value,
                                                       info):
    repo = MetaRepo(tmp_path / "h")
    folder = repo.add_election("e")
    _check(parse_election(repo.root, folder))
    repo.write("e/voters.yaml", yaml.safe_dump({"eligible_voters": voters_value}))
    repo.write("e/candidate-x.md", "---\n" + yaml.safe_dump({"name": "X", "ID": "x", "info": info}) + "---\nbio")
    _check(parse_election(repo.root, folder))
    repo.write("e/voters.yaml", voters)
    repo.write("e/candidate-y.md", candidate)
    repo.write("e/candidate-z.md", "---\n" + candidate + "\n---\n")
    _check(parse_election(repo.root, folder))
    repo.write("e/election.yaml", election_yaml)
    _check(parse_election(repo.root, folder))
    (folder / "election_desc.md").write_bytes(b"\xff\xfe not utf-8")
    _check(parse_election(repo.root, folder))


def test_a_folder_path_too_long_for_a_key_is_an_error(meta_repo):
    rel = "/".join(["a" * 60] * 5)
    folder = meta_repo.add_election(rel)
    election = parse_election(meta_repo.root, folder)
    assert [p.text for p in election.errors] == [
        "the folder path is too long for an election key (at most 255 characters)"]
