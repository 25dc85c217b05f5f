"""Properties of seat filling under a charter's rules, for any ballots (hypothesis)."""

import itertools
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from elections.counting.charter import Representation, Rules, organization_key
from elections.counting.seats import fill_seats
from elections.counting.tally import ballots_digest, count
from tests.tally.helpers import plain_seats
from tests.tally.test_properties import elections

ORGANIZATIONS = st.sampled_from(["Acme", "acme ", "Globex", "Initech", "", None])


@st.composite
def charter_elections(draw):
    candidates, ballots = draw(elections())
    organizations = {c: draw(ORGANIZATIONS) for c in candidates}
    continuing = tuple((f"member{i}", draw(ORGANIZATIONS)) for i in range(draw(st.integers(0, 3))))
    maximum = draw(st.integers(1, 3))
    # Keep only settings a parser would accept: continuing members within the limit.
    held = Counter(organization_key(o) for _, o in continuing if organization_key(o))
    continuing = tuple(m for m in continuing if held[organization_key(m[1])] <= maximum)
    seats = draw(st.integers(1, len(candidates) + 1))
    return candidates, ballots, organizations, Representation(maximum, continuing=continuing), seats


@given(charter_elections(), st.sampled_from([None, {"seed": "draw"}]))
def test_no_organization_ever_holds_more_seats_than_the_limit(election, tie_break):
    candidates, ballots, organizations, representation, seats = election
    result = count(candidates, ballots, seats=seats, tie_break=tie_break,
                   rules=Rules(representation=representation), organizations=organizations)

    held = Counter(organization_key(o) for _, o in representation.continuing)
    held.update(organization_key(organizations[w]) for w in result.winners)
    held.pop(None, None)
    assert all(n <= representation.max_per_organization for n in held.values())
    assert len(result.winners) <= seats


@given(charter_elections())
def test_every_seat_is_filled_when_enough_candidates_remain_and_nobody_ties(election):
    candidates, ballots, organizations, representation, seats = election
    result = count(candidates, ballots, seats=seats, tie_break={"seed": "draw"},
                   rules=Rules(representation=representation), organizations=organizations)

    room = Counter({k: representation.max_per_organization - n for k, n in Counter(
        organization_key(o) for _, o in representation.continuing if organization_key(o)).items()})
    by_org = Counter(organization_key(organizations[c]) for c in candidates)
    admissible = by_org.pop(None, 0) + sum(min(n, representation.max_per_organization if k not in room else room[k])
                                           for k, n in by_org.items())
    assert len(result.winners) == min(seats, admissible)
    assert result.unfilled_seats == seats - len(result.winners)


@given(elections(), st.integers(1, 7))
def test_with_no_rules_declared_the_seats_are_the_plain_schulze_seats(election, seats):
    candidates, ballots = election
    plain = count(candidates, ballots, seats=seats)
    with_empty_rules = count(candidates, ballots, seats=seats, rules=Rules(),
                             organizations={c: "X" for c in candidates})

    assert (plain.winners, plain.tie) == plain_seats(plain.ranking, seats)
    assert with_empty_rules.to_dict() == plain.to_dict()
    assert with_empty_rules.seating.skipped == [] and not with_empty_rules.seating.limits_invoked


@given(elections(), st.integers(1, 7), st.data())
def test_seats_never_exceed_no_winners_and_disqualified_candidates_never_win(election, seats, data):
    candidates, ballots = election
    out = data.draw(st.lists(st.sampled_from(candidates), unique=True, max_size=len(candidates)))
    result = count(candidates, ballots, seats=seats, tie_break={"seed": "x"},
                   rules=Rules(disqualified=tuple((c, "reason") for c in out)))

    assert len(result.winners) <= seats
    assert not set(result.winners) & set(out)
    assert len(result.winners) == min(seats, len(candidates) - len(out))
    assert sorted(c for group in result.ranking for c in group) == sorted(candidates)


@given(elections())
def test_the_counts_ballots_digest_is_the_digest_of_the_ballots_file(election):
    candidates, ballots = election
    shuffled = list(reversed(ballots))

    assert count(candidates, ballots).ballots_sha256 == ballots_digest(candidates, ballots)
    assert count(list(reversed(candidates)), shuffled).ballots_sha256 == ballots_digest(candidates, ballots)


# --- An unbroken tie leaves undecided exactly the seats some way of breaking it fills differently -------------


@st.composite
def tied_rankings(draw):
    """A ranking with ties (groups of candidates, best first), organizations, a limit and seats."""
    candidates = [f"c{i}" for i in range(draw(st.integers(2, 6)))]
    cuts = sorted(draw(st.sets(st.integers(1, len(candidates) - 1), max_size=len(candidates) - 1)))
    order = draw(st.permutations(candidates))
    ranking = [list(order[a:b]) for a, b in itertools.pairwise([0, *cuts, len(candidates)])]
    organizations = {c: draw(st.sampled_from(["Acme", "Globex", "Initech", "Independent", ""])) for c in candidates}
    continuing = tuple((f"member{i}", draw(st.sampled_from(["Acme", "Globex"])))
                       for i in range(draw(st.integers(0, 1))))
    representation = draw(st.sampled_from([None, Representation(1, continuing=continuing),
                                           Representation(2, continuing=continuing)]))
    out = draw(st.lists(st.sampled_from(candidates), unique=True, max_size=1))
    rules = Rules(representation=representation, disqualified=tuple((c, "reason") for c in out))
    seats = draw(st.integers(1, len(candidates)))
    return ranking, organizations, rules, seats


def _by_brute_force(ranking, organizations, rules, seats):
    """Every way of breaking every tie: each order of all the candidates, declared as the tie-break."""
    candidates = [c for group in ranking for c in group]
    return [fill_seats(ranking, seats, rules=rules, organizations=organizations, tie_break={"order": list(order)})
            for order in itertools.permutations(candidates)]


@settings(max_examples=150, deadline=None)
@given(tied_rankings())
def test_the_seats_left_undecided_are_exactly_those_some_resolution_of_the_tie_fills_differently(case):
    ranking, organizations, rules, seats = case
    seating = fill_seats(ranking, seats, rules=rules, organizations=organizations)
    resolutions = _by_brute_force(ranking, organizations, rules, seats)

    elected_in = [set(r.winners) for r in resolutions]
    always, ever = set.intersection(*elected_in), set.union(*elected_in)
    unfilled = min(r.unfilled for r in resolutions)
    assert set(seating.winners) == always
    assert len(seating.winners) == len(always)
    assert seating.unfilled == unfilled
    assert seating.undecided == seats - unfilled - len(always)
    if seating.undecided:
        assert seating.tie == {"candidates": [c for c in seating.tie["candidates"]], "seats": seating.undecided}
        assert set(seating.tie["candidates"]) == ever - always
    else:
        assert ever == always
    # A seat's holder is named only when every resolution seats that candidate there.
    for seat, holder in enumerate(seating.seat_holders):
        if holder is not None:
            assert all(len(r.winners) > seat and r.winners[seat] == holder for r in resolutions)
