"""A community charter's rules for filling seats, as declared in ``election.yaml``. Pure Python, no Django.

Three optional keys, read by the meta-format parser and applied by the count (``elections.counting.seats``):

``representation``
    How many seats one organization may hold on the whole committee::

        representation:
          field: employer              # the candidate info field naming the organization (default: employer)
          max_per_organization: 2      # seats one organization may hold, continuing members included
          continuing:                  # members not up for election, with their organizations
            - {login: somebody, organization: Example Corp}
          same_organization:           # optional: names that count as one organization (conglomerates)
            - [Example Corp, Example Cloud]

          no_organization:             # optional: values that say "no organization" (this is the default)
            [Independent, N/A, NA, None, "-", ""]

    Organization names compare case-insensitively, ignoring surrounding spaces and repeated inner spaces.
    A candidate (or continuing member) with no organization never counts against the limit: the field absent
    or blank, one of the ``no_organization`` values, or a value that starts with ``N/A -`` or ``NA -``
    ("NA - Independent").

``seat_terms``
    Terms of office by seat, in the order seats are filled::

        seat_terms:
          - {seats: 3, term: two years}
          - {seats: 3, term: one year}

    The tiers must add up to ``no_winners``.

``disqualified``
    Candidates removed from the winners after the close, with the reason::

        disqualified:
          - {candidate: some-id, reason: Code of conduct violation}

    Officers can also disqualify a candidate on the site; both lists apply.

Every problem is a ``RuleError`` whose ``field`` names the setting (``representation.continuing[2].login``),
so the parser can report it against the file.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "DEFAULT_NO_ORGANIZATION",
    "NO_RULES",
    "Representation",
    "RuleError",
    "Rules",
    "SeatTerm",
    "organization_key",
    "representation_from_yaml",
    "rules_from_yaml",
    "seat_terms_from_yaml",
]

REPRESENTATION_KEYS = {"field", "max_per_organization", "continuing", "same_organization", "no_organization"}
# What candidates write for "no organization" (Kubernetes' candidate files hold each of these).
DEFAULT_NO_ORGANIZATION = ("Independent", "N/A", "NA", "None", "-", "")
# "N/A - between jobs", "NA - Independent": not applicable, with a word of explanation.
_NOT_APPLICABLE = re.compile(r"^(?:n/a|na)\s*-")
CONTINUING_KEYS = {"login", "organization"}
SEAT_TERM_KEYS = {"seats", "term"}
DISQUALIFIED_KEYS = {"candidate", "reason"}


class RuleError(ValueError):
    """A rule that cannot be applied. ``field`` is the setting's path, e.g. ``representation.field``."""

    def __init__(self, field, message):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


_SPACES = re.compile(r"\s+")


def organization_key(name):
    """How organization names compare: trimmed, inner spaces collapsed, case-folded; None for no name."""
    if name is None:
        return None
    key = _SPACES.sub(" ", str(name)).strip().casefold()
    return key or None


@dataclass(frozen=True)
class Representation:
    """``max_per_organization`` seats per organization, counting ``continuing`` ((login, organization) pairs).

    ``same_organization`` holds groups of names that count as one organization.
    """

    max_per_organization: int
    field: str = "employer"
    continuing: tuple = ()
    same_organization: tuple = ()
    no_organization: tuple = DEFAULT_NO_ORGANIZATION

    def is_no_organization(self, name):
        """Whether ``name`` says "no organization": absent, blank, a ``no_organization`` value, or "N/A - ..."."""
        key = organization_key(name)
        return (key is None or key in {organization_key(v) for v in self.no_organization}
                or bool(_NOT_APPLICABLE.match(key)))

    def key(self, name):
        """The organization ``name`` counts as (a conglomerate's first listed name, compared as above); None for
        no organization."""
        if self.is_no_organization(name):
            return None
        key = organization_key(name)
        for group in self.same_organization:
            keys = [organization_key(n) for n in group]
            if key in keys:
                return keys[0]
        return key

    def to_dict(self):
        return {
            "field": self.field,
            "max_per_organization": self.max_per_organization,
            "continuing": [{"login": login, "organization": org} for login, org in self.continuing],
            "same_organization": [list(group) for group in self.same_organization],
            # Only when declared otherwise: rules stored before the key existed read back the same.
            **({"no_organization": list(self.no_organization)}
               if self.no_organization != DEFAULT_NO_ORGANIZATION else {}),
        }


