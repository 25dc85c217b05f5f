"""What a merge would change on the running site: the elections at a git reference against the working tree.
No Django here.

``elections_at`` reads the elections as they are at a reference with the sync's own parser (the folders git
finds changed, extracted with ``git archive``: nothing is checked out); ``compare`` says, per election, which
voters, officers, candidates, dates and rules change, and flags the changes the site refuses or does not apply,
judging from the state at the reference (the site's state until the merge) and the time now.
"""

import datetime as dt
import io
import os
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..parser import ERROR, WARNING, ElectionData, Problem, field_line, parse_election, parse_meta_tree

GIT_TIMEOUT_SECONDS = 120
# Fields of an election compared one by one; the rules of the count are flagged once voting has closed.
COMPARED = ("name", "organization", "start_datetime", "end_datetime", "exception_due", "no_winners",
            "allow_no_opinion", "delete_after", "show_candidate_fields", "eligibility", "exception_description",
            "tie_break", "officers_to_open", "charter", "bio_rules", "description", "results")
COUNT_INPUTS = ("no_winners", "allow_no_opinion", "tie_break", "charter")
# How each compared field is written in election.yaml (or which file holds it).
SHOWN_AS = {"officers_to_open": "ballot_box.officers_to_open", "bio_rules": "bio", "description": "election_desc.md",
            "results": "results.md"}
LONG_TEXT = ("description", "results", "eligibility", "exception_description")


class ReferenceError(Exception):
    """The reference cannot be read (not a git repository, an unknown ref)."""


def _git(args, cwd):
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"}
    # Never run anything the repository provides: no hooks, no external diff or filter drivers.
    command = ["git", "-c", "core.hooksPath=/dev/null", "-c", "protocol.ext.allow=never", *args]
    try:
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, timeout=GIT_TIMEOUT_SECONDS,
                              check=False)
    except FileNotFoundError:
        raise ReferenceError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise ReferenceError(f"git {args[0]} took longer than {GIT_TIMEOUT_SECONDS} s") from None


@dataclass(frozen=True)
class _Located:
    """A folder of a git working tree: the repository's top, the reference's commit, the folder's path in it."""

    top: Path
    commit: str
    inside: str


def _locate(ref, folder):
    folder = Path(folder).absolute()
    # The folder may be gone from the working tree (removed by the change): ask git from the nearest one there.
    base = folder
    while not base.is_dir():
        base = base.parent
    prefix = _git(["rev-parse", "--show-prefix"], base)
    toplevel = _git(["rev-parse", "--show-toplevel"], base)
    if prefix.returncode != 0 or toplevel.returncode != 0:
        raise ReferenceError(f"{base} is not in a git repository, so there is nothing to compare with")
    top = Path(toplevel.stdout.decode().strip())
    commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    if commit.returncode != 0:
        raise ReferenceError(f"{ref!r} is not a commit of this repository (fetch it first: the workflow needs "
                             "fetch-depth: 0 or the base branch fetched)")
    parts = (prefix.stdout.decode().strip().rstrip("/"), folder.relative_to(base).as_posix())
    return _Located(top, commit.stdout.decode().strip(), "/".join(p for p in parts if p and p != "."))


def _differing_folders(located):
    """Folders (relative to the located one, ``.`` for itself) holding a file that differs between the reference
    and the working tree: changed, added, removed, or not tracked at all."""
    pathspec = located.inside or "."
    changed = _git(["diff", "--no-ext-diff", "--no-textconv", "--no-renames", "--name-only", "-z", located.commit,
                    "--", pathspec], located.top)
    untracked = _git(["ls-files", "--others", "-z", "--", pathspec], located.top)
    for result in (changed, untracked):
        if result.returncode != 0:
            raise ReferenceError(f"git failed: {result.stderr.decode(errors='replace').strip()}")
    folders = set()
    for name in (changed.stdout + untracked.stdout).decode(errors="surrogateescape").split("\0"):
        if name:
            path = PurePosixPath(name)
            folders.add(path.parent.relative_to(located.inside).as_posix() if located.inside else
                        path.parent.as_posix())
    return folders


def _extract(located, target, only=None):
    """Extract the located folder as it is at the reference into ``target`` (only the folders ``only`` below it,
    when given); False when the folder does not exist at the reference."""
    spec = f"{located.commit}:{located.inside}"
    if _git(["cat-file", "-e", spec], located.top).returncode != 0:
        return False
    if only is not None:
        listed = _git(["ls-tree", "-d", "-r", "--name-only", "-z", spec], located.top)
        existing = set(listed.stdout.decode(errors="surrogateescape").split("\0"))
        only = sorted(folder for folder in only if folder in existing)
        if not only:
            return True
    archive = _git(["archive", "--format=tar", spec, *(["--", *only] if only else [])], located.top)
    if archive.returncode != 0:
        raise ReferenceError(f"git archive failed: {archive.stderr.decode(errors='replace').strip()}")
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter=_no_links)
    return True


def _no_links(member, path):
    """Regular files and folders only, nothing outside the target: the import never reads a symbolic link (it
    refuses the file), and one at the reference may point anywhere."""
    if member.issym() or member.islnk():
        return None
    return tarfile.data_filter(member, path)


