"""``voters.yaml``: the voter roll, ``eligible_voters:`` a list of GitHub logins. No Django here."""

import re

from .files import _load_yaml, _read_text, _rel, _TextLoader
from .logins import _entry_lines, _read_logins
from .problems import _has_problem

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
