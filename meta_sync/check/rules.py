"""What ``meta_sync.check`` finds in one parsed election beyond what the parser reports. No Django here.

Each function takes an ``ElectionData`` (and what else it needs) and returns ``Problem``s. Severity, as the
checks promise: an error is what the import refuses or a breach of a rule the election declares itself (its
``bio:`` rules); everything else is a warning, because real meta repositories that the import reads today hold it.
"""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..parser import ERROR, WARNING, CandidateData, ElectionData, Problem, field_line

# The header's opening line as Elekto's bio validator and Kubernetes' election tool require it.
HEADER_DASHES = 61
# Files an officer may mean for the import but that it never reads (a typo in the name, or a subfolder).
_NEAR_MISSES = {
    "election.yml": "election.yaml",
    "voters.yml": "voters.yaml",
    "election-desc.md": "election_desc.md",
    "election_description.md": "election_desc.md",
    "result.md": "results.md",
}
_NEAR_CANDIDATE = re.compile(r"^(?:candidates?[_ ].+|candidates-.+|candidate-.+\.(?:markdown|txt|yaml|yml))$",
                             re.IGNORECASE)
_CANDIDATE_ANY_CASE = re.compile(r"^candidate-.+\.md$", re.IGNORECASE)
# The names the import reads (meta_sync.parser.candidates reads candidate-*.md).
_CANDIDATE_FILE = re.compile(r"^candidate-.+\.md$")


@dataclass(frozen=True)
class BioRules:
    """What every bio must hold: at most ``max_words`` words (an error above), at most ``recommended_words``
    (a warning above), and each heading of ``required_sections``. 0 and () mean no rule."""

    max_words: int = 0
    recommended_words: int = 0
    required_sections: tuple = field(default_factory=tuple)

    def declared_by(self, election):
        """These rules, with each rule the election declares in ``bio:`` taking the place of the one given here."""
        declared = election.bio_rules or {}
        return BioRules(
            max_words=declared.get("max_words") or self.max_words,
            recommended_words=declared.get("recommended_words") or self.recommended_words,
            required_sections=tuple(declared.get("required_sections") or self.required_sections),
        )


def bio_word_count(bio):
    """Words of a bio (the Markdown after the header; the header is not counted), split at white space."""
    return len(bio.split())


def _heading_text(line):
    return line.strip().strip("#").strip().lower()


def has_section(bio, section):
    """Whether ``bio`` holds the heading ``section``: a line ``## About Me`` (case and closing ``#`` aside), or,
    for a section given without ``#``, any heading with that text."""
    wanted = section.strip()
    for line in bio.splitlines():
        text = line.strip()
        if not text.startswith("#"):
            continue
        if wanted.startswith("#"):
            level = len(text) - len(text.lstrip("#"))
            if level == len(wanted) - len(wanted.lstrip("#")) and _heading_text(text) == _heading_text(wanted):
                return True
        elif _heading_text(text) == wanted.lower():
            return True
    return False


def candidate_problems(election: ElectionData, rules: BioRules):
    """Each candidate's file against Elekto's bio rules and the election's own."""
    problems = []
    rules = rules.declared_by(election)
    for candidate in election.candidates:
        problems += _header_problems(candidate)
        problems += _info_problems(candidate, election.show_candidate_fields, election.lines)
        problems += _bio_problems(candidate, rules)
    return problems


def _header_problems(candidate: CandidateData):
    if candidate.header_dashes == HEADER_DASHES:
        return []
    return [Problem(candidate.source_file, "", f"the header opens with {candidate.header_dashes} dashes; Elekto's "
                    f"bio validator and Kubernetes' election tool want a line of exactly {HEADER_DASHES}", WARNING,
                    candidate.header_line or None)]


def _info_problems(candidate: CandidateData, shown, lines):
    missing = [name for name in shown if name not in candidate.info]
    if not missing:
        return []
    one = len(missing) == 1
    return [Problem(candidate.source_file, "info", f"no {', '.join(repr(m) for m in missing)}: election.yaml shows "
                    f"{'this field' if one else 'these fields'} (show_candidate_fields) for every candidate; add "
                    f"{'it' if one else 'them'} under info as '- field: value'", WARNING,
                    field_line(lines, candidate.source_file, "info") or candidate.header_line or None)]


