"""Read an Elekto meta repository into plain data and a list of problems. No Django here.

The format, as officers write it by hand:

* An election is any folder below the election dir, at any depth, holding ``election.yaml``. Its key is the
  folder's path relative to the election dir with ``/`` replaced by ``---`` (``steering/2021`` ->
  ``steering---2021``). The election dir may itself be nested (``steering/elections``). A folder name holding
  ``---`` or starting or ending with ``-`` could map two folders to one key: it is refused for new elections
  (``ElectionData.ambiguous_name``; the importer lets an election already imported from it keep its key).
* Nothing is read through a symbolic link: not the meta repository folder, not the election dir, not an
  election folder, not a file.
* YAML files are plain hand-written data: anchors and aliases (``&a``, ``*a``) are refused, and so are files
  larger than ``MAX_FILE_BYTES`` and nesting deeper than ``MAX_YAML_DEPTH``, so that no file can make the
  reading cost more than its own size.
* Candidate IDs (``ID:``, else the file name) are GitHub logins or file-name-safe words: ASCII letters and
  digits, then letters, digits, ``.``, ``_`` or ``-``, at most 100 characters (``CANDIDATE_ID_PATTERN``).
* ``election.yaml``: name, organization, start_datetime, end_datetime, no_winners, allow_no_opinion,
  delete_after, show_candidate_fields, election_officers, eligibility, exception_description, exception_due
  (alias ``exceptions_due``), tie_break, ballot_box (``{officers_to_open: K, officer_keys: {login: KEY}}``:
  threshold mode, the box key split among the officers and each share encrypted to that officer's own keys, see
  docs/ballot-secrecy.md), a charter's rules: representation, seat_terms, disqualified (see
  ``elections.counting.charter``), and the rules candidates' bios follow:
  ``bio: {max_words: 450, recommended_words: 300, required_sections: ["## About Me"]}`` (checked by
  ``meta_sync.check``, not by the import).
* ``voters.yaml``: ``eligible_voters:`` a list of GitHub logins.
* ``candidate-<id>.md``: a YAML header between two lines of three or more dashes (``name``, ``ID``, ``info``),
  then the Markdown bio.
* ``election_desc.md`` and ``results.md``: Markdown, both optional.

Every problem names its file and field, and the line where the field is written when there is one. Errors make
an election unimportable (it keeps its last good state); warnings are reported and the election is imported.
"""

import datetime as dt
import errno
import functools
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path

import yaml

from accounts.github import is_valid_login, normalize_login
from elections.ballot_box import officer_keys
from elections.counting.charter import (
    RuleError,
    Rules,
    disqualified_from_yaml,
    representation_from_yaml,
    seat_terms_from_yaml,
)

ERROR = "error"
WARNING = "warning"

KNOWN_KEYS = {
    "name",
    "organization",
    "start_datetime",
    "end_datetime",
    "no_winners",
    "allow_no_opinion",
    "delete_after",
    "show_candidate_fields",
    "election_officers",
    "eligibility",
    "exception_description",
    "exception_due",
    "tie_break",
    "ballot_box",
    "representation",
    "seat_terms",
    "disqualified",
    "bio",
}
BIO_KEYS = {"max_words", "recommended_words", "required_sections"}
BALLOT_BOX_KEYS = {"officers_to_open", "officer_keys"}
ALIASES = {"exceptions_due": "exception_due"}
CANDIDATE_KEYS = {"name", "ID", "info"}

_DASH_LINE = re.compile(r"^-{3,}\s*$")
_CANDIDATE_FILE = re.compile(r"^candidate-(.+)\.md$")
# Files larger than this are not read: a meta repository holds short hand-written files.
MAX_FILE_BYTES = 2_000_000
# Hand-written YAML nests a few levels (info: - employer: x); deeper nesting is refused before it is built.
MAX_YAML_DEPTH = 20
# A GitHub login (letters, digits, hyphens) or a file-name-safe word: it appears in URLs, file names and CSV.
CANDIDATE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
KEY_SEPARATOR = "---"
# An e-mail address where a login belongs: said so, rather than "not a login".
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# The last step of a field's name: ``.c`` of ``a.b.c``, ``[0]`` of ``a[0]``.
_LAST_STEP = re.compile(r"(?:\.[^.\[]+|\[\d+\])$")

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    """Safe loading, as fast as libyaml allows."""


class _TextLoader(_BaseLoader):
    """Safe loading where every plain scalar stays a string (except empty values, which are null).

    Used for logins and candidate headers: YAML 1.1 would read ``0123`` as the octal number 83 and ``yes`` as
    true, and a GitHub login is neither.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file of the meta repository. ``path`` is relative to the repository root; ``line``
    (from 1) is where the field is written, when the file says."""

    path: str
    field: str
    message: str
    severity: str = ERROR
    line: int | None = None

    @property
    def text(self):
        """``field: message`` (or just the message when no field is concerned)."""
        return f"{self.field}: {self.message}" if self.field else self.message

    def __str__(self):
        return f"{self.path}: {self.text}"


