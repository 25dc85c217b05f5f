"""Check a meta repository, or one election folder, as the import reads it: for its pull requests' CI and for
officers before they merge. No Django, no database, no secret: only the sync's own parser (``meta_sync.parser``).

    python -m meta_sync.check PATH [--election-dir DIR] [--format text|github|json] [--strict] [--against REF]
                              [--max-words N] [--recommended-words N] [--required-sections "## A,## B"]

``check_meta`` returns a ``CheckReport``: every problem of every election (the parser's errors and warnings, and
what ``rules`` finds), and with a reference, what the merge would change (``changes``). An error is what the
import refuses, or a breach of a rule the election declares itself (``bio:``); everything else is a warning.
The output formats are in ``output``; docs/officers.md describes them for officers.
"""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..parser import ERROR, WARNING, Problem, parse_election, parse_meta_tree
from . import changes as changes_module
from .rules import BioRules, ambiguous_name_problem, candidate_problems, election_problems, folder_problems

__all__ = ["BioRules", "CheckReport", "ElectionReport", "check_meta"]


@dataclass
class ElectionReport:
    """One election's problems and, with a reference, its changes. ``present`` is False for an election whose
    folder exists only at the reference (removed by the change)."""

    key: str
    path: str
    name: str
    problems: list = field(default_factory=list)
    changes: object = None
    present: bool = True


@dataclass
class CheckReport:
    """Everything found. Paths in problems are relative to ``root``; ``shown_root`` is how the command was given
    that folder, which the output puts in front of each path so that it is the path from where the command ran."""

    root: Path
    shown_root: str
    elections: list = field(default_factory=list)
    # Problems of the tree itself (no election dir, a symbolic link on the way, a reference that cannot be read).
    problems: list = field(default_factory=list)
    against: str = ""
    strict: bool = False

    def all_problems(self):
        """``(election key or "", Problem)`` for every problem, tree problems first."""
        found = [("", p) for p in self.problems]
        for election in self.elections:
            found += [(election.key, p) for p in election.problems]
        return found

    def severity(self, problem):
        """The problem's severity as reported: with ``strict``, every warning is an error."""
        return ERROR if self.strict else problem.severity

    @property
    def error_count(self):
        return sum(1 for _, p in self.all_problems() if self.severity(p) == ERROR)

    @property
    def warning_count(self):
        return sum(1 for _, p in self.all_problems() if self.severity(p) == WARNING)

    @property
    def exit_code(self):
        return 1 if self.error_count else 0


def check_meta(path, *, election_dir="elections", bio=None, against="", strict=False, now=None):
    """Check the meta repository at ``path`` (its elections below ``election_dir``), or the one election folder
    ``path`` when it holds ``election.yaml``; return a ``CheckReport``.

    ``bio`` (``BioRules``) applies to every election, each rule an election declares in its own ``bio:`` taking
    its place. ``against`` is a git reference of the same repository: each election is compared with its state
    there (see ``changes``), judged at ``now`` (default: the current time).
    """
    now = now or dt.datetime.now(dt.UTC)
    bio = bio or BioRules()
    given = Path(path)
    folder_mode = (given / "election.yaml").is_file()
    if folder_mode:
        root = given.absolute().parent
        report = CheckReport(root=root, shown_root=str(given / ".."), against=against, strict=strict)
        elections = [parse_election(root, given.absolute(), election_root=root)]
    else:
        root = given.absolute()
        report = CheckReport(root=root, shown_root=str(given), against=against, strict=strict)
        tree = parse_meta_tree(root, election_dir)
        report.problems += tree.problems + tree.skipped
        elections = tree.elections

    before = {}
    if against and not report.problems:
        try:
            before = changes_module.elections_at(against, given, election_dir, folder_mode=folder_mode,
                                                 now_elections={e.key: e for e in elections})
        except changes_module.ReferenceError as exc:
            report.problems.append(Problem("", "--against", str(exc), ERROR))
            against = ""
    keys = {}
    for election in elections:
        keys.setdefault(election.key, []).append(election)
    for election in elections:
        problems = list(election.problems)
        problems += ambiguous_name_problem(election, (election.key in before) if against else None)
        if len(keys[election.key]) > 1:
            others = ", ".join(e.path for e in keys[election.key] if e is not election)
            problems.append(Problem(election.path, "", f"has the key {election.key!r}, like {others}: the import "
                                    "cannot tell the folders apart; rename one", ERROR))
        problems += candidate_problems(election, bio)
        if election.start_datetime and election.end_datetime:  # election.yaml was read
            problems += election_problems(election)
        problems += folder_problems(root, election)
        report.elections.append(ElectionReport(election.key, election.path, election.name or election.key,
                                               problems))
    if against:
        _compare(report, before, {e.key: e for e in elections}, now)
    return report


def _compare(report, before, after, now):
    renames = changes_module.pair_renames(before, after)
    by_key = {election.key: election for election in report.elections}
    for key, data in after.items():
        old_key = renames.get(key, "")
        changes, problems = changes_module.compare(before.get(old_key or key), data, now, renamed_from=old_key)
        by_key[key].changes = changes
        by_key[key].problems += problems
    for key, problem in changes_module.near_renames(before, after, renames, now):
        by_key[key].problems.append(problem)
    for key, data in before.items():
        if key in after or key in renames.values():
            continue
        changes, problems = changes_module.compare(data, None, now)
        report.elections.append(ElectionReport(key, data.path, data.name or key, problems, changes, present=False))

