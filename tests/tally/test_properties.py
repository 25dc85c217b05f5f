"""Properties the Schulze count must have for any ballots (hypothesis)."""

import random

from hypothesis import assume, given
from hypothesis import strategies as st

from elections.counting.tally import count
from tests.tally.helpers import pairwise_by_definition

NAMES = ["ada", "bo", "cy", "di", "ed", "flo"]


@st.composite
def elections(draw, min_candidates=1):
    candidates = draw(st.lists(st.sampled_from(NAMES), min_size=min_candidates, max_size=len(NAMES), unique=True))
    # Ranks up to the number of candidates, so ties happen; None and absence are both "No opinion".
    rank = st.one_of(st.none(), st.integers(min_value=1, max_value=len(candidates)))
    ballot = st.dictionaries(st.sampled_from(candidates), rank)
    # A small pool drawn from repeatedly, so identical ballots (counted once, weighted) are common.
    pool = draw(st.lists(ballot, min_size=1, max_size=6))
    ballots = draw(st.lists(st.sampled_from(pool), max_size=25))
    return candidates, ballots


def _grouping(result):
    return [frozenset(group) for group in result.ranking]


@given(elections())
def test_pairwise_counts_follow_the_definition(election):
    candidates, ballots = election
    result = count(candidates, ballots)

    assert result.pairwise == pairwise_by_definition(candidates, ballots)
    assert result.ballots == len(ballots)


def _condorcet_winners(candidates, ballots):
    d = pairwise_by_definition(candidates, ballots)
    return [w for w in candidates if all(d[w][x] > d[x][w] for x in candidates if x != w)]


@given(elections(min_candidates=2), st.data())
def test_a_condorcet_winner_always_wins(election, data):
    candidates, ballots = election
    favourite = data.draw(st.sampled_from(candidates))
    # Add ballots for one candidate only until someone beats everyone head to head (usually a few suffice).
    while not _condorcet_winners(candidates, ballots):
        ballots = [*ballots, {c: 1 if c == favourite else 2 for c in candidates}]
    condorcet = _condorcet_winners(candidates, ballots)
    result = count(candidates, ballots)

    assert result.ranking[0] == condorcet
    assert result.winners == condorcet


@given(elections(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_ballot_order(election, rnd):
    candidates, ballots = election
    shuffled = ballots[:]
    rnd.shuffle(shuffled)

    assert count(candidates, shuffled, seats=2).to_dict() == count(candidates, ballots, seats=2).to_dict()


@given(elections(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_candidate_or_column_order(election, rnd):
    candidates, ballots = election
    reordered = candidates[:]
    rnd.shuffle(reordered)
    # The same ballots with their keys in another order, as another CSV column order would give.
    rekeyed = [dict(sorted(b.items(), key=lambda item: reordered.index(item[0]))) for b in ballots]
    before, after = count(candidates, ballots, seats=2), count(reordered, rekeyed, seats=2)

    assert _grouping(after) == _grouping(before)
    assert set(after.winners) == set(before.winners)
    assert after.tie == before.tie or set(after.tie["candidates"]) == set(before.tie["candidates"])
    assert after.pairwise == before.pairwise
    assert after.strongest_paths == before.strongest_paths


@given(elections(min_candidates=2), st.data())
def test_raising_a_winner_on_one_ballot_never_makes_them_lose(election, data):
    candidates, ballots = election
    assume(ballots)
    result = count(candidates, ballots)
    winner = data.draw(st.sampled_from(result.ranking[0]))
    i = data.draw(st.integers(min_value=0, max_value=len(ballots) - 1))
    raised = ballots[:]
    # Rank 1 is never worse than any rank, nor than "No opinion" (which compares with nothing).
    raised[i] = {**ballots[i], winner: 1}

    assert winner in count(candidates, raised).ranking[0]


@given(st.lists(st.sampled_from(NAMES), min_size=1, unique=True), st.integers(min_value=0, max_value=20),
       st.sampled_from([None, 1, 3]))
def test_all_tied_ballots_give_one_tied_group(candidates, voters, rank):
    ballots = [dict.fromkeys(candidates, rank) for _ in range(voters)]
    result = count(candidates, ballots, seats=1)

    assert result.ranking == [candidates]
    if len(candidates) == 1:
        assert result.winners == candidates and result.tie is None
    else:
        assert result.winners == []
        assert result.tie == {"candidates": candidates, "seats": 1}


def test_an_election_without_ballots_gives_one_tied_group_not_an_error():
    result = count(["ada", "bo", "cy"], [], seats=2)

    assert result.ballots == 0
    assert result.ranking == [["ada", "bo", "cy"]]
    assert result.tie == {"candidates": ["ada", "bo", "cy"], "seats": 2}
    assert result.pairwise["ada"]["bo"] == 0


@given(st.lists(st.dictionaries(st.just("solo"), st.one_of(st.none(), st.integers(1, 5))), max_size=10))
def test_a_single_candidate_wins(ballots):
    result = count(["solo"], ballots)

    assert result.winners == ["solo"]
    assert result.ranking == [["solo"]]
    assert result.tie is None


def test_many_repeated_ballots_are_counted_with_their_multiplicity():
    rnd = random.Random(7)
    pool = [{"ada": 1, "bo": 2}, {"bo": 1, "cy": 2}, {"cy": 1, "ada": 2, "bo": 3}]
    ballots = [rnd.choice(pool) for _ in range(500)]

    assert count(["ada", "bo", "cy"], ballots).pairwise == pairwise_by_definition(["ada", "bo", "cy"], ballots)