@dataclass
class CandidateData:
    candidate_id: str
    name: str
    info: dict
    bio: str
    source_file: str

    # Facts only meta_sync.check reads, kept out of the dataclass's fields so that they are no part of the
    # election's content hash (the import stores nothing of them): how many dashes open the header (Elekto's and
    # Kubernetes' own tools want 61) on which line, and the line the bio starts on.
    header_dashes = 0
    header_line = 0
    bio_line = 0


def _fields_of(instance):
    return {field.name: getattr(instance, field.name) for field in fields(instance)}


def _encodable(value):
    """What ``json.dumps`` writes for a value it cannot write itself: a dataclass's fields, else its text."""
    return _fields_of(value) if is_dataclass(value) and not isinstance(value, type) else str(value)


@dataclass
class ElectionData:
    """One election as read from its folder. Datetimes are timezone-aware (UTC when the file gave none)."""

    key: str
    path: str
    # A folder name with "---" or a leading or trailing "-": its key could be another folder's too.
    ambiguous_name: bool = False
    name: str = ""
    organization: str = ""
    start_datetime: dt.datetime | None = None
    end_datetime: dt.datetime | None = None
    no_winners: int = 1
    allow_no_opinion: bool = True
    delete_after: bool = False
    show_candidate_fields: list = field(default_factory=list)
    officers: list = field(default_factory=list)
    eligibility: str = ""
    exception_description: str = ""
    exception_due: dt.datetime | None = None
    tie_break: dict | None = None
    # Threshold mode: how many of the officers must enter their key shares to open the ballot box (None: the
    # default mode, where the box key is kept wrapped under the server's environment key).
    officers_to_open: int | None = None
    # Threshold mode: each officer's usable public keys, pinned (login -> [elections.ballot_box.officer_keys.OfficerKey
    # .to_dict()]); their shares are encrypted to them.
    officer_keys: dict = field(default_factory=dict)
    # The charter's rules (elections.counting.charter.Rules.to_dict()): representation, seat_terms, disqualified.
    charter: dict = field(default_factory=dict)
    description: str = ""
    results: str = ""
    voters: list = field(default_factory=list)
    candidates: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    # For meta_sync.check only, so not fields and no part of the content hash (the import stores nothing of them):
    # what candidates' bios must hold (``bio:``, see ``read_bio_rules``), and where each field is written
    # (``{path: {field: line}}``, see ``_key_lines``).
    bio_rules = {}
    lines = {}

    @property
    def errors(self):
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self):
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self):
        return not self.errors

    def content_hash(self):
        """SHA-256 of everything imported from the folder (warnings included): equal hashes, nothing to write.

        The JSON is the one of ``dataclasses.asdict(self)``, but nested dataclasses are turned into dictionaries
        as the encoder meets them, rather than deep-copied first (a voter roll has thousands of entries)."""
        data = _fields_of(self)
        data["problems"] = [str(p) for p in self.problems]
        encoded = json.dumps(data, sort_keys=True, default=_encodable, ensure_ascii=False)
        return hashlib.sha256(encoded.encode()).hexdigest()


@dataclass
class MetaTree:
    """All elections found below the election dir, and problems with the tree itself.

    ``problems`` make the whole tree unusable (a missing folder); ``skipped`` are errors about things that were
    not read (a symbolic link below the election dir) while the elections found were read as usual.
    ``stamps`` maps each election key to its folder's ``folder_stamp``; ``unchanged`` lists the keys that
    ``parse_meta_tree`` was told are unchanged, and did not read.
    """

    elections: list
    problems: list
    skipped: list = field(default_factory=list)
    stamps: dict = field(default_factory=dict)
    unchanged: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


class _Collector:
    """Problems of one election, each tied to the file it was found in, and to the line of its field when the
    file's reading recorded one in ``lines`` (``{path: {field: line}}``)."""

    def __init__(self, problems):
        self.problems = problems
        self.lines = {}

    def error(self, path, field_name, message, line=None):
        self.problems.append(Problem(path, field_name, message, ERROR, line or field_line(self.lines, path,
                                                                                          field_name)))

    def warning(self, path, field_name, message, line=None):
        self.problems.append(Problem(path, field_name, message, WARNING, line or field_line(self.lines, path,
                                                                                            field_name)))


def field_line(lines, path, field_name):
    """The line of ``field_name`` in the file ``path`` or of the nearest field that holds it (``a.b[0].c``:
    ``a.b[0]``, ``a.b``, ``a``), from ``lines`` (``{path: {field: line}}``), or None."""
    known = lines.get(path)
    while known and field_name:
        if field_name in known:
            return known[field_name]
        shorter = _LAST_STEP.sub("", field_name)
        if shorter == field_name:
            break
        field_name = shorter
    return None


