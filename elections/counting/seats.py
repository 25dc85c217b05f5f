"""Filling seats from a ranking: declared tie-breaks and a charter's rules. Pure Python, no Django.

``fill_seats`` walks the ranking (groups of tied candidates, best first) and elects candidates until every
seat is filled, exactly as the charters say:

* a **disqualified** candidate is passed over (they stay in the ranking, marked), and choices move one down;
* a candidate whose **organization is full** (``max_per_organization`` seats held by continuing members and
  by candidates elected above them) is passed over, and choices move one down. A candidate with no
  organization never counts against the limit;
* a group of tied candidates is elected whole when it fits in the seats left (and within the limits). When
  it does not, the group **ties** for the seats it can fill: a declared tie-break orders it (the limits still
  apply in that order), or, without one, the tie stands. Filling then goes on under every way of breaking it
  (each set of tied candidates the limits let take those seats): a candidate elected under all of them is
  elected, and only the seats whose holder differs between them stay undecided. Under a representation limit
  a tie can leave later seats certain (A and B of one organization tie for its last place: whichever takes it,
  the next candidate of another organization is elected after them);
* when the candidates run out before the seats do, the remaining seats stay **unfilled**.

With no rules declared this is the plain Schulze rule: the top groups take the seats.

Tie-break (``tie_break`` in election.yaml)
    * ``{"order": ["id1", "id2", ...]}``: the tied candidates are taken in list order. If the list does not
      name every tied candidate, the tie stands and the note says who is missing.
    * ``{"seed": "text fixed before voting"}``: each tied candidate gets the SHA-256 hex digest of
      ``"<seed>:<candidate id>"`` and the lowest digests win (``printf '%s' 'seed:alice' | sha256sum``).
"""

import hashlib
import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from elections.counting.charter import NO_RULES, Rules, organization_key

__all__ = ["Seating", "check_tie_break", "disclosure", "fill_seats", "seed_digest"]

LIMIT = "limit"
DISQUALIFIED = "disqualified"
# How many ways of breaking ties (over all the ties met, nested ones included) the count follows before it
# leaves a tie standing with the seats after it undecided: ties within the limits are small; a tie of dozens
# of candidates is left as it stands rather than explored at length.
MAX_TIE_RESOLUTIONS = 5000


@dataclass(frozen=True)
class Seating:
    """Who takes the seats, and everything the officers must disclose about it.

    ``winners`` in seat order. ``tie``: None or ``{"candidates": [...], "seats": k}``, the (last) tie met;
    ``tie_break_note``: how it was broken, or why it stands. ``skipped``: candidates passed over while
    filling, in ranking order, each ``{"candidate", "place", "because" ("limit" or "disqualified"),
    "organization", "detail", "replaced_by"}`` (``replaced_by`` only for those who would have won
    without the rules). ``unfilled``: seats no remaining candidate could take. ``undecided``: seats an
    unbroken tie leaves open. ``terms``: ``[{"seat", "candidate", "term"}]`` when seat terms are declared.
    """

    seats: int
    winners: list
    tie: dict | None = None
    tie_break_note: str | None = None
    skipped: list = field(default_factory=list)
    unfilled: int = 0
    undecided: int = 0
    terms: list = field(default_factory=list)
    rules: Rules = NO_RULES
    # Candidate ID -> organization as written on the candidate's profile (only with representation limits).
    organizations: dict = field(default_factory=dict)
    # The holder of each seat filled or undecided, in seat order: None for a seat whose holder depends on a tie.
    seat_holders: list = field(default_factory=list)

    @property
    def disqualified(self):
        return self.rules.disqualified_reasons()

    @property
    def without_organization(self):
        """``[(candidate, what their profile says or None)]``: those counted as having no organization (under a
        representation limit), in candidate order."""
        rep = self.rules.representation
        if rep is None:
            return []
        return [(c, name) for c, name in self.organizations.items() if rep.is_no_organization(name)]

    @property
    def limits_declared(self):
        return self.rules.representation is not None

    @property
    def limits_invoked(self):
        """Whether the representation limit passed over anyone (the sentence Kubernetes publishes)."""
        return any(s["because"] == LIMIT for s in self.skipped)

    @property
    def limits_sentence(self):
        if not self.limits_declared:
            return "No proportional representation limits were declared for this election."
        if self.limits_invoked:
            return "Proportional representation limits were invoked for this election."
        return "Proportional representation limits were not invoked for this election."

    def to_dict(self):
        rep = self.rules.representation
        return {
            "representation": None if rep is None else rep.to_dict(),
            "limits_invoked": self.limits_invoked,
            "limits_sentence": self.limits_sentence,
            "disqualified": [{"candidate": c, "reason": r} for c, r in self.rules.disqualified],
            "skipped": [dict(s) for s in self.skipped],
            "unfilled_seats": self.unfilled,
            "seat_terms": [dict(t) for t in self.terms],
            "organizations": dict(self.organizations),
            "explanation": disclosure(self),
        }