@dataclass(frozen=True)
class SeatTerm:
    seats: int
    term: str


@dataclass(frozen=True)
class Rules:
    """Everything a charter adds to the count. ``disqualified`` holds (candidate ID, reason) pairs."""

    representation: Representation | None = None
    seat_terms: tuple = ()
    disqualified: tuple = ()

    @property
    def declared(self):
        return bool(self.representation or self.seat_terms or self.disqualified)

    def disqualified_reasons(self):
        return dict(self.disqualified)

    def to_dict(self):
        """The rules as stored (``Election.charter``) and as read back by ``rules_from_yaml``."""
        data = {}
        if self.representation:
            data["representation"] = self.representation.to_dict()
        if self.seat_terms:
            data["seat_terms"] = [{"seats": t.seats, "term": t.term} for t in self.seat_terms]
        if self.disqualified:
            data["disqualified"] = [{"candidate": c, "reason": r} for c, r in self.disqualified]
        return data

    def organizations(self, infos):
        """Candidate ID -> the organization their profile names in the representation field, for ``infos``
        ((candidate ID, info mapping) pairs, read only when there is a representation rule); else empty."""
        if self.representation is None:
            return {}
        field = self.representation.field
        return {candidate_id: (info or {}).get(field) for candidate_id, info in infos}

    def with_disqualified(self, more):
        """These rules plus further (candidate, reason) pairs (an officer's decisions); first reason kept."""
        known = dict(self.disqualified)
        for candidate, reason in more:
            known.setdefault(candidate, reason)
        return Rules(self.representation, self.seat_terms, tuple(known.items()))


NO_RULES = Rules()


# ---------------------------------------------------------------------------------------------------------
# Reading election.yaml


def _whole(value, field, *, minimum=1):
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RuleError(field, f"must be a whole number, not {value!r}")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise RuleError(field, f"must be a whole number, not {value!r}") from None
    if number < minimum:
        raise RuleError(field, f"must be at least {minimum}")
    return number


def _name(value, field, *, required=True):
    if isinstance(value, dict | list | bool):
        raise RuleError(field, f"must be text, not {value!r}")
    text = "" if value is None else _SPACES.sub(" ", str(value)).strip()
    if required and not text:
        raise RuleError(field, "is required")
    return text


def _list(value, field):
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise RuleError(field, "must be a list")
    return list(value)


def _map(value, field, keys):
    if not isinstance(value, Mapping):
        raise RuleError(field, f"must be a map with {', '.join(sorted(keys))}")
    unknown = sorted(str(k) for k in value if str(k) not in keys)
    if unknown:
        raise RuleError(f"{field}.{unknown[0]}", f"unknown setting (expected {', '.join(sorted(keys))})")
    return {str(k): v for k, v in value.items()}