def election_key(relative_folder):
    """The election key for a folder path relative to the election dir: ``steering/2021`` -> ``steering---2021``."""
    return KEY_SEPARATOR.join(Path(relative_folder).parts)


def is_ambiguous_folder_name(name):
    """Whether a folder name could make two folders share a key (``x---y`` is also the key of ``x/y``)."""
    return KEY_SEPARATOR in name or name.startswith("-") or name.endswith("-")


def find_election_folders(election_root, skipped=None):
    """Folders below ``election_root`` (at any depth) that hold an ``election.yaml``, sorted, as Paths.

    Hidden folders (``.git``) are skipped and symbolic links are not followed; each symbolic link to a
    folder is reported in ``skipped`` (a list of ``Problem``, paths relative to ``election_root``'s parent
    chain as given) when a list is passed.
    """
    found = []
    for folder, dirnames, filenames in os.walk(election_root, followlinks=False):
        kept = []
        for name in sorted(d for d in dirnames if not d.startswith(".")):
            if os.path.islink(os.path.join(folder, name)):
                if skipped is not None:
                    skipped.append(Path(folder) / name)
                continue
            kept.append(name)
        dirnames[:] = kept
        if "election.yaml" in filenames and Path(folder) != Path(election_root):
            found.append(Path(folder))
    return sorted(found)


# What the stamp of a folder depends on besides its files: the code that reads them.
_PARSER_SOURCES = (Path(__file__), Path(__file__).resolve().parent.parent / "accounts" / "github.py")
_parser_digest = None


def _parser_source_digest():
    global _parser_digest
    if _parser_digest is None:
        digest = hashlib.sha256()
        for source in _PARSER_SOURCES:
            digest.update(source.read_bytes() if source.exists() else b"")
        _parser_digest = digest.hexdigest()
    return _parser_digest


def folder_stamp(folder):
    """A fingerprint of an election folder that changes whenever what ``parse_election`` would read changes,
    taken without reading any file: the folder's path and, for each entry directly in it, its name, type, size,
    inode and modification and change times (the change time moves on every write, and cannot be set back),
    with the parser's own source. Two equal stamps mean the same files, read by the same code."""
    digest = hashlib.sha256(_parser_source_digest().encode())
    digest.update(os.fsencode(folder))
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            info = entry.stat(follow_symlinks=False)
            digest.update(b"\0" + os.fsencode(entry.name) + b"\0" + repr(
                (info.st_mode, info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns)).encode())
    return digest.hexdigest()


def _symlink_on_the_way(root, election_dir):
    """The first symbolic link among ``root`` and the folders of ``election_dir`` below it, or None."""
    path = Path(root)
    if path.is_symlink():
        return path
    for part in Path(election_dir).parts:
        path = path / part
        if path.is_symlink():
            return path
    return None


def parse_meta_tree(root, election_dir="elections", unchanged=None):
    """Read every election below ``root/election_dir`` (``election_dir`` may be nested: ``steering/elections``).

    Returns a ``MetaTree``. Never raises on bad content: problems are collected per election (``ElectionData
    .problems``) or, for the tree itself (root or election dir missing, or a symbolic link), in
    ``MetaTree.problems``.

    ``unchanged(key, stamp)``, when given, is asked for each folder with its ``folder_stamp``: a folder it calls
    unchanged is not read, and is listed in ``MetaTree.unchanged`` instead of ``MetaTree.elections``.
    """
    root = Path(root)
    election_dir = Path(str(election_dir).strip().rstrip("/") or ".")
    election_root = root / election_dir
    if election_dir.is_absolute() or ".." in election_dir.parts:
        return MetaTree([], [Problem(str(election_dir), "", "the election dir must be a folder inside the "
                                                            "meta repository (a relative path, without ..)")])
    if not root.is_dir():
        return MetaTree([], [Problem(str(root), "", "the meta repository folder does not exist")])
    link = _symlink_on_the_way(root, election_dir)
    if link is not None:
        return MetaTree([], [Problem(str(link), "", "is a symbolic link, which the import never follows; "
                                                    "give the real folder")])
    if not election_root.is_dir():
        return MetaTree([], [Problem(election_dir.as_posix(), "", f"the election dir does not exist in {root}")])
    links = []
    folders = find_election_folders(election_root, links)
    skipped = [Problem(_rel(root, path), "", "symbolic link to a folder: not followed, nothing below it is read")
               for path in links]
    tree = MetaTree([], [], skipped)
    for folder in folders:
        key = election_key(folder.relative_to(election_root))
        tree.stamps[key] = folder_stamp(folder)
        if unchanged is not None and unchanged(key, tree.stamps[key]):
            tree.unchanged.append(key)
        else:
            tree.elections.append(parse_election(root, folder, election_root=election_root))
    return tree


