"""``meta_sync.check`` on a tree of broken elections: each rule is found, in its file, on its line, with the
severity the checks promise (an error is what the import refuses or a breach of the election's own ``bio:``
rules; anything else is a warning)."""

import datetime as dt
import os

import pytest

from meta_sync.check import BioRules, check_meta
from meta_sync.check.rules import bio_word_count, has_section
from meta_sync.parser import MAX_FILE_BYTES, parse_election
from tests.meta_sync.conftest import candidate_text

NOW = dt.datetime(2030, 1, 15, tzinfo=dt.UTC)
DASHES = "-" * 61


def header(lines, dashes=DASHES):
    return f"{dashes}\n" + "".join(f"{line}\n" for line in lines) + f"{dashes}\n"


def words(count):
    return " ".join(f"word{i}" for i in range(count))


def found(report, path_end):
    return [(report.severity(p), p.field, p.line) for _, p in report.all_problems() if p.path.endswith(path_end)]


def messages(report, path_end):
    return " | ".join(p.message for _, p in report.all_problems() if p.path.endswith(path_end))


@pytest.fixture
def broken(meta_repo):
    """One election per rule, each breaking it once."""
    repo = meta_repo
    repo.add_election("dates/2099", start="2099-02-01 00:00:00", end="2099-01-01 00:00:00")
    repo.add_election("late-exceptions/2030")
    repo.edit("late-exceptions/2030/election.yaml", "exception_due: 2030-01-01 00:00:00", "exception_due: 2030-03-01")
    repo.add_election("unreadable/2030")
    repo.edit("unreadable/2030/election.yaml", "eligibility: Members.", "eligibility: [Members.")
    repo.add_election("anchors/2030")
    repo.edit("anchors/2030/election.yaml", "eligibility: Members.", "eligibility: &e Members.\nextra: *e")
    repo.add_election("seats/2030")
    repo.edit("seats/2030/election.yaml", "no_winners: 1", "no_winners: 2")
    repo.add_election("charter/2030")
    repo.edit("charter/2030/election.yaml", "exception_due:", "disqualified:\n  - candidate: zed\n"
              "    reason: Not running.\nexception_due:")
    repo.add_election("box/2030")
    repo.edit("box/2030/election.yaml", "eligibility:", "ballot_box:\n  officers_to_open: 3\neligibility:")
    repo.add_election("roll/2030", voters=("alice", "Alice", "not a login", "ann@example.org", "officer-one"))
    repo.add_election("roll-shape/2030")
    repo.write("roll-shape/2030/voters.yaml", "voters:\n  - alice\n")
    repo.add_election("x---y/2030")
    repo.add_election("near-misses/2030")
    repo.write("near-misses/2030/voters.yml", "eligible_voters:\n  - alice\n")
    repo.write("near-misses/2030/candidates-hal.md", candidate_text("hal"))
    repo.write("near-misses/2030/bios/candidate-gus.md", candidate_text("gus"))
    repo.write("near-misses/2030/Candidate-ida.md", candidate_text("ida"))

    repo.add_election("candidates/2030", candidates=("ann",))
    repo.write("candidates/2030/candidate-ann.md", header(["name: Ann", "ID: ann", "info:", "  - employer: X"])
               + "\nA bio.\n")
    repo.write("candidates/2030/candidate-bob.md", header(["name: Bob", "ID: robert", "info:", "  - employer: X"]))
    repo.write("candidates/2030/candidate-cy.md", "name: Cy\nID: cy\n")
    repo.write("candidates/2030/candidate-dee.md", header(["info:", "  - employer: X"], dashes="-" * 60))
    repo.write("candidates/2030/candidate-eve.md", header(["name: Eve", "ID: eve", "info:", "  - slack: eve"]))
    repo.write("candidates/2030/candidate-fay.md", header(["name: Fay", "ID: ANN", "info:", "  - employer: X"]))
    repo.write("candidates/2030/candidate-x y.md", header(["name: X Y", "info:", "  - employer: X"]))

    repo.add_election("bios/2030", candidates=())
    repo.edit("bios/2030/election.yaml", "eligibility:", "bio:\n  max_words: 20\n  recommended_words: 10\n"
              "  required_sections: ['## About Me']\neligibility:")
    about = "## About Me\n\n"
    repo.write("bios/2030/candidate-ok.md", candidate_text("ok", bio=about + words(5)))
    repo.write("bios/2030/candidate-long.md", candidate_text("long", bio=about + words(25)))
    repo.write("bios/2030/candidate-wordy.md", candidate_text("wordy", bio=about + words(15)))
    repo.write("bios/2030/candidate-nosection.md", candidate_text("nosection", bio="## About me, briefly\n\nHi."))
    repo.add_election("bio-rules/2030")
    repo.edit("bio-rules/2030/election.yaml", "eligibility:", "bio: {max_words: lots}\neligibility:")
    return repo