def seed_digest(seed, candidate):
    """The seeded tie-break's key for one candidate: SHA-256 hex of ``"<seed>:<candidate>"`` (lowest wins)."""
    return hashlib.sha256(f"{seed}:{candidate}".encode()).hexdigest()


def check_tie_break(tie_break):
    """Raise ValueError unless ``tie_break`` is None, ``{"order": [IDs]}`` or ``{"seed": "text"}``."""
    if tie_break is None:
        return
    if not isinstance(tie_break, Mapping) or set(tie_break) not in ({"order"}, {"seed"}):
        raise ValueError('tie_break must be {"order": [candidate IDs]} or {"seed": "text"}, '
                         f"not {tie_break!r}")
    if "order" in tie_break:
        order = tie_break["order"]
        if isinstance(order, str) or not isinstance(order, Sequence) or not all(
                isinstance(c, str) and c for c in order):
            raise ValueError(f"tie_break order must be a list of candidate IDs, not {order!r}")
        if len(set(order)) != len(order):
            raise ValueError("tie_break order lists a candidate twice")
    elif not isinstance(tie_break["seed"], str) or not tie_break["seed"]:
        raise ValueError(f"tie_break seed must be non-empty text, not {tie_break['seed']!r}")


def seats_phrase(k):
    return "1 seat" if k == 1 else f"{k} seats"


def _break_tie(group, seats, tie_break):
    """``(ordered candidates or None, how)``: the tie-break's order of ``group``, or None when it cannot
    order it (then ``how`` says why the tie stands)."""
    listed = ", ".join(group)
    if tie_break is None:
        return None, None
    if "order" in tie_break:
        order = list(tie_break["order"])
        missing = [c for c in group if c not in order]
        if missing:
            return None, (f"{listed} tie for {seats_phrase(seats)}. The declared tie-break order does not "
                          f"list {', '.join(missing)}, so the tie stands.")
        return (sorted(group, key=order.index),
                f"the declared tie-break order ({', '.join(c for c in order if c in group)}; first preferred)")
    seed = tie_break["seed"]
    by_digest = sorted(group, key=lambda c: seed_digest(seed, c))
    digests = "; ".join(f"{c} {seed_digest(seed, c)[:12]}…" for c in by_digest)
    return by_digest, (f"the declared tie-break seed {seed!r} (SHA-256 of \"seed:candidate\", lowest first: "
                       f"{digests})")