def parse_election(root, folder, election_root=None):
    """Read the election in ``folder`` (an absolute path below ``root``) into an ``ElectionData``.

    Its key is the folder's path below ``election_root`` (default: the first folder below ``root``).
    """
    root = Path(root)
    folder = Path(folder)
    rel = folder.relative_to(root).as_posix()
    if election_root is None:
        election_root = root / rel.split("/", 1)[0]
    below = folder.relative_to(election_root)
    key = election_key(below)
    election = ElectionData(key=key, path=rel, ambiguous_name=any(is_ambiguous_folder_name(p) for p in below.parts))
    report = _Collector(election.problems)
    election.lines = report.lines
    if len(key) > 255 or len(rel) > 400:
        report.error(rel, "", "the folder path is too long for an election key (at most 255 characters)")
        return election
    if folder.is_symlink():
        report.error(rel, "", "symbolic link to a folder: not followed")
        return election

    _read_election_yaml(election, root, folder, report)
    _read_voters(election, root, folder, report)
    _read_candidates(election, root, folder, report)
    _check_charter(election, f"{rel}/election.yaml", report)
    election.description = _read_markdown(root, folder / "election_desc.md", report, "description")
    election.results = _read_markdown(root, folder / "results.md", report, None)
    return election


def _rel(root, path):
    return Path(path).relative_to(root).as_posix()


def _read_text(root, path, report):
    """The file's text, or None (with an error) when it cannot be read safely.

    Opened with ``O_NOFOLLOW`` (a symbolic link is refused even if it appears after a check) and
    ``O_NONBLOCK`` (a FIFO cannot hang the sync); only a regular file of at most ``MAX_FILE_BYTES`` is read.
    """
    rel = _rel(root, path)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            report.error(rel, "", "is a symbolic link: not followed (commit the file itself)")
        else:
            report.error(rel, "", f"cannot be read: {exc.strerror or exc}")
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            report.error(rel, "", "is not a regular file")
            return None
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        report.error(rel, "", f"file is larger than {MAX_FILE_BYTES} bytes")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.error(rel, "", "file is not UTF-8 text")
    return None