def elections_at(ref, path, election_dir, *, folder_mode, now_elections):
    """``{key: ElectionData}`` of the elections at ``ref``: below ``path/election_dir``, or the one election
    folder ``path`` when ``folder_mode``. Raises ``ReferenceError``.

    ``now_elections`` are the elections read from the working tree: one whose folder git finds unchanged since
    ``ref`` is the same at ``ref``, so only the folders that differ are extracted (``git archive``) and read.
    """
    with tempfile.TemporaryDirectory(prefix="meta-check-") as scratch:
        scratch = Path(scratch)
        if folder_mode:
            folder = scratch / Path(path).absolute().name
            if not _extract(_locate(ref, path), folder) or not (folder / "election.yaml").is_file():
                return {}
            election = parse_election(scratch, folder, election_root=scratch)
            return {election.key: election}
        located = _locate(ref, Path(path) / election_dir)
        differing = _differing_folders(located)
        root = PurePosixPath(election_dir)
        before = {key: data for key, data in now_elections.items()
                  if PurePosixPath(data.path).relative_to(root).as_posix() not in differing}
        if _extract(located, scratch / election_dir, only=differing - {"."}) and (scratch / election_dir).is_dir():
            for data in parse_meta_tree(scratch, election_dir).elections:
                if PurePosixPath(data.path).relative_to(root).as_posix() in differing:
                    before[data.key] = data
        return before


@dataclass
class Changes:
    """What the merge changes in one election. ``status``: added, removed, renamed, changed or unchanged."""

    status: str
    renamed_from: str = ""
    voters: dict = field(default_factory=lambda: {"added": [], "removed": []})
    officers: dict = field(default_factory=lambda: {"added": [], "removed": []})
    candidates: dict = field(default_factory=lambda: {"added": [], "removed": [], "withdrawn": [], "changed": []})
    fields: list = field(default_factory=list)

    def as_dict(self):
        return {"status": self.status, "renamed_from": self.renamed_from or None, "voters": self.voters,
                "officers": self.officers, "candidates": self.candidates, "fields": self.fields}

    def describe(self):
        """The changes as short lines of text, for people."""
        lines = []
        if self.renamed_from:
            lines.append(f"renamed from {self.renamed_from}: its ballots and links follow")
        for what, change in (("voters", self.voters), ("officers", self.officers)):
            parts = [f"{sign}{len(logins)} ({_shown(logins)})"
                     for sign, logins in (("+", change["added"]), ("-", change["removed"])) if logins]
            if parts:
                lines.append(f"{what}: {', '.join(parts)}")
        for kind in ("added", "removed", "withdrawn"):
            if self.candidates[kind]:
                lines.append(f"candidates {kind}: {_shown(self.candidates[kind])}")
        for changed in self.candidates["changed"]:
            lines.append(f"candidate {changed['id']} changed: {', '.join(changed['fields'])}")
        for entry in self.fields:
            if entry["field"] in (SHOWN_AS.get(f, f) for f in LONG_TEXT):
                lines.append(f"{entry['field']} changed")
            else:
                lines.append(f"{entry['field']}: {_value(entry['before'])} -> {_value(entry['after'])}")
        return lines


def _shown(items, limit=10):
    return ", ".join(items[:limit]) + (f", ... ({len(items)} in all)" if len(items) > limit else "")


def _value(value):
    return "(none)" if value in (None, "", [], {}) else str(value)


def _plain(value):
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M:%S} UTC"
    return value


def _logins(before, after):
    before, after = set(before), set(after)
    return {"added": sorted(after - before), "removed": sorted(before - after)}


def _candidate_changes(before, after, voting_began):
    old = {c.candidate_id.lower(): c for c in before.candidates}
    new = {c.candidate_id.lower(): c for c in after.candidates}
    gone = sorted(old[k].candidate_id for k in old.keys() - new.keys())
    result = {"added": sorted(new[k].candidate_id for k in new.keys() - old.keys()),
              "removed": [] if voting_began else gone, "withdrawn": gone if voting_began else [], "changed": []}
    for key in sorted(old.keys() & new.keys()):
        differing = [name for name in ("candidate_id", "name", "info", "bio")
                     if getattr(old[key], name) != getattr(new[key], name)]
        if differing:
            result["changed"].append({"id": new[key].candidate_id,
                                      "fields": ["ID" if name == "candidate_id" else name for name in differing]})
    return result


def _problem(election, field_name, message, severity):
    rel = f"{election.path}/election.yaml"
    file_field = SHOWN_AS.get(field_name, field_name)
    if file_field.endswith(".md"):
        return Problem(f"{election.path}/{file_field}", "", message, severity)
    return Problem(rel, file_field, message, severity, field_line(election.lines, rel, file_field))