class _Committee:
    """Seats held per organization: continuing members first, then each candidate elected."""

    def __init__(self, representation, organizations):
        self.rep = representation
        self.names = {c: (organizations.get(c) or "").strip() or None for c in organizations}
        self.holders = {}
        if representation:
            for login, organization in representation.continuing:
                key = representation.key(organization)
                if key is not None:
                    self.holders.setdefault(key, []).append((login, "continuing"))

    def key(self, candidate):
        return self.rep.key(self.names.get(candidate)) if self.rep else None

    def room(self, key):
        return self.rep.max_per_organization - len(self.holders.get(key, [])) if key is not None else None

    def is_full(self, candidate):
        key = self.key(candidate)
        return key is not None and self.room(key) <= 0

    def seat(self, candidate):
        key = self.key(candidate)
        if key is not None:
            self.holders.setdefault(key, []).append((candidate, "elected"))

    def electable(self, group):
        """How many of ``group`` the limits allow together."""
        per_key = Counter(self.key(c) for c in group)
        return sum(n if key is None else min(n, max(self.room(key), 0)) for key, n in per_key.items())

    def holders_of(self, candidate):
        """Who holds the seats of ``candidate``'s organization: [{"who": login or ID, "as": "continuing" or
        "elected"}]."""
        return [{"who": who, "as": role} for who, role in self.holders.get(self.key(candidate), [])]

    def why_full(self, candidate):
        key = self.key(candidate)
        name = self.names.get(candidate)
        holders = self.holders[key]
        group = next((g for g in self.rep.same_organization if organization_key(g[0]) == key), ())
        others = [n for n in group if organization_key(n) != organization_key(name)]
        counted = f" (counted as one organization with {', '.join(others)})" if others else ""
        return (f"{name}{counted} already holds {len(holders)} of at most {self.rep.max_per_organization} seats: "
                f"{', '.join(f'{who} ({role})' for who, role in holders)}")


def fill_seats(ranking, seats, *, tie_break=None, rules=None, organizations=None):
    """Fill ``seats`` from ``ranking`` (groups of tied candidate IDs, best first). Returns a ``Seating``.

    ``rules`` (elections.counting.charter.Rules) adds representation limits, seat terms and disqualifications;
    ``organizations`` maps candidate IDs to the value of the representation field on their profile (absent
    or blank: no organization). See the module docstring for the rule, ties included: an unbroken tie leaves
    undecided only the seats that some way of breaking it would fill differently.
    """
    rules = rules or NO_RULES
    organizations = dict(organizations or {})
    seating = _fill(list(ranking), seats, tie_break=tie_break, rules=rules, organizations=organizations,
                    budget=[MAX_TIE_RESOLUTIONS])
    if seating.skipped:
        _name_replacements(seating, ranking, seats, tie_break)
    return seating


def _fill(ranking, seats, *, tie_break, rules, organizations, budget, first_place=1, seated=()):
    """``fill_seats`` for ``seats`` more seats from ``ranking``, whose first group is at ``first_place``, after
    ``seated`` (candidates already elected above it, who hold their organizations' seats)."""
    disqualified = rules.disqualified_reasons()
    committee = _Committee(rules.representation, organizations)
    for candidate in seated:
        committee.seat(candidate)
    winners, skipped, notes = [], [], []
    tie = None
    stopped = False
    place = first_place
    by_seat = None
    undecided = 0
    for index, group in enumerate(ranking):
        group_place, place = place, place + len(group)
        left = seats - len(winners)
        if left <= 0:
            break
        contenders = []
        for candidate in group:
            if candidate in disqualified:
                skipped.append(_skip(candidate, group_place, DISQUALIFIED, None,
                                     f"disqualified: {disqualified[candidate]}"))
            elif committee.is_full(candidate):
                skipped.append(_skip(candidate, group_place, LIMIT, committee.names.get(candidate),
                                     committee.why_full(candidate), committee.holders_of(candidate)))
            else:
                contenders.append(candidate)
        if not contenders:
            continue
        electable = min(left, committee.electable(contenders))
        if electable == len(contenders):
            for candidate in contenders:
                winners.append(candidate)
                committee.seat(candidate)
            continue
        tie = {"candidates": list(contenders), "seats": electable}
        ordered, how = _break_tie(contenders, electable, tie_break)
        if ordered is None:
            if how:
                notes.append(how)
            stopped = True
            followed = _follow_tie(contenders, electable, winners, ranking[index + 1:], left - electable,
                                   rules=rules, organizations=organizations, budget=budget, first_place=place)
            if followed is not None:
                tie, by_seat, winners, undecided = (followed["tie"], followed["by_seat"], followed["winners"],
                                                    followed["undecided"])
                skipped += followed["skipped"]
                if followed["note"]:
                    notes.append(followed["note"])
            break
        chosen = []
        for candidate in ordered:
            if committee.is_full(candidate):
                skipped.append(_skip(candidate, group_place, LIMIT, committee.names.get(candidate),
                                     committee.why_full(candidate) + " (after the tie-break)",
                                     committee.holders_of(candidate), after_tie_break=True))
            elif len(chosen) < electable:
                chosen.append(candidate)
                committee.seat(candidate)
        winners.extend(chosen)
        notes.append(f"{', '.join(contenders)} tie for {seats_phrase(electable)}; broken by {how}: "
                     f"{', '.join(chosen)} elected.")

    open_seats = seats - len(winners)
    if by_seat is not None:
        unfilled = open_seats - undecided
    else:
        undecided, unfilled = (open_seats, 0) if stopped else (0, open_seats)
        by_seat = winners + [None] * undecided
    return Seating(
        seats=seats,
        winners=winners,
        tie=tie,
        tie_break_note=" ".join(notes) or None,
        skipped=skipped,
        undecided=undecided,
        unfilled=unfilled,
        terms=_terms(rules.seat_terms, by_seat, seats),
        seat_holders=by_seat,
        rules=rules,
        organizations={c: committee.names.get(c) for c in organizations} if rules.representation else {},
    )


