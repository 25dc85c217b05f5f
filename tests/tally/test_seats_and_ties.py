"""Filling seats, disclosing ties, declared tie-breaks, explanations and the draft results.md."""

import hashlib
import json

import pytest

from elections.counting.charter import Rules, SeatTerm, representation_from_yaml, seat_terms_from_yaml
from elections.counting.tally import count, explain_winners, results_markdown

# ann and ben each win one head-to-head ballot against the other; both beat cat and dan.
TIED_AT_THE_TOP = [
    {"ann": 1, "ben": 2, "cat": 3, "dan": 4},
    {"ben": 1, "ann": 2, "cat": 3, "dan": 4},
    {"ann": 1, "ben": 1, "cat": 2, "dan": None},
]
CANDIDATES = ["ann", "ben", "cat", "dan"]


def test_a_group_straddling_the_last_seat_is_disclosed_not_picked():
    result = count(CANDIDATES, TIED_AT_THE_TOP, seats=1)

    assert result.ranking == [["ann", "ben"], ["cat"], ["dan"]]
    assert result.winners == []
    assert result.tie == {"candidates": ["ann", "ben"], "seats": 1}
    assert result.tie_break_note is None
    assert result.undecided_seats == 1
    data = result.to_dict()
    assert data["tie"] == {"candidates": ["ann", "ben"], "seats": 1}
    assert "tie_break" not in data


def test_candidates_surely_elected_are_winners_even_when_a_later_seat_is_tied():
    ballots = [{"cat": 1, "ann": 2, "ben": 2, "dan": 3}] * 4 + TIED_AT_THE_TOP
    result = count(CANDIDATES, ballots, seats=2)

    assert result.ranking[0] == ["cat"]
    assert result.winners == ["cat"]
    assert result.tie == {"candidates": ["ann", "ben"], "seats": 1}


def test_a_tied_group_that_fits_the_seats_is_elected_whole():
    result = count(CANDIDATES, TIED_AT_THE_TOP, seats=2)

    assert result.winners == ["ann", "ben"]
    assert result.tie is None


def test_a_declared_order_breaks_the_tie_and_says_how():
    result = count(CANDIDATES, TIED_AT_THE_TOP, seats=1, tie_break={"order": ["dan", "ben", "ann", "cat"]})

    assert result.winners == ["ben"]
    assert result.tie == {"candidates": ["ann", "ben"], "seats": 1}
    assert "declared tie-break order" in result.tie_break_note
    assert result.tie_break_note.endswith("ben elected.")
    data = json.loads(json.dumps(result.to_dict()))
    assert data["tie_break"] == {"rule": {"order": ["dan", "ben", "ann", "cat"]}, "note": result.tie_break_note}


def test_a_declared_seed_breaks_the_tie_by_the_lowest_published_digest():
    seed = "published on 2024-08-01 before voting"
    digests = {c: hashlib.sha256(f"{seed}:{c}".encode()).hexdigest() for c in ("ann", "ben")}
    expected = min(digests, key=digests.get)
    result = count(CANDIDATES, TIED_AT_THE_TOP, seats=1, tie_break={"seed": seed})

    assert result.winners == [expected]
    assert digests[expected][:12] in result.tie_break_note
    assert count(CANDIDATES, TIED_AT_THE_TOP, seats=1, tie_break={"seed": seed}) == result


def test_an_order_that_omits_a_tied_candidate_leaves_the_tie_standing_and_says_why():
    result = count(CANDIDATES, TIED_AT_THE_TOP, seats=1, tie_break={"order": ["ann", "cat"]})

    assert result.winners == []
    assert result.tie == {"candidates": ["ann", "ben"], "seats": 1}
    assert "does not list ben" in result.tie_break_note


def test_a_tie_break_is_not_mentioned_when_no_tie_needs_it():
    result = count(CANDIDATES, TIED_AT_THE_TOP, seats=2, tie_break={"order": ["ben", "ann"]})

    assert result.tie_break_note is None
    assert "tie_break" not in result.to_dict()


def test_more_seats_than_candidates_elects_everyone():
    result = count(["ann", "ben"], [{"ann": 1, "ben": 2}], seats=3)

    assert result.winners == ["ann", "ben"]
    assert result.tie is None


@pytest.mark.parametrize("tie_break", [{"order": "ann"}, {"seed": ""}, {"order": ["ann"], "seed": "x"},
                                       {"coin": "heads"}, {"order": ["ann", "ann"]}, ["ann"]])
def test_a_malformed_tie_break_is_refused(tie_break):
    with pytest.raises(ValueError, match="tie_break"):
        count(CANDIDATES, TIED_AT_THE_TOP, tie_break=tie_break)


@pytest.mark.parametrize("seats", [0, -1, 1.0, True])
def test_seats_must_be_a_whole_number_of_one_or_more(seats):
    with pytest.raises(ValueError, match="seats"):
        count(CANDIDATES, [], seats=seats)


@pytest.mark.parametrize("ballot, message", [
    ({"ann": 1, "zed": 2}, "zed, not among the candidates"),
    ({"ann": 0}, "1 or more"),
    ({"ann": 1.5}, "1.5"),
    ({"ann": True}, "True"),
    ({"ann": "1"}, "'1'"),
    ({"ann": 10**30}, "beyond any ballot's length"),
])
def test_a_ballot_that_cannot_be_counted_is_refused_with_a_reason(ballot, message):
    with pytest.raises(ValueError, match=message):
        count(CANDIDATES, [{"ann": 1, "ben": 2}, ballot])


def test_a_candidate_listed_twice_is_refused():
    with pytest.raises(ValueError, match="listed twice"):
        count(["ann", "ann"], [])