def representation_from_yaml(value):
    """``representation:`` as a Representation; raises RuleError for unknown or contradictory settings.

    Contradictions: a name in two conglomerates, or listed twice in one; a continuing member listed twice;
    continuing members of one organization already holding more seats than the maximum.
    """
    base = "representation"
    data = _map(value, base, REPRESENTATION_KEYS)
    if "max_per_organization" not in data:
        raise RuleError(f"{base}.max_per_organization", "is required: the seats one organization may hold")
    maximum = _whole(data["max_per_organization"], f"{base}.max_per_organization")
    info_field = _name(data.get("field", "employer"), f"{base}.field")

    groups, seen = [], {}
    for i, group in enumerate(_list(data.get("same_organization") or [], f"{base}.same_organization")):
        where = f"{base}.same_organization[{i}]"
        names = [_name(n, f"{where}[{j}]") for j, n in enumerate(_list(group, where))]
        if len(names) < 2:
            raise RuleError(where, "must list at least two names that count as one organization")
        for name in names:
            key = organization_key(name)
            if key in seen:
                other = seen[key]
                raise RuleError(where, f"{name!r} is already listed in same_organization[{other}]"
                                if other != i else f"{name!r} is listed twice")
            seen[key] = i
        groups.append(tuple(names))

    continuing, logins = [], set()
    for i, member in enumerate(_list(data.get("continuing") or [], f"{base}.continuing")):
        where = f"{base}.continuing[{i}]"
        member = _map(member, where, CONTINUING_KEYS)
        login = _name(member.get("login"), f"{where}.login").lstrip("@")
        if login.lower() in logins:
            raise RuleError(f"{where}.login", f"{login!r} is listed twice")
        logins.add(login.lower())
        continuing.append((login, _name(member.get("organization"), f"{where}.organization", required=False)))

    no_organization = DEFAULT_NO_ORGANIZATION
    if "no_organization" in data:
        no_organization = tuple(_name(v, f"{base}.no_organization[{i}]", required=False)
                                for i, v in enumerate(_list(data["no_organization"] or [],
                                                            f"{base}.no_organization")))
    representation = Representation(maximum, info_field, tuple(continuing), tuple(groups), no_organization)
    held = {}
    for login, organization in continuing:
        key = representation.key(organization)
        if key is not None:
            held.setdefault(key, []).append(login)
    for members in held.values():
        if len(members) > maximum:
            raise RuleError(f"{base}.continuing", f"{', '.join(members)} already hold {len(members)} seats for one "
                            f"organization, more than max_per_organization ({maximum})")
    return representation


def seat_terms_from_yaml(value, seats):
    """``seat_terms:`` as SeatTerm tiers; they must add up to ``seats`` (no_winners)."""
    base = "seat_terms"
    tiers = []
    for i, tier in enumerate(_list(value, base)):
        where = f"{base}[{i}]"
        tier = _map(tier, where, SEAT_TERM_KEYS)
        tiers.append(SeatTerm(_whole(tier.get("seats"), f"{where}.seats"), _name(tier.get("term"), f"{where}.term")))
    if not tiers:
        raise RuleError(base, "must list at least one tier")
    total = sum(t.seats for t in tiers)
    if total != seats:
        raise RuleError(base, f"the tiers add up to {total} seats, but no_winners is {seats}")
    return tuple(tiers)


def disqualified_from_yaml(value):
    """``disqualified:`` as (candidate ID, reason) pairs; each needs a reason."""
    base = "disqualified"
    pairs, seen = [], set()
    for i, entry in enumerate(_list(value, base)):
        where = f"{base}[{i}]"
        entry = _map(entry, where, DISQUALIFIED_KEYS)
        candidate = _name(entry.get("candidate"), f"{where}.candidate")
        if candidate.lower() in seen:
            raise RuleError(f"{where}.candidate", f"{candidate!r} is listed twice")
        seen.add(candidate.lower())
        pairs.append((candidate, _name(entry.get("reason"), f"{where}.reason")))
    return tuple(pairs)


def rules_from_yaml(data, seats):
    """Rules from a mapping holding any of ``representation``, ``seat_terms``, ``disqualified`` (other keys
    are not looked at). Raises RuleError for the first problem."""
    representation = data.get("representation")
    terms = data.get("seat_terms")
    disqualified = data.get("disqualified")
    return Rules(
        representation=None if representation is None else representation_from_yaml(representation),
        seat_terms=() if terms is None else seat_terms_from_yaml(terms, seats),
        disqualified=() if disqualified is None else disqualified_from_yaml(disqualified),
    )