def _shape_problem(root_node):
    """Why a composed YAML document may not be built (an alias, nesting deeper than ``MAX_YAML_DEPTH``), or
    None, as ``(message, node)``.

    Composing shares one node for an anchor and all its aliases, so a bomb is still small here; this walk
    visits each node once and refuses a node met twice before anything is expanded.
    """
    seen = set()
    stack = [(root_node, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            return "anchors and aliases (&name, *name) are not allowed: write the value out", node
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            if depth > MAX_YAML_DEPTH:
                return f"nested deeper than {MAX_YAML_DEPTH} levels", node
            children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
            stack.extend((child, depth + 1) for child in children)
    return None


def _key_lines(node, lines, offset):
    """Record in ``lines`` the line of each key of a mapping node and of what its values hold one level down:
    ``key``, ``key.sub`` and ``key[i]`` (and ``key[i].sub``), counted from 1 plus ``offset``."""
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        name = str(key.value)
        lines.setdefault(name, key.start_mark.line + 1 + offset)
        if isinstance(value, yaml.MappingNode):
            for sub, _ in value.value:
                lines.setdefault(f"{name}.{sub.value}", sub.start_mark.line + 1 + offset)
        elif isinstance(value, yaml.SequenceNode):
            for i, item in enumerate(value.value):
                lines.setdefault(f"{name}[{i}]", item.start_mark.line + 1 + offset)
                if isinstance(item, yaml.MappingNode):
                    for sub, _ in item.value:
                        lines.setdefault(f"{name}[{i}].{sub.value}", sub.start_mark.line + 1 + offset)


def _load_yaml(text, rel, report, loader=_Loader, lines=None, line_offset=0):
    """Parse YAML safely; on failure record an error (with the line) and return None.

    The document is composed, checked by ``_shape_problem``, and only then built into Python values. With a dict
    as ``lines``, the line of each key (see ``_key_lines``) goes into it, the text starting after ``line_offset``
    lines of its file.
    """
    reader = loader(text)
    try:
        node = reader.get_single_node()
        if node is None:
            return None
        shape = _shape_problem(node)
        if shape is not None:
            message, bad = shape
            line = bad.start_mark.line + 1 + line_offset
            report.error(rel, "", f"refused (line {line}): {message}", line=line)
            return None
        if lines is not None:
            _key_lines(node, lines, line_offset)
        return reader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + line_offset if mark is not None else None
        where = f" (line {line})" if line is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        report.error(rel, "", f"unreadable YAML{where}: {problem}", line=line)
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # Constructors of the safe loader raise these on values like a 30th of February.
        report.error(rel, "", f"unreadable YAML: {exc}")
    finally:
        reader.dispose()
    return None


def _has_problem(report, rel):
    return any(p.path == rel for p in report.problems)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return str(value).strip()


def parse_datetime(value, *, end_of_day=False):
    """A YAML datetime value as an aware datetime.

    Accepts datetimes (naive ones are UTC), dates (00:00:00 UTC, or 23:59:59 UTC when ``end_of_day``, for
    deadlines) and ISO 8601 strings. Raises ``ValueError`` for anything else.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            try:
                value = dt.date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"{value!r} is not a date and time (write e.g. 2024-08-27 00:00:01)") from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        moment = dt.time(23, 59, 59) if end_of_day else dt.time(0, 0, 0)
        return dt.datetime.combine(value, moment, tzinfo=dt.UTC)
    raise ValueError(f"{value!r} is not a date and time (write e.g. 2024-08-27 00:00:01)")


def _read_election_yaml(election, root, folder, report):
    path = folder / "election.yaml"
    rel = _rel(root, path)
    text = _read_text(root, path, report)
    if text is None:
        return
    lines = report.lines.setdefault(rel, {})
    data = _load_yaml(text, rel, report, lines=lines)
    if data is None:
        if not _has_problem(report, rel):
            report.error(rel, "", "the file is empty")
        return
    if not isinstance(data, dict):
        report.error(rel, "", "must be a map of keys to values")
        return
    data = {str(k): v for k, v in data.items()}

    for alias, key in ALIASES.items():
        if alias in data:
            if key in data:
                report.warning(rel, alias, f"ignored: {key} is also given")
            else:
                report.warning(rel, alias, f"read as {key} (the documented spelling)")
                data[key] = data[alias]
                lines.setdefault(key, lines.get(alias))
            del data[alias]
    for unknown in sorted(set(data) - KNOWN_KEYS):
        report.warning(rel, unknown, "unknown key, ignored")

    name = _text(data.get("name"))
    if not name:
        report.error(rel, "name", "is required")
    election.name = name[:500]
    election.organization = _text(data.get("organization"))[:500]
    election.eligibility = _text(data.get("eligibility"))
    election.exception_description = _text(data.get("exception_description"))

    for key, end_of_day in (("start_datetime", False), ("end_datetime", True)):
        if data.get(key) is None:
            report.error(rel, key, "is required")
            continue
        try:
            setattr(election, key, parse_datetime(data[key], end_of_day=end_of_day))
        except ValueError as exc:
            report.error(rel, key, str(exc))
    if election.start_datetime and election.end_datetime and election.end_datetime <= election.start_datetime:
        report.error(rel, "end_datetime", "must be after start_datetime")

    if data.get("exception_due") is not None:
        try:
            election.exception_due = parse_datetime(data["exception_due"], end_of_day=True)
        except ValueError as exc:
            report.error(rel, "exception_due", str(exc))

    no_winners = data.get("no_winners")
    if no_winners is None:
        report.warning(rel, "no_winners", "missing: one seat assumed")
    elif isinstance(no_winners, bool) or not isinstance(no_winners, int | str):
        report.error(rel, "no_winners", f"must be a whole number of seats, not {no_winners!r}")
    else:
        try:
            election.no_winners = int(str(no_winners).strip())
        except ValueError:
            report.error(rel, "no_winners", f"must be a whole number of seats, not {no_winners!r}")
        else:
            if election.no_winners < 1:
                report.error(rel, "no_winners", "must be at least 1")
            elif election.no_winners > 1000:
                report.error(rel, "no_winners", "must be at most 1000")

    for key, default in (("allow_no_opinion", True), ("delete_after", False)):
        value = data.get(key)
        if value is None:
            setattr(election, key, default)
        elif isinstance(value, bool):
            setattr(election, key, value)
        else:
            report.error(rel, key, f"must be True or False, not {value!r}")

    election.show_candidate_fields = _read_field_list(data.get("show_candidate_fields"), rel, report)

    tie_break = data.get("tie_break")
    if isinstance(tie_break, dict):
        # Through JSON so that the stored value is plain (a YAML date becomes its ISO text).
        election.tie_break = json.loads(json.dumps(tie_break, default=str))
    elif tie_break is not None:
        report.warning(rel, "tie_break", "must be a map (order: [...] or seed: ...), ignored")

    # Logins again, from the text-only reading, so that 0123 stays "0123" and not 83.
    raw = _load_yaml(text, rel, _Collector([]), loader=_TextLoader)
    officers = raw.get("election_officers") if isinstance(raw, dict) else None
    if officers is None:
        report.warning(rel, "election_officers", "no election officers listed")
    election.officers = _read_logins(officers, rel, "election_officers", report)
    election.officers_to_open = _read_ballot_box(data.get("ballot_box"), "ballot_box" in data,
                                                 len(election.officers), rel, report)
    if election.officers_to_open is not None:
        box = raw.get("ballot_box") if isinstance(raw, dict) else None
        election.officer_keys = _read_officer_keys(box.get("officer_keys") if isinstance(box, dict) else None,
                                                   election.officers, rel, report)
    election.charter = _read_charter(raw if isinstance(raw, dict) else {}, election.no_winners, rel, report)
    election.bio_rules = read_bio_rules(raw.get("bio") if isinstance(raw, dict) else None, rel, report)


def read_bio_rules(value, rel, report):
    """The rules candidates' bios follow, from ``bio: {max_words: N, recommended_words: N, required_sections: [...]}``:
    a dict with those three keys (0 and [] when not given), or {} when ``value`` is None.

    A rule that cannot be read is an error: an election that declares a rule means it to hold.
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        report.error(rel, "bio", "must be a map such as {max_words: 450, recommended_words: 300, required_sections: "
                                 "['## About Me']}")
        return {}
    value = {str(k): v for k, v in value.items()}
    for unknown in sorted(set(value) - BIO_KEYS):
        report.error(rel, f"bio.{unknown}", "unknown key (the keys are max_words, recommended_words and "
                                            "required_sections)")
    rules = {"max_words": 0, "recommended_words": 0, "required_sections": []}
    for key in ("max_words", "recommended_words"):
        number = value.get(key)
        if number is None:
            continue
        if isinstance(number, str) and number.strip().isdigit():
            number = int(number.strip())
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            report.error(rel, f"bio.{key}", f"must be a whole number of words (at least 1), not {number!r}")
            continue
        rules[key] = number
    if rules["max_words"] and rules["recommended_words"] > rules["max_words"]:
        report.error(rel, "bio.recommended_words", f"{rules['recommended_words']} is above max_words "
                                                   f"({rules['max_words']})")
    sections = value.get("required_sections")
    if isinstance(sections, str):
        sections = [sections]
    if sections is not None and not (isinstance(sections, list)
                                     and all(isinstance(s, str) and s.strip() for s in sections)):
        report.error(rel, "bio.required_sections", "must be a list of headings such as ['## About Me']")
    elif sections:
        rules["required_sections"] = [s.strip() for s in sections]
    return rules


def _read_ballot_box(value, given, officer_count, rel, report):
    """``officers_to_open`` from ``ballot_box: {officers_to_open: K}``, or None (the default mode).

    K officers out of the ``officer_count`` listed must enter their shares to open the box: a whole number
    from 1 to the number of officers. Anything else is an error, since guessing could leave an election that
    nobody can ever count.
    """
    if not given:
        return None
    if not isinstance(value, dict):
        report.error(rel, "ballot_box", "must be a map such as {officers_to_open: 2}")
        return None
    value = {str(k): v for k, v in value.items()}
    for unknown in sorted(set(value) - BALLOT_BOX_KEYS):
        report.error(rel, f"ballot_box.{unknown}", "unknown key (the keys are officers_to_open and officer_keys)")
    if "officers_to_open" not in value:
        report.error(rel, "ballot_box.officers_to_open", "is required in ballot_box")
        return None
    k = value["officers_to_open"]
    if isinstance(k, str) and k.strip().isdigit():
        k = int(k.strip())
    if isinstance(k, bool) or not isinstance(k, int):
        report.error(rel, "ballot_box.officers_to_open", f"must be a whole number of officers, not {k!r}")
        return None
    if officer_count == 0:
        report.error(rel, "ballot_box.officers_to_open", "needs election_officers to share the key among")
        return None
    if not 1 <= k <= officer_count:
        report.error(rel, "ballot_box.officers_to_open",
                     f"must be from 1 to the number of election_officers ({officer_count}), not {k}")
        return None
    return k


def _read_officer_keys(value, officers, rel, report):
    """Each officer's usable public keys from ``ballot_box.officer_keys`` (login -> a key or a list of keys).

    Every officer needs at least one key that age can encrypt to: their share is encrypted to all of them.
    An invalid key, or an officer left with no usable key, is an error naming the officer and the field; a key
    type age cannot use (an ``sk-`` hardware key) is skipped with a warning naming the officer.
    """
    field_name = "ballot_box.officer_keys"
    if value is None:
        value = {}
    if not isinstance(value, dict):
        report.error(rel, field_name, "must be a map of each officer's GitHub login to their public key or keys")
        return {}
    keys = {}
    for name, listed in value.items():
        login = normalize_login(name)
        where = f"{field_name}.{login}"
        if login not in officers:
            report.error(rel, where, f"{login} is not one of the election_officers")
            continue
        if login in keys:
            report.error(rel, where, f"{login} is listed twice")
            continue
        if listed is None:
            listed = []
        if isinstance(listed, str):
            listed = [listed]
        if not isinstance(listed, list):
            report.error(rel, where, "must be a public key, or a list of public keys")
            continue
        usable = []
        for number, text in enumerate(listed, 1):
            label = f"key {number} of {login}" if len(listed) > 1 else f"the key of {login}"
            try:
                key = officer_keys.key_read(text)
            except officer_keys.KeyUnusable as exc:
                report.warning(rel, where, f"{label} skipped: {exc}")
                continue
            except officer_keys.KeyInvalid as exc:
                report.error(rel, where, f"{label} is invalid: {exc}")
                continue
            if key.text not in {k["key"] for k in usable}:
                usable.append(key.to_dict())
        keys[login] = usable
    for login in officers:
        already = any(p.path == rel and p.field == f"{field_name}.{login}" and p.severity == ERROR
                      for p in report.problems)
        if not keys.get(login) and not already:
            report.error(rel, f"{field_name}.{login}",
                         f"officer {login} has no usable public key: their share of the ballot box key is "
                         "encrypted to it (an age1... recipient, or an ssh-ed25519 or ssh-rsa key as "
                         f"github.com/{login}.keys shows it)")
    return {login: keys[login] for login in sorted(keys) if keys[login]}


def _read_charter(raw, seats, rel, report):
    """The charter's rules from the text-only reading (logins and names stay text), each key on its own so
    that every wrong one is reported."""
    readers = {
        "representation": lambda v: Rules(representation=representation_from_yaml(v)),
        "seat_terms": lambda v: Rules(seat_terms=seat_terms_from_yaml(v, seats)),
        "disqualified": lambda v: Rules(disqualified=disqualified_from_yaml(v)),
    }
    charter = {}
    for key, read in readers.items():
        if raw.get(key) is None:
            continue
        try:
            charter.update(read(raw[key]).to_dict())
        except RuleError as exc:
            report.error(rel, exc.field, exc.message)
    return charter


def _check_charter(election, rel, report):
    """Rules that name candidates must name this election's candidates (IDs compare case-insensitively)."""
    ids = {c.candidate_id.lower(): c.candidate_id for c in election.candidates}
    for i, entry in enumerate(election.charter.get("disqualified", [])):
        candidate = ids.get(entry["candidate"].lower())
        if candidate is None:
            report.error(rel, f"disqualified[{i}].candidate", f"no candidate {entry['candidate']!r} in this election")
        else:
            entry["candidate"] = candidate
    representation = election.charter.get("representation")
    if not representation:
        return
    for i, member in enumerate(representation["continuing"]):
        if member["login"].lower() in ids:
            report.error(rel, f"representation.continuing[{i}].login", f"{member['login']!r} is a candidate in this "
                         "election; continuing members are those not up for election")
    info_field = representation["field"]
    for candidate in election.candidates:
        if not candidate.info.get(info_field, "").strip():
            report.warning(candidate.source_file, "info", f"no {info_field!r}: this candidate never counts against "
                           "the representation limit")


def _read_field_list(value, rel, report):
    if value is None:
        return []
    if isinstance(value, str | int | float):
        value = [value]
    if not isinstance(value, list):
        report.warning(rel, "show_candidate_fields", "must be a list of info fields, ignored")
        return []
    fields = []
    for item in value:
        if item is None:
            continue
        if isinstance(item, dict | list):
            report.warning(rel, "show_candidate_fields", f"{item!r} is not a field name, ignored")
            continue
        text = _text(item)
        if text and text not in fields:
            fields.append(text)
    return fields


def _read_logins(value, rel, field_name, report, entry_lines=None):
    """Distinct, lower-case, sorted logins; a warning for duplicates and for entries that are not logins, on the
    line of the first such entry (from ``entry_lines()``, the file's ``{field: line}``, when given)."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        report.error(rel, field_name, "must be a list of GitHub logins")
        return []
    logins = set()
    duplicates = set()
    invalid = []
    addresses = []
    first = {}  # the index of the first entry of each kind of problem
    for index, item in enumerate(value):
        if item is None:
            continue
        if isinstance(item, dict | list):
            invalid.append(repr(item))
            first.setdefault("invalid", index)
            continue
        login = normalize_login(item)
        if not is_valid_login(login):
            kind = "address" if _EMAIL.fullmatch(login) else "invalid"
            (addresses if kind == "address" else invalid).append(repr(str(item)))
            first.setdefault(kind, index)
            continue
        if login in logins:
            duplicates.add(login)
            first.setdefault("duplicate", index)
        logins.add(login)

    def line(kind):
        known = entry_lines() if entry_lines is not None else report.lines.get(rel, {})
        return known.get(f"{field_name}[{first[kind]}]")

    if duplicates:
        shown = ", ".join(sorted(duplicates)[:10]) + (", ..." if len(duplicates) > 10 else "")
        report.warning(rel, field_name, f"{len(duplicates)} login(s) listed more than once (case-insensitive): "
                       f"{shown}", line=line("duplicate"))
    if invalid:
        shown = ", ".join(invalid[:10]) + (", ..." if len(invalid) > 10 else "")
        report.warning(rel, field_name, f"{len(invalid)} entry(ies) are not GitHub logins, ignored: {shown}",
                       line=line("invalid"))
    if addresses:
        shown = ", ".join(addresses[:10]) + (", ..." if len(addresses) > 10 else "")
        report.warning(rel, field_name, f"{len(addresses)} e-mail address(es) where GitHub logins belong, ignored: "
                                        f"{shown}; write each person's GitHub login instead", line=line("address"))
    return sorted(logins)


def _entry_lines(text, rel, report):
    """A function giving the file's ``{field: line}`` with the line of each list entry, read from the YAML only
    when first asked (a roll with nothing wrong is never read twice)."""

    @functools.cache
    def lines():
        known = report.lines.setdefault(rel, {})
        reader = _TextLoader(text)
        try:
            _key_lines(reader.get_single_node(), known, 0)
        except yaml.YAMLError:
            pass
        finally:
            reader.dispose()
        return known

    return lines


# voters.yaml as communities write it: the key, then one login a line, with comments and blank lines. Such a
# file is read line by line; anything else (another key, a flow list, anchors, tabs, other quoting) goes to the
# YAML parser. The lines accepted here are exactly those whose YAML value is the login as written.
_VOTERS_KEY_LINE = re.compile(r"eligible_voters:(?:[ ]+#.*)?[ ]*")
_VOTER_LINE = re.compile(
    r"(?P<indent>[ ]*)-[ ]+(?:(?P<plain>[A-Za-z0-9][A-Za-z0-9-]*)|'(?P<single>[A-Za-z0-9-]+)'|"
    r'"(?P<double>[A-Za-z0-9-]+)")(?:[ ]+#.*)?[ ]*'
)
_VOTERS_KEY_AT = re.compile(r"^eligible_voters[ ]*:", re.MULTILINE)
_QUIET_LINE = re.compile(r"[ ]*(?:#.*)?")  # blank, or a comment only
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e\n]*")
_YAML_NULLS = {"null", "Null", "NULL"}  # plain scalars that YAML reads as null even in _TextLoader


def _plain_voter_list(text):
    """``{"eligible_voters": [...]}`` as YAML (``_TextLoader``) would read ``text``, when ``text`` is a plain
    list of logins; None when it is anything else, for the YAML parser to read."""
    text = text.replace("\r\n", "\n")
    # A lone "\r" breaks a line for YAML, even inside a comment: such a file is YAML's to read.
    if "\r" in text or not _PRINTABLE_ASCII.fullmatch(text):
        return None
    lines = text.split("\n")
    number = 0
    while number < len(lines) and _QUIET_LINE.fullmatch(lines[number]):
        number += 1
    if number == len(lines) or not _VOTERS_KEY_LINE.fullmatch(lines[number]):
        return None
    logins, indent = [], None
    for line in lines[number + 1 :]:
        match = _VOTER_LINE.fullmatch(line)
        if match is None:
            if _QUIET_LINE.fullmatch(line):
                continue
            return None
        if indent is None:
            indent = match["indent"]
        elif match["indent"] != indent:
            return None
        login = match["plain"] or match["single"] or match["double"]
        if match["plain"] in _YAML_NULLS:
            return None
        logins.append(login)
    return {"eligible_voters": logins} if logins else None


def _read_voters(election, root, folder, report):
    path = folder / "voters.yaml"
    rel = _rel(root, path)
    if not path.exists() and not path.is_symlink():
        report.warning(rel, "", "missing: no one is eligible to vote")
        return
    text = _read_text(root, path, report)
    if text is None:
        return
    key = _VOTERS_KEY_AT.search(text)
    if key is not None:
        report.lines[rel] = {"eligible_voters": text.count("\n", 0, key.start()) + 1}
    data = _plain_voter_list(text) or _load_yaml(text, rel, report, loader=_TextLoader)
    if data is None:
        if not _has_problem(report, rel):
            report.warning(rel, "eligible_voters", "missing: no one is eligible to vote")
        return
    if not isinstance(data, dict) or "eligible_voters" not in data:
        report.error(rel, "eligible_voters", "missing: the file must hold eligible_voters: with a list of logins")
        return
    if data["eligible_voters"] is None:
        report.warning(rel, "eligible_voters", "empty: no one is eligible to vote")
        return
    election.voters = _read_logins(data["eligible_voters"], rel, "eligible_voters", report,
                                   entry_lines=_entry_lines(text, rel, report))


def _read_markdown(root, path, report, what):
    if not path.exists() and not path.is_symlink():
        if what:
            report.warning(_rel(root, path), "", f"missing: the election has no {what}")
        return ""
    text = _read_text(root, path, report)
    return (text or "").strip()


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
