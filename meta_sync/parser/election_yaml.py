"""``election.yaml``: the election's name, dates (``parse_datetime``), seats and options, its officers, tie-break,
the rules candidates' bios follow (``bio:``) and a charter's rules, checked against the candidates once they are
read (``_check_charter``). Its ``ballot_box:`` map is read by ``ballot_box``. No Django here."""

import datetime as dt
import json

from elections.counting.charter import (
    RuleError,
    Rules,
    disqualified_from_yaml,
    representation_from_yaml,
    seat_terms_from_yaml,
)

from .ballot_box import _read_ballot_box, _read_officer_keys
from .files import _load_yaml, _read_text, _rel, _text, _TextLoader
from .logins import _read_logins
from .problems import _Collector, _has_problem

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
ALIASES = {"exceptions_due": "exception_due"}


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