def _bio_problems(candidate: CandidateData, rules: BioRules):
    problems = []
    words = bio_word_count(candidate.bio)
    where = dict(line=candidate.bio_line or None)
    if rules.max_words and words > rules.max_words:
        problems.append(Problem(candidate.source_file, "", f"the bio has {words} words, more than the "
                                f"{rules.max_words} the election allows (max_words; the header is not counted): "
                                "shorten it", ERROR, **where))
    elif rules.recommended_words and words > rules.recommended_words:
        problems.append(Problem(candidate.source_file, "", f"the bio has {words} words, more than the "
                                f"{rules.recommended_words} recommended (recommended_words; the header is not "
                                "counted)", WARNING, **where))
    for section in rules.required_sections:
        if not has_section(candidate.bio, section):
            problems.append(Problem(candidate.source_file, "", f"no section {section!r}: the election requires it "
                                    "in every bio (required_sections); add the heading and its text", ERROR, **where))
    return problems


def election_problems(election: ElectionData):
    """Dates, seats and rolls read together: what the parser, reading field by field, cannot see."""
    rel = f"{election.path}/election.yaml"

    def at(field_name):
        return field_line(election.lines, rel, field_name)

    problems = []
    if election.exception_due and election.end_datetime and election.exception_due > election.end_datetime:
        problems.append(Problem(rel, "exception_due", f"{election.exception_due:%Y-%m-%d %H:%M} UTC is after the "
                                f"close ({election.end_datetime:%Y-%m-%d %H:%M} UTC): requests granted then come too "
                                "late to vote; set it before end_datetime", WARNING, at("exception_due")))
    candidates = len(election.candidates)
    if candidates == 0:
        problems.append(Problem(election.path, "", "no candidate files (candidate-<ID>.md): voters would have no one "
                                "to rank", WARNING))
    elif election.no_winners >= candidates:
        problems.append(Problem(rel, "no_winners", f"{election.no_winners} seat(s) for {candidates} candidate(s): "
                                "every candidate is elected whatever the ballots say; check the number of seats",
                                WARNING, at("no_winners")))
    both = sorted(set(election.officers) & set(election.voters))
    if both:
        shown = ", ".join(both[:10]) + (", ..." if len(both) > 10 else "")
        problems.append(Problem(rel, "election_officers", f"{len(both)} officer(s) also on the voter roll "
                                f"(voters.yaml): {shown}. They run the election and vote in it; fine if the "
                                "charter allows it, otherwise take them off one of the lists", WARNING,
                                at("election_officers")))
    return problems


def _near_candidate(name):
    """A file name that looks meant for a candidate but that the import does not read as one."""
    return bool(_NEAR_CANDIDATE.match(name)) or (
        bool(_CANDIDATE_ANY_CASE.match(name)) and not _CANDIDATE_FILE.match(name))


def _nested_candidate_files(folder):
    """Candidate files in the subfolders of ``folder`` (symbolic links not followed, hidden folders and nested
    elections skipped), as paths."""
    found = []
    for current, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and not os.path.exists(os.path.join(current, d, "election.yaml")))
        if current != str(folder):
            found += [Path(current) / name for name in sorted(filenames) if _CANDIDATE_FILE.match(name)]
    return found


def folder_problems(root, election: ElectionData):
    """Files in the election's folder that the import never reads although their names say they are meant for it."""
    folder = root / election.path
    problems = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    for entry in entries:
        rel = f"{election.path}/{entry.name}"
        if entry.name in _NEAR_MISSES:
            problems.append(Problem(rel, "", f"is never read: the import reads {_NEAR_MISSES[entry.name]}; rename "
                                    "the file", WARNING))
        elif _near_candidate(entry.name) and not entry.is_dir():
            problems.append(Problem(rel, "", "is never read: a candidate's file is named candidate-<ID>.md; rename "
                                    "the file", WARNING))
    for nested in _nested_candidate_files(folder):
        problems.append(Problem(nested.relative_to(root).as_posix(), "", "is never read: candidate files must be "
                                "directly in the election folder, beside election.yaml", WARNING))
    return problems


def ambiguous_name_problem(election: ElectionData, known_before=None):
    """A folder name the import refuses for a new election (``---``, or a leading or trailing ``-``).

    ``known_before``: whether the folder held an election at the reference the check compares with (None: no
    reference). An election imported from such a folder before the rule keeps its key.
    """
    if not election.ambiguous_name:
        return []
    if known_before:
        return [Problem(election.path, "", "the folder name holds '---' or starts or ends with '-'; the election "
                        "imported from it before keeps its key, but a new folder may not be named so", WARNING)]
    return [Problem(election.path, "", "the import refuses a new election from a folder whose name holds '---' or "
                    "starts or ends with '-' (its key could be another folder's): rename the folder"
                    + ("" if known_before is False else " (an election imported from it before keeps its key)"),
                    ERROR)]
