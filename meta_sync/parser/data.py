"""What reading the meta repository gives: ``ElectionData`` for one election folder (its ``CandidateData``
among it) and ``MetaTree`` for all the folders below the election dir. No Django here."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass

from .problems import ERROR, WARNING


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
