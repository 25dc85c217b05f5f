"""Lists of GitHub logins, as ``election.yaml`` (``election_officers``) and ``voters.yaml``
(``eligible_voters``) hold them: distinct and lower-case, with a warning for duplicates, e-mail addresses and
entries that are not logins, on the line of the first such entry. No Django here."""

import functools
import re

import yaml

from accounts.github import is_valid_login, normalize_login

from .files import _key_lines, _TextLoader

# An e-mail address where a login belongs: said so, rather than "not a login".
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


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
