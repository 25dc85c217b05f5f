"""Properties of seat filling under a charter's rules, for any ballots (hypothesis)."""

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from elections.charter import Representation, Rules, organization_key
from elections.tally import ballots_digest, count
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