def compare(before: ElectionData | None, after: ElectionData | None, now, *, renamed_from=""):
    """``(Changes, problems)`` for one election between the reference (``before``) and now (``after``)."""
    if after is None:
        return Changes("removed"), _removal_problems(before, now)
    if before is None:
        return Changes("added"), []
    voting_began = before.start_datetime is not None and before.start_datetime <= now
    closed = before.end_datetime is not None and before.end_datetime <= now
    changes = Changes("renamed" if renamed_from else "changed", renamed_from=renamed_from,
                      voters=_logins(before.voters, after.voters), officers=_logins(before.officers, after.officers),
                      candidates=_candidate_changes(before, after, voting_began))
    for name in COMPARED:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changes.fields.append({"field": SHOWN_AS.get(name, name), "before": None if name in LONG_TEXT else
                                   _plain(old), "after": None if name in LONG_TEXT else _plain(new)})
    listed = (changes.voters, changes.officers, changes.candidates)
    if not renamed_from and not changes.fields and not any(v for part in listed for v in part.values()):
        changes.status = "unchanged"
    return changes, _refusals(before, after, changes, voting_began=voting_began, closed=closed)


def _refusals(before, after, changes, *, voting_began, closed):
    problems = []
    changed = {entry["field"] for entry in changes.fields}
    if "end_datetime" in changed and after.end_datetime and before.end_datetime and closed \
            and after.end_datetime > before.end_datetime:
        if before.results:
            problems.append(_problem(after, "end_datetime", "the site refuses to move the close of a counted "
                                     "election later (results.md is published): the election keeps its close. An "
                                     "officer must first reopen the election on its officers' page, then merge",
                                     ERROR))
        else:
            problems.append(_problem(after, "end_datetime", "voting has closed: if the ballot box was opened, the "
                                     "site refuses to move the close later until an officer reopens the election "
                                     "on its officers' page", WARNING))
    if closed:
        inputs = [SHOWN_AS.get(name, name) for name in COUNT_INPUTS if SHOWN_AS.get(name, name) in changed]
        for name in inputs:
            problems.append(_problem(after, name, "changed after voting closed: once the ballot box is opened, the "
                                     "count keeps the rules it was counted under, and the site reports this change "
                                     "instead of applying it", WARNING))
        for candidate in changes.candidates["changed"]:
            if "info" in candidate["fields"]:
                source = _source(after, candidate["id"])
                problems.append(Problem(source, "info", "changed after voting closed: once the ballot box is "
                                        "opened, the count keeps each candidate's organization as counted", WARNING,
                                        field_line(after.lines, source, "info")))
    elif voting_began:
        custody = "ballot_box.officers_to_open" in changed or (
            (before.officers_to_open or after.officers_to_open) and changes.officers != {"added": [], "removed": []})
        if custody:
            problems.append(_problem(after, "officers_to_open", "voting has begun, so the ballot box keeps its "
                                     "custody: changes to ballot_box and election_officers no longer apply to it",
                                     WARNING))
        if "start_datetime" in changed and after.start_datetime and after.start_datetime > before.start_datetime:
            problems.append(_problem(after, "start_datetime", "voting has begun: moving the start later shuts "
                                     "voters out until then (ballots already cast stay)", WARNING))
    for candidate_id in changes.candidates["withdrawn"]:
        problems.append(Problem(_source(before, candidate_id), "", "removed after voting began: the site keeps the "
                                "candidate, withdrawn, so that cast ballots count", WARNING))
    return problems


def _source(election, candidate_id):
    for candidate in election.candidates:
        if candidate.candidate_id == candidate_id:
            return candidate.source_file
    return election.path


def _removal_problems(before, now):
    running = (before.start_datetime is not None and before.end_datetime is not None
               and before.start_datetime <= now < before.end_datetime)
    if not running:
        return []
    return [Problem(before.path, "", "removed while voting is open: if anyone has voted, the site refuses and the "
                    "election keeps running under its key until the folder is restored (or renamed keeping name "
                    "and start_datetime)", WARNING)]


def pair_renames(before, after):
    """``{new key: old key}`` for folders that moved: a key only at the reference and a key only now, with the same
    name and start_datetime (as the import pairs them), each used once."""
    gone = {key: data for key, data in before.items() if key not in after}
    pairs = {}
    for key, data in after.items():
        if key in before:
            continue
        same = [old for old, was in gone.items() if old not in pairs.values()
                and (was.name, was.start_datetime) == (data.name, data.start_datetime)]
        if len(same) == 1:
            pairs[key] = same[0]
    return pairs


def near_renames(before, after, pairs, now):
    """``(key, warning)`` for each new folder that looks like a moved one whose name or start date changed too:
    the import cannot tell it is the same election."""
    problems = []
    gone = {key: data for key, data in before.items() if key not in after and key not in pairs.values()}
    for key, data in after.items():
        if key in before or key in pairs:
            continue
        for old_key, was in gone.items():
            moved = (was.name == data.name) != (was.start_datetime == data.start_datetime)
            if moved and was.start_datetime and was.start_datetime <= now:
                message = (f"looks like {old_key} moved here with its name or start_datetime changed: the import "
                           "cannot tell it is the same election, so its ballots stay behind. Move the folder keeping "
                           "name and start_datetime in one pull request, change them in a later one")
                problems.append((key, Problem(f"{data.path}/election.yaml", "", message, WARNING)))
    return problems
