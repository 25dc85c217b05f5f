"""``candidate-<id>.md``: a YAML header between two lines of three or more dashes (``name``, ``ID``, ``info``),
then the Markdown bio. Candidate IDs are checked against ``CANDIDATE_ID_PATTERN`` and are unique in an election,
case-insensitively. No Django here."""

import json
import re

from .data import CandidateData
from .files import _load_yaml, _read_text, _rel, _text, _TextLoader
from .problems import _has_problem

CANDIDATE_KEYS = {"name", "ID", "info"}

_DASH_LINE = re.compile(r"^-{3,}\s*$")
_CANDIDATE_FILE = re.compile(r"^candidate-(.+)\.md$")
# A GitHub login (letters, digits, hyphens) or a file-name-safe word: it appears in URLs, file names and CSV.
CANDIDATE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def _read_candidates(election, root, folder, report):
    seen = {}
    for path in sorted(folder.glob("candidate-*.md")):
        if not path.is_symlink() and not path.is_file():
            continue
        candidate = parse_candidate_file(root, path, report)
        if candidate is None:
            continue
        folded = candidate.candidate_id.lower()
        if folded in seen:
            report.error(candidate.source_file, "ID",
                         f"duplicate candidate ID {candidate.candidate_id!r} (also in {seen[folded].source_file})")
            continue
        seen[folded] = candidate
        election.candidates.append(candidate)
    election.candidates.sort(key=lambda c: c.candidate_id.lower())


def split_candidate_text(text):
    """Split a candidate file into (header text, bio) or return None when there is no dashed header.

    Leading blank lines are skipped; the header runs from the first line of three or more dashes to the next
    one (their lengths may differ). Everything after is the bio, kept whole (it may contain ``---``).
    """
    found = _header_lines(text)
    return None if found is None else _header_and_bio(*found)


def _header_and_bio(lines, start, end):
    return "\n".join(lines[start + 1:end]), "\n".join(lines[end + 1:]).strip("\n").rstrip()


def _header_lines(text):
    """``(lines, start, end)``: the file's lines and the indexes of the header's two dashed lines, or None."""
    lines = text.splitlines()
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or not _DASH_LINE.match(lines[start]):
        return None
    for end in range(start + 1, len(lines)):
        if _DASH_LINE.match(lines[end]):
            return lines, start, end
    return None


def _flatten_info(value, rel, report):
    """``info`` as a flat dict of str: from a list of one-key maps (the documented form) or a plain map."""
    if value is None:
        return {}
    items = []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        for entry in value:
            if isinstance(entry, dict):
                items.extend(entry.items())
            elif entry is not None:
                report.warning(rel, "info", f"{entry!r} is not a 'field: value' pair, ignored")
    else:
        report.warning(rel, "info", "must be a list of 'field: value' pairs, ignored")
    info = {}
    for key, item in items:
        if isinstance(item, dict | list):
            item = json.dumps(item, default=str)
        info[_text(key)] = _text(item)
    return info


def parse_candidate_file(root, path, report):
    """Read one ``candidate-<id>.md``. Returns a ``CandidateData`` or None (after recording an error)."""
    rel = _rel(root, path)
    text = _read_text(root, path, report)
    if text is None:
        return None
    found = _header_lines(text)
    if found is None:
        report.error(rel, "", "no header: the file must start with a line of dashes, the name, ID and info, "
                              "and another line of dashes", line=1)
        return None
    lines, start, end = found
    header_text, bio = _header_and_bio(lines, start, end)
    # A tab after "ID:" occurs in real files; YAML does not allow tabs everywhere, so read them as spaces.
    header = _load_yaml(header_text.replace("\t", " "), rel, report, loader=_TextLoader,
                        lines=report.lines.setdefault(rel, {}), line_offset=start + 1)
    if header is None:
        if not _has_problem(report, rel):
            report.error(rel, "", "the header is empty", line=start + 1)
        return None
    if not isinstance(header, dict):
        report.error(rel, "", "the header must be a map with name, ID and info", line=start + 2)
        return None
    header = {str(k): v for k, v in header.items()}
    for unknown in sorted(set(header) - CANDIDATE_KEYS):
        report.warning(rel, unknown, "unknown key, ignored")

    from_file_name = _CANDIDATE_FILE.match(path.name).group(1).strip()
    candidate_id = _text(header.get("ID")) if not isinstance(header.get("ID"), dict | list) else ""
    if not candidate_id:
        report.warning(rel, "ID", f"missing: the file name's {from_file_name!r} is used", line=start + 1)
        candidate_id = from_file_name
    elif candidate_id.lower() != from_file_name.lower():
        report.warning(rel, "ID", f"{candidate_id!r} does not match the file name; the ID is used")
    if not CANDIDATE_ID_PATTERN.match(candidate_id):
        report.error(rel, "ID", f"{candidate_id[:120]!r} is not a candidate ID: use a GitHub login or a word of "
                                "ASCII letters, digits, '.', '_' and '-' (starting with a letter or digit, at "
                                "most 100 characters)")
        return None
    name = _text(header.get("name")) if not isinstance(header.get("name"), dict | list) else ""
    if not name:
        report.warning(rel, "name", "missing: the ID is shown instead", line=start + 1)
        name = candidate_id
    candidate = CandidateData(
        candidate_id=candidate_id,
        name=name[:500],
        info=_flatten_info(header.get("info"), rel, report),
        bio=bio,
        source_file=rel,
    )
    candidate.header_dashes = len(lines[start].strip())
    candidate.header_line = start + 1
    first = next((i for i in range(end + 1, len(lines)) if lines[i].strip()), end + 1)
    candidate.bio_line = first + 1
    return candidate
