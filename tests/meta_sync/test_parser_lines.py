"""The parser says on which line of its file each problem is written, and reads the rules an election declares for
its candidates' bios (``bio:``), which the import stores nothing of."""

from meta_sync.parser import ERROR, WARNING, parse_election


def problems_of(election, path_end):
    return [p for p in election.problems if p.path.endswith(path_end)]


def test_a_problem_in_election_yaml_names_the_line_of_its_field(meta_repo):
    folder = meta_repo.add_election("e/2030")
    meta_repo.edit("e/2030/election.yaml", "no_winners: 1", "no_winners: 0")

    election = parse_election(meta_repo.root, folder)

    (problem,) = problems_of(election, "election.yaml")
    assert (problem.field, problem.severity, problem.line) == ("no_winners", ERROR, 5)


def test_a_nested_field_has_its_own_line_and_a_deeper_one_its_parents(meta_repo):
    folder = meta_repo.add_election("e/2030")
    meta_repo.edit("e/2030/election.yaml", "eligibility:", "ballot_box:\n  officers_to_open: 5\neligibility:")
    meta_repo.edit("e/2030/election.yaml", "exception_due:", "representation:\n  max_per_organization: 1\n"
                   "  continuing:\n    - login: alice\n      organization: Example\nexception_due:")

    election = parse_election(meta_repo.root, folder)

    lines = {p.field: p.line for p in problems_of(election, "election.yaml")}
    assert lines["ballot_box.officers_to_open"] == 13
    # Lines are recorded two levels deep: representation.continuing[0].login is on the line of continuing:.
    assert lines["representation.continuing[0].login"] == 18


def test_a_yaml_error_names_its_line(meta_repo):
    folder = meta_repo.add_election("e/2030")
    meta_repo.edit("e/2030/election.yaml", "eligibility: Members.", "eligibility: [Members.")

    election = parse_election(meta_repo.root, folder)

    (problem,) = problems_of(election, "election.yaml")
    assert problem.severity == ERROR and problem.line is not None and problem.line >= 12
    assert f"(line {problem.line})" in problem.message


def test_a_candidate_header_problem_counts_lines_from_the_top_of_the_file(meta_repo):
    folder = meta_repo.add_election("e/2030", candidates=())
    meta_repo.write("e/2030/candidate-alice.md", "\n\n---\nname: Alice\nID: alicia\n---\nBio.\n")

    election = parse_election(meta_repo.root, folder)

    (problem,) = problems_of(election, "candidate-alice.md")
    assert (problem.field, problem.severity, problem.line) == ("ID", WARNING, 5)
    (candidate,) = election.candidates
    assert (candidate.header_dashes, candidate.bio_line) == (3, 7)


def test_a_roll_problem_points_at_its_first_entry_whichever_way_the_roll_is_read(meta_repo):
    folder = meta_repo.add_election("e/2030", voters=("alice", "ALICE"))
    meta_repo.write("e/2030/voters.yaml", "# the roll\n\neligible_voters:\n  - alice\n  - ALICE\n")
    plain = parse_election(meta_repo.root, folder)
    meta_repo.write("e/2030/voters.yaml", "# the roll\n\neligible_voters: [alice, ALICE]\n")
    flow = parse_election(meta_repo.root, folder)

    assert [p.line for p in problems_of(plain, "voters.yaml")] == [5]
    assert [p.line for p in problems_of(flow, "voters.yaml")] == [3]


def test_an_officers_problem_points_at_its_entry(meta_repo):
    folder = meta_repo.add_election("e/2030")
    meta_repo.edit("e/2030/election.yaml", "  - officer-one\n", "  - officer-one\n  - olga@example.org\n")

    election = parse_election(meta_repo.root, folder)

    (problem,) = problems_of(election, "election.yaml")
    assert (problem.field, problem.line) == ("election_officers", 12)
    assert "e-mail address" in problem.message


def test_bio_rules_are_read_from_election_yaml(meta_repo):
    folder = meta_repo.add_election("e/2030")
    meta_repo.edit("e/2030/election.yaml", "eligibility:", "bio:\n  max_words: 450\n  recommended_words: '300'\n"
                   "  required_sections:\n    - '## About Me'\n    - '## Platform'\neligibility:")

    election = parse_election(meta_repo.root, folder)

    assert election.ok and not problems_of(election, "election.yaml")
    assert election.bio_rules == {"max_words": 450, "recommended_words": 300,
                                  "required_sections": ["## About Me", "## Platform"]}


def test_bio_rules_that_cannot_be_read_are_errors_on_their_lines(meta_repo):
    folder = meta_repo.add_election("e/2030")
    meta_repo.edit("e/2030/election.yaml", "eligibility:", "bio:\n  max_words: many\n  recommended_words: 0\n"
                   "  required_sections: {About: Me}\n  min_words: 10\neligibility:")

    election = parse_election(meta_repo.root, folder)

    found = {(p.field, p.line) for p in problems_of(election, "election.yaml") if p.severity == ERROR}
    assert found == {("bio.max_words", 13), ("bio.recommended_words", 14), ("bio.required_sections", 15),
                     ("bio.min_words", 16)}


def test_recommended_words_above_the_maximum_is_an_error(meta_repo):
    folder = meta_repo.add_election("e/2030")
    meta_repo.edit("e/2030/election.yaml", "eligibility:", "bio: {max_words: 300, recommended_words: 450}\n"
                   "eligibility:")

    election = parse_election(meta_repo.root, folder)

    assert [p.field for p in election.errors] == ["bio.recommended_words"]


def test_bio_rules_are_no_part_of_what_the_import_stores(meta_repo):
    folder = meta_repo.add_election("e/2030")
    before = parse_election(meta_repo.root, folder)
    meta_repo.edit("e/2030/election.yaml", "eligibility:", "bio: {max_words: 450}\neligibility:")
    after = parse_election(meta_repo.root, folder)

    assert after.bio_rules["max_words"] == 450
    assert after.content_hash() == before.content_hash()
