"""The robustness panel: Ranked Pairs, Minimax, the Condorcet winner and the Smith set beside Schulze.

Checked against published worked examples:

* Wikipedia, "Schulze method", section Example: 45 voters, candidates A-E (also in
  tests/data/schulze_vectors.json). Schulze ranks E > A > C > B > D. With winning votes, Ranked Pairs
  locks B>D 33, E>D 31, A>D 30, C>B 29, skips D>C 28 (C>B>D>C), locks E>B 27 and A>C 26, skips B>A 25
  (A>C>B>A), locks C>E 24 and skips E>A 23 (A>C>E>A): A > C > E > B > D. Minimax's worst defeats are
  A 25, B 29, C 28, D 33, E 24, so E wins. The methods disagree on the first seat.
* Wikipedia, "Ranked pairs" and "Minimax Condorcet method", the Tennessee capital example: 42% Memphis,
  26% Nashville, 15% Chattanooga, 17% Knoxville (each voter prefers nearer cities). Nashville is the
  Condorcet winner; Ranked Pairs ranks Nashville > Chattanooga > Knoxville > Memphis; Minimax scores
  (winning votes) Memphis 58, Nashville 0, Chattanooga 68, Knoxville 83.
"""

from hypothesis import given
from hypothesis import strategies as st

from elections.counting.robustness import (
    MINIMAX,
    RANKED_PAIRS,
    SCHULZE,
    condorcet_winner,
    minimax,
    panel,
    ranked_pairs,
    smith_set,
)
from elections.counting.tally import count
from tests.tally.helpers import pairwise_by_definition
from tests.tally.test_properties import elections


def _ballots(*orders):
    ballots = []
    for n, order in orders:
        ballots += [{c: i for i, c in enumerate(order, start=1)}] * n
    return ballots


WIKIPEDIA_45 = _ballots((5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"), (7, "CAEBD"), (2, "CBADE"),
                        (7, "DCEBA"), (8, "EBADC"))
TENNESSEE = _ballots((42, ["Memphis", "Nashville", "Chattanooga", "Knoxville"]),
                     (26, ["Nashville", "Chattanooga", "Knoxville", "Memphis"]),
                     (15, ["Chattanooga", "Knoxville", "Nashville", "Memphis"]),
                     (17, ["Knoxville", "Chattanooga", "Nashville", "Memphis"]))
CITIES = ["Memphis", "Nashville", "Chattanooga", "Knoxville"]


def test_the_wikipedia_schulze_example_under_each_method():
    result = count(list("ABCDE"), WIKIPEDIA_45)
    ranking, locked = ranked_pairs(result.candidates, result.pairwise)
    mm_ranking, scores = minimax(result.candidates, result.pairwise)

    assert result.ranking == [["E"], ["A"], ["C"], ["B"], ["D"]]
    assert locked == [("B", "D"), ("E", "D"), ("A", "D"), ("C", "B"), ("E", "B"), ("A", "C"), ("C", "E")]
    assert ranking == [["A"], ["C"], ["E"], ["B"], ["D"]]
    assert scores == {"A": 25, "B": 29, "C": 28, "D": 33, "E": 24}
    assert mm_ranking[0] == ["E"]
    assert condorcet_winner(result.candidates, result.pairwise) is None
    assert smith_set(result.candidates, result.pairwise) == list("ABCDE")


def test_the_panel_flags_the_seat_where_ranked_pairs_disagrees():
    verdict = panel(count(list("ABCDE"), WIKIPEDIA_45))

    assert not verdict.agree
    assert verdict.disagreements == [{"seat": 1, SCHULZE: "E", RANKED_PAIRS: "A", MINIMAX: "E"}]
    sentences = verdict.verdict()
    assert "Seat 1: Schulze elects E; Ranked Pairs would elect A." in sentences
    assert any(s.startswith("No candidate beats every other head to head.") for s in sentences)


def test_the_tennessee_example_under_each_method():
    result = count(CITIES, TENNESSEE, seats=1)
    ranking, _ = ranked_pairs(result.candidates, result.pairwise)
    _, scores = minimax(result.candidates, result.pairwise)

    assert condorcet_winner(CITIES, result.pairwise) == "Nashville"
    assert smith_set(CITIES, result.pairwise) == ["Nashville"]
    assert ranking == [["Nashville"], ["Chattanooga"], ["Knoxville"], ["Memphis"]]
    assert scores == {"Memphis": 58, "Nashville": 0, "Chattanooga": 68, "Knoxville": 83}
    verdict = panel(result)
    assert verdict.agree
    assert verdict.verdict()[-1].startswith("Ranked Pairs and Minimax fill every seat exactly as Schulze does")


def test_the_panel_fills_each_methods_seats_with_the_same_rules():
    from elections.counting.charter import rules_from_yaml

    orgs = {"Memphis": None, "Nashville": "State", "Chattanooga": "State", "Knoxville": None}
    rules = rules_from_yaml({"representation": {"max_per_organization": 1}}, 2)
    verdict = panel(count(CITIES, TENNESSEE, seats=2, rules=rules, organizations=orgs))

    # Chattanooga is passed over under every method: Schulze and Ranked Pairs take Knoxville, Minimax Memphis.
    assert verdict.methods == {SCHULZE: ["Nashville", "Knoxville"], RANKED_PAIRS: ["Nashville", "Knoxville"],
                               MINIMAX: ["Nashville", "Memphis"]}
    assert verdict.disagreements == [{"seat": 2, SCHULZE: "Knoxville", RANKED_PAIRS: "Knoxville",
                                      MINIMAX: "Memphis"}]


@given(elections(min_candidates=2), st.data())
def test_ranked_pairs_and_minimax_agree_with_schulze_when_a_condorcet_winner_exists(election, data):
    candidates, ballots = election
    favourite = data.draw(st.sampled_from(candidates))
    while condorcet_winner(candidates, pairwise_by_definition(candidates, ballots)) is None:
        ballots = [*ballots, {c: 1 if c == favourite else 2 for c in candidates}]
    result = count(candidates, ballots)
    verdict = panel(result)

    winner = condorcet_winner(candidates, result.pairwise)
    assert verdict.methods[SCHULZE] == verdict.methods[RANKED_PAIRS] == verdict.methods[MINIMAX] == [winner]
    assert verdict.smith_set == [winner]


@given(elections(min_candidates=1))
def test_the_smith_set_is_never_empty_and_beats_everyone_outside_it(election):
    candidates, ballots = election
    d = pairwise_by_definition(candidates, ballots)
    smith = smith_set(candidates, d)

    assert smith
    assert all(d[x][y] > d[y][x] for x in smith for y in candidates if y not in smith)
    # Schulze always elects from the Smith set.
    assert set(count(candidates, ballots).ranking[0]) <= set(smith)