def test_dates_the_import_refuses_are_errors_and_a_late_exception_deadline_a_warning(broken):
    report = check_meta(broken.root, now=NOW)

    # Its exception deadline (the start) comes after its close too.
    assert found(report, "dates/2099/election.yaml") == [("error", "end_datetime", 4),
                                                         ("warning", "exception_due", 14)]
    assert found(report, "late-exceptions/2030/election.yaml") == [("warning", "exception_due", 14)]
    assert "after the close" in messages(report, "late-exceptions/2030/election.yaml")


def test_unreadable_yaml_and_anchors_are_errors_on_their_lines(broken):
    report = check_meta(broken.root, now=NOW)

    assert found(report, "unreadable/2030/election.yaml") == [("error", "", 13)]
    assert found(report, "anchors/2030/election.yaml") == [("error", "", 12)]
    assert "anchors and aliases" in messages(report, "anchors/2030/election.yaml")


def test_as_many_seats_as_candidates_is_a_warning(broken):
    report = check_meta(broken.root, now=NOW)

    assert found(report, "seats/2030/election.yaml") == [("warning", "no_winners", 5)]


def test_charter_rules_must_name_this_elections_candidates(broken):
    report = check_meta(broken.root, now=NOW)

    assert found(report, "charter/2030/election.yaml") == [("error", "disqualified[0].candidate", 15)]


def test_a_ballot_box_needing_more_officers_than_listed_is_an_error(broken):
    report = check_meta(broken.root, now=NOW)

    assert found(report, "box/2030/election.yaml") == [("error", "ballot_box.officers_to_open", 13)]


def test_roll_problems_are_warnings_and_an_email_address_is_named_as_such(broken):
    report = check_meta(broken.root, now=NOW)

    # Each on the line of its first entry: Alice (again), "not a login", the address.
    assert sorted(found(report, "roll/2030/voters.yaml")) == [("warning", "eligible_voters", 3),
                                                             ("warning", "eligible_voters", 4),
                                                             ("warning", "eligible_voters", 5)]
    text = messages(report, "roll/2030/voters.yaml")
    assert "listed more than once (case-insensitive): alice" in text
    assert "not GitHub logins, ignored: 'not a login'" in text
    assert "e-mail address(es) where GitHub logins belong, ignored: 'ann@example.org'" in text
    assert found(report, "roll/2030/election.yaml") == [("warning", "election_officers", 10)]
    assert "officer-one" in messages(report, "roll/2030/election.yaml")


def test_a_roll_without_eligible_voters_is_an_error(broken):
    report = check_meta(broken.root, now=NOW)

    assert found(report, "roll-shape/2030/voters.yaml") == [("error", "eligible_voters", None)]


def test_a_new_folder_whose_name_holds_three_dashes_is_refused(broken):
    report = check_meta(broken.root, now=NOW)

    assert found(report, "elections/x---y/2030") == [("error", "", None)]


def test_files_the_import_never_reads_are_named(broken):
    report = check_meta(broken.root, now=NOW)

    for path in ("near-misses/2030/voters.yml", "near-misses/2030/candidates-hal.md",
                 "near-misses/2030/bios/candidate-gus.md", "near-misses/2030/Candidate-ida.md"):
        assert found(report, path) == [("warning", "", None)], path
        assert "never read" in messages(report, path)


def test_candidate_files_as_elektos_validator_checks_them_with_the_imports_severity(broken):
    report = check_meta(broken.root, now=NOW)

    assert found(report, "candidate-ann.md") == []
    # A file named other than its ID, a missing name or ID, another dash count, a shown field missing: the
    # import reads each of them, so they are warnings.
    assert found(report, "candidate-bob.md") == [("warning", "ID", 3)]
    assert sorted(found(report, "candidate-dee.md")) == [("warning", "", 1), ("warning", "ID", 1),
                                                         ("warning", "name", 1)]
    assert "60 dashes" in messages(report, "candidate-dee.md")
    assert found(report, "candidate-eve.md") == [("warning", "info", 4)]
    assert "no 'employer'" in messages(report, "candidate-eve.md")
    # No header, a duplicate ID, an ID that is not one: the import refuses the election.
    assert found(report, "candidate-cy.md") == [("error", "", 1)]
    assert found(report, "candidate-fay.md") == [("warning", "ID", 3), ("error", "ID", 3)]
    assert ("error", "ID", None) in found(report, "candidate-x y.md")


def test_bios_break_the_rules_their_election_declares(broken):
    report = check_meta(broken.root, now=NOW)

    assert found(report, "candidate-ok.md") == []
    assert found(report, "candidate-long.md") == [("error", "", 8)]
    assert "28 words, more than the 20" in messages(report, "candidate-long.md")
    assert found(report, "candidate-wordy.md") == [("warning", "", 8)]
    assert "18 words, more than the 10 recommended" in messages(report, "candidate-wordy.md")
    assert found(report, "candidate-nosection.md") == [("error", "", 8)]
    assert "no section '## About Me'" in messages(report, "candidate-nosection.md")