def _follow_tie(contenders, electable, elected, rest, seats_after, *, rules, organizations, budget, first_place):
    """Fill the seats after an unbroken tie under every way of breaking it.

    Each way is a set of ``electable`` tied candidates the limits let in together, seated after ``elected``;
    the ``seats_after`` seats are then filled from ``rest`` (ties there followed the same way). Returns a dict:
    ``by_seat`` (the holder of each seat some way fills, None where the ways differ or the holder's seat is not
    known), ``winners`` (elected under every way, in the order they take seats), ``undecided``
    (seats whose holder depends on the tie), ``tie`` (the candidates elected under some ways but not all, for
    those seats), ``skipped`` (passed over under every way) and ``note``. None when there are no limits (then
    no tied candidate is certain and no seat comes after the tie), or past the budget of ``MAX_TIE_RESOLUTIONS``.
    """
    rep = rules.representation
    if rep is None:
        # Without limits every set of tied candidates can take the seats left, which are the last: no candidate
        # is elected under every way, nothing comes after the tie.
        return None
    committee = _Committee(rep, organizations)
    for candidate in elected:
        committee.seat(candidate)
    outcomes = []
    for chosen in itertools.combinations(contenders, electable):
        if committee.electable(chosen) < electable:
            continue  # the limits would not let all of them in
        budget[0] -= 1
        if budget[0] < 0:
            return None
        after = _fill(rest, seats_after, tie_break=None, organizations=organizations, budget=budget,
                      first_place=first_place, seated=(*elected, *chosen),
                      rules=Rules(rep, (), rules.disqualified))
        if budget[0] < 0:
            return None
        # The tied candidates take their seats in no known order: a seat's holder is known when one takes it.
        tied_seats = list(chosen) if electable == 1 else [None] * electable
        # Who may take a seat this way: those elected, then those a later tie leaves in the balance.
        may_sit = [*elected, *chosen, *after.winners, *(after.tie["candidates"] if after.undecided else ())]
        outcomes.append((set(chosen) | set(after.winners), [*elected, *tied_seats, *after.seat_holders], after,
                         may_sit))
    if not outcomes:
        return None
    certain = set(elected) | set.intersection(*(o[0] for o in outcomes))
    length = max(len(o[1]) for o in outcomes)
    by_seat = []
    for i in range(length):
        holders = {o[1][i] if i < len(o[1]) else None for o in outcomes}
        by_seat.append(holders.pop() if len(holders) == 1 else None)
    # Everyone who may take a seat under some way, in seat order (the tied ones in the order they tied).
    order = list(dict.fromkeys(c for o in outcomes for c in o[3]))
    winners = [c for c in order if c in certain]
    undecided = length - len(winners)
    varying = [c for c in order if c not in certain]
    skipped = [entry for entry in outcomes[0][2].skipped
               if all(entry in o[2].skipped for o in outcomes[1:])]
    later = [c for c in winners if c not in elected and c not in contenders]
    depend = f"{seats_phrase(undecided)} {'depends' if undecided == 1 else 'depend'}"
    note = (f"{', '.join(contenders)} tie for {seats_phrase(electable)}; every way of breaking the tie elects "
            f"{', '.join(later)} after it, so only {depend} on the tie." if later else None)
    return {"by_seat": by_seat, "winners": winners, "undecided": undecided, "skipped": skipped, "note": note,
            "tie": {"candidates": varying, "seats": undecided} if undecided else None}