def test_explanations_give_direct_wins_and_strongest_paths():
    # Wikipedia's Schulze example: E beats A head to head (23 to 22), but the strongest path to A runs through B
    # (27, then 25); E loses to C head to head (21 to 24) and beats C through D (31, then 28).
    groups = [(5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"), (7, "CAEBD"), (2, "CBADE"), (7, "DCEBA"),
              (8, "EBADC")]
    ballots = [{c: rank for rank, c in enumerate(order, start=1)} for n, order in groups for _ in range(n)]
    result = count(list("ABCDE"), ballots)
    [explanation] = explain_winners(result)
    victories = {v["over"]: v for v in explanation["victories"]}

    assert explanation["winner"] == "E"
    assert set(victories) == {"A", "B", "C", "D"}
    assert victories["A"] == {"over": "A", "direct": True, "for": 23, "against": 22, "path": ["E", "B", "A"],
                              "strength": 25}
    assert victories["C"] == {"over": "C", "direct": False, "for": 21, "against": 24, "path": ["E", "D", "C"],
                              "strength": 28}


def test_explanations_list_no_victory_over_a_candidate_the_winner_only_ties():
    result = count(CANDIDATES, TIED_AT_THE_TOP, seats=1, tie_break={"order": ["ann", "ben"]})
    [explanation] = explain_winners(result)

    assert explanation["winner"] == "ann"
    assert {v["over"] for v in explanation["victories"]} == {"cat", "dan"}


def test_the_draft_results_page_shows_winners_turnout_ranking_and_pairwise_counts():
    result = count(CANDIDATES, TIED_AT_THE_TOP, seats=2)
    text = results_markdown(result, election_name="Steering Committee 2025", eligible_voters=4,
                            names={"ann": "Ann Example"})

    assert text.startswith("# Results: Steering Committee 2025\n")
    assert "3 ballots counted out of 4 eligible voters (75.0% turnout)" in text
    assert "1. Ann Example (ann)\n2. ben\n" in text
    assert "| 1 | Ann Example (ann), ben (tied) |" in text
    assert "| 3 | cat |" in text
    assert "| **ann** | — | 1 | 3 | 2 |" in text


def test_the_draft_results_page_discloses_an_unbroken_tie():
    text = results_markdown(count(CANDIDATES, TIED_AT_THE_TOP, seats=1))

    assert "## Tie" in text
    assert "ann, ben are tied for 1 seat." in text
    assert "1 seat remain undecided" in text
    assert "None decided." in text


# --- A tie the limits make irrelevant to later seats ------------------------------------------------------------

# A (company G) first; B and C (both G) tied; D (X). Three seats, at most two per company.
ISSUE_CASE = [{"a": 1, "b": 2, "c": 2, "d": 3}] * 3 + [{"a": 1, "b": 2, "c": 3, "d": 4},
                                                       {"a": 1, "c": 2, "b": 3, "d": 4}]
ISSUE_ORGANIZATIONS = {"a": "G", "b": "G", "c": "G", "d": "X"}


def _two_per_company(**more):
    terms = more.pop("seat_terms", None)
    return Rules(representation=representation_from_yaml({"max_per_organization": 2, **more}),
                 seat_terms=seat_terms_from_yaml(terms, 3) if terms else ())


def test_a_tie_whose_every_resolution_elects_the_same_later_candidate_still_fills_that_seat():
    result = count(list("abcd"), ISSUE_CASE, seats=3, rules=_two_per_company(), organizations=ISSUE_ORGANIZATIONS)

    assert result.ranking == [["a"], ["b", "c"], ["d"]]
    assert result.winners == ["a", "d"]
    assert result.tie == {"candidates": ["b", "c"], "seats": 1}
    assert result.undecided_seats == 1 and result.unfilled_seats == 0
    assert result.tie_break_note == ("b, c tie for 1 seat; every way of breaking the tie elects d after it, so only "
                                     "1 seat depends on the tie.")
    assert "remain undecided" in results_markdown(result)


def test_the_seat_terms_follow_the_seats_and_leave_only_the_tied_seat_open():
    rules = _two_per_company(seat_terms=[{"seats": 2, "term": "two years"}, {"seats": 1, "term": "one year"}])

    result = count(list("abcd"), ISSUE_CASE, seats=3, rules=rules, organizations=ISSUE_ORGANIZATIONS)

    assert result.seating.terms == [{"seat": 1, "candidate": "a", "term": "two years"},
                                    {"seat": 2, "candidate": None, "term": "two years"},
                                    {"seat": 3, "candidate": "d", "term": "one year"}]


def test_a_tied_candidate_every_resolution_elects_is_elected_though_their_seat_waits_for_the_tie():
    # At most one per company: B and C (both H) tie with E (K) for the two seats H and K can take; D (Z) follows.
    ballots = [{"b": 1, "c": 1, "e": 1, "d": 2}] * 3
    organizations = {"b": "H", "c": "H", "e": "K", "d": "Z"}
    rules = Rules(representation=representation_from_yaml({"max_per_organization": 1}),
                  seat_terms=(SeatTerm(3, "two years"),))

    result = count(list("bced"), ballots, seats=3, rules=rules, organizations=organizations)

    assert result.winners == ["e", "d"]
    assert result.tie == {"candidates": ["b", "c"], "seats": 1}
    assert result.undecided_seats == 1
    # E's seat is one of the first two, which one waits for the tie; D's is the third.
    assert [t["candidate"] for t in result.seating.terms] == [None, None, "d"]


def test_without_limits_a_tie_for_the_last_seats_is_left_as_before():
    result = count(list("abcd"), ISSUE_CASE, seats=3)
    assert result.winners == ["a", "b", "c"]
    result = count(list("abcd"), ISSUE_CASE, seats=2)
    assert result.winners == ["a"] and result.tie == {"candidates": ["b", "c"], "seats": 1}
