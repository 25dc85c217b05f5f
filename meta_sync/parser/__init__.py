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

The modules, each named for what it reads, depend on one another in this order only (each on those before it):
``problems`` (what is wrong and where), ``data`` (what the reading gives: ``ElectionData``, ``CandidateData``,
``MetaTree``), ``files`` (one file's text and YAML, safely), ``logins`` (lists of GitHub logins), ``ballot_box``
and ``election_yaml`` (``election.yaml``), ``voters`` (``voters.yaml``), ``candidates`` (``candidate-<id>.md``),
``stamps`` (the folder stamps that let a sync skip unchanged folders) and ``folders`` (the walk below the election
dir, and the reading of each election folder). The names below are the ones the rest of the project uses.
"""

from .ballot_box import BALLOT_BOX_KEYS
from .candidates import CANDIDATE_ID_PATTERN, CANDIDATE_KEYS, parse_candidate_file, split_candidate_text
from .data import CandidateData, ElectionData, MetaTree
from .election_yaml import ALIASES, BIO_KEYS, KNOWN_KEYS, parse_datetime, read_bio_rules
from .files import MAX_FILE_BYTES, MAX_YAML_DEPTH
from .folders import (
    KEY_SEPARATOR,
    election_key,
    find_election_folders,
    is_ambiguous_folder_name,
    parse_election,
    parse_meta_tree,
)
from .problems import ERROR, WARNING, Problem, field_line
from .stamps import folder_stamp

__all__ = [
    "ALIASES",
    "BALLOT_BOX_KEYS",
    "BIO_KEYS",
    "CANDIDATE_ID_PATTERN",
    "CANDIDATE_KEYS",
    "ERROR",
    "KEY_SEPARATOR",
    "KNOWN_KEYS",
    "MAX_FILE_BYTES",
    "MAX_YAML_DEPTH",
    "WARNING",
    "CandidateData",
    "ElectionData",
    "MetaTree",
    "Problem",
    "election_key",
    "field_line",
    "find_election_folders",
    "folder_stamp",
    "is_ambiguous_folder_name",
    "parse_candidate_file",
    "parse_datetime",
    "parse_election",
    "parse_meta_tree",
    "read_bio_rules",
    "split_candidate_text",
]