def _skip(candidate, place, because, organization, detail, holders=(), after_tie_break=False):
    entry = {"candidate": candidate, "place": place, "because": because, "organization": organization,
             "detail": detail, "replaced_by": None}
    if because == LIMIT:
        # The same facts as ``detail``, for pages that word them in the reader's language.
        entry.update(holders=list(holders), after_tie_break=after_tie_break)
    return entry


def _name_replacements(seating, ranking, seats, tie_break):
    """Pair each candidate who would have won without the rules with the one who took a seat instead."""
    plain = fill_seats(ranking, seats, tie_break=tie_break).winners
    newcomers = iter([w for w in seating.winners if w not in plain])
    for entry in seating.skipped:
        if entry["candidate"] in plain:
            entry["replaced_by"] = next(newcomers, None)


def _terms(tiers, winners, seats):
    """The term of each seat, with its holder (``winners`` in seat order; None for a seat still open)."""
    if not tiers:
        return []
    terms, seat = [], 0
    for tier in tiers:
        for _ in range(tier.seats):
            seat += 1
            terms.append({"seat": seat, "candidate": winners[seat - 1] if seat <= len(winners) else None,
                          "term": tier.term})
    return terms[:seats]


def disclosure(seating, who=str):
    """Plain sentences on how the rules shaped the result, for results.md, the results page and the report.

    ``who`` turns a candidate ID into a display name. Empty when no rules were declared and no seat stayed
    unfilled.
    """
    sentences = []
    rep = seating.rules.representation
    if rep:
        text = (f"Representation limit: at most {seats_phrase(rep.max_per_organization)} per organization on the "
                f"whole committee (the candidates' {rep.field!r}), continuing members included")
        if rep.continuing:
            text += ": continuing members " + ", ".join(
                f"{login} ({org or 'no organization'})" for login, org in rep.continuing)
        sentences.append(text + ".")
        for group in rep.same_organization:
            sentences.append(f"{', '.join(group[:-1])} and {group[-1]} count as one organization.")
        if seating.without_organization:
            sentences.append("Counted as having no organization: " + ", ".join(
                f"{who(c)} ({repr(name) if name else f'no {rep.field!r}'})" for c, name in seating.without_organization)
                + ".")
    replaced = {e["candidate"]: e["replaced_by"] for e in seating.skipped if e["replaced_by"]}
    for candidate, reason in seating.rules.disqualified:
        sentence = (f"{who(candidate)} was disqualified: {reason}. They keep their place in the ranking and take "
                    "no seat.")
        if candidate in replaced:
            sentence += f" {who(replaced[candidate])} took the seat they would have won."
        sentences.append(sentence)
    for entry in seating.skipped:
        if entry["because"] == LIMIT:
            sentence = (f"{who(entry['candidate'])} (place {entry['place']}) was passed over by the representation "
                        f"limit: {entry['detail']}.")
            if entry["replaced_by"]:
                sentence += f" {who(entry['replaced_by'])} took the seat instead."
            sentences.append(sentence)
    if seating.unfilled:
        sentences.append(f"{seats_phrase(seating.unfilled).capitalize()} remain unfilled: no remaining candidate can "
                         "take them within the rules.")
    if seating.rules.declared or seating.skipped:
        sentences.append(seating.limits_sentence)
    return sentences