def test_bio_rules_that_cannot_be_read_are_errors(broken):
    report = check_meta(broken.root, now=NOW)

    assert found(report, "bio-rules/2030/election.yaml") == [("error", "bio.max_words", 12)]


def test_rules_given_as_flags_hold_where_an_election_declares_none(broken):
    rules = BioRules(max_words=3, required_sections=("## Platform",))
    report = check_meta(broken.root, now=NOW, bio=rules)

    # seats/2030's bios ("A bio.") are 2 words, without the section.
    assert [(s, f) for s, f, _ in found(report, "seats/2030/candidate-alice.md")] == [("error", "")]
    assert "no section '## Platform'" in messages(report, "seats/2030/candidate-alice.md")
    # bios/2030 declares its own: its 20 words and its section take the place of the flags.
    assert found(report, "candidate-ok.md") == []


def test_every_broken_election_is_found_and_the_report_fails(broken):
    report = check_meta(broken.root, now=NOW)

    with_errors = {e.key for e in report.elections if any(report.severity(p) == "error" for p in e.problems)}
    assert with_errors == {"dates---2099", "unreadable---2030", "anchors---2030", "charter---2030", "box---2030",
                           "roll-shape---2030", "x---y---2030", "candidates---2030", "bios---2030",
                           "bio-rules---2030"}
    assert report.exit_code == 1


def test_strict_makes_every_warning_an_error(meta_repo):
    meta_repo.add_election("seats/2030")
    meta_repo.edit("seats/2030/election.yaml", "no_winners: 1", "no_winners: 2")

    assert check_meta(meta_repo.root, now=NOW).exit_code == 0
    strict = check_meta(meta_repo.root, now=NOW, strict=True)
    assert strict.exit_code == 1 and strict.warning_count == 0 and strict.error_count > 0


def test_symbolic_links_and_oversized_files_are_refused_as_the_import_refuses_them(meta_repo):
    folder = meta_repo.add_election("e/2030")
    os.symlink(folder / "candidate-alice.md", folder / "candidate-carol.md")
    (folder / "voters.yaml").write_text("eligible_voters:\n" + "  - someone\n" * (MAX_FILE_BYTES // 12 + 1))

    report = check_meta(meta_repo.root, now=NOW)

    assert [s for s, _, _ in found(report, "candidate-carol.md")] == ["error"]
    assert "symbolic link" in messages(report, "candidate-carol.md")
    assert [s for s, _, _ in found(report, "voters.yaml")] == ["error"]
    assert "larger than" in messages(report, "voters.yaml")


def test_one_election_folder_is_checked_on_its_own(broken):
    report = check_meta(broken.folder("bios/2030"), now=NOW)

    assert [e.key for e in report.elections] == ["2030"]
    assert found(report, "candidate-long.md") == [("error", "", 8)]


@pytest.mark.parametrize(("text", "count"), [
    ("Hello world test", 3), ("Hello\nworld\ntest", 3), ("Hello    world     test", 3), ("", 0),
    ("   \n\t  \n  ", 0), ("Hello, world! This is a test.", 6),
])
def test_words_are_counted_as_elektos_validator_counts_them(text, count):
    assert bio_word_count(text) == count


@pytest.mark.parametrize(("section", "bio", "present"), [
    ("## About Me", "## About Me\nSome content\n## Platform\nMore content\n", True),
    ("## Platform", "## About Me\nSome content\n## Platform\nMore content\n", True),
    ("## Experience", "## About Me\nSome content\n## Platform\nMore content\n", False),
    ("## About Me", "## about me ##\n", True),
    ("## About Me", "### About Me\n", False),
    ("## About Me", "I wrote ## About Me in a sentence.\n", False),
    ("About Me", "### About me\n", True),
])
def test_a_required_section_is_a_heading_of_the_bio(section, bio, present):
    assert has_section(bio, section) is present


def test_elektos_own_header_format_passes_and_files_that_are_not_candidates_are_told_apart(meta_repo):
    meta_repo.add_election("e/2030", candidates=())
    # Elekto's validator: 61 dashes to open (trailing spaces allowed), three to close.
    meta_repo.write("e/2030/candidate-testuser.md", "-" * 61 + "   \nname: Test User\nID: testuser\ninfo:\n"
                    "  - employer: Test Corp\n  - slack: '@testuser'\n---  \n## Bio content\n")
    meta_repo.write("e/2030/invalid-format.md", "dummy content")
    meta_repo.write("e/2030/candidate-user3.txt", "dummy content")

    report = check_meta(meta_repo.root, now=NOW)

    assert found(report, "candidate-testuser.md") == []
    (candidate,) = parse_election(meta_repo.root, meta_repo.folder("e/2030")).candidates
    assert candidate.info == {"employer": "Test Corp", "slack": "@testuser"}
    assert found(report, "invalid-format.md") == []
    assert found(report, "candidate-user3.txt") == [("warning", "", None)]

