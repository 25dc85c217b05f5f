"""Charter rules in the count: representation limits, seat terms, disqualification, and their disclosure.

Each charter quoted in issue 14 is declared as its community would write it and applied to ballots:
Kubernetes steering (at most two seats per employer, continuing members included), the CHAOSS Governing
Board (at most two per organization or conglomerate) and a CNCF TOC election (at most a third of the
committee from one company, two-year and one-year seats, a tie settled by a published draw).
"""

import pytest

from elections.counting.charter import RuleError, Rules, representation_from_yaml, rules_from_yaml, seat_terms_from_yaml
from elections.counting.tally import count, read_ballots_csv, results_markdown
from meta_sync.parser import parse_election
from tests.conftest import shared_fixture


def _ballots(*orders):
    """(count, "a b c") pairs as ballots, first preferred."""
    ballots = []
    for n, order in orders:
        ballots += [{c: i for i, c in enumerate(order.split(), start=1)}] * n
    return ballots


# --- Kubernetes steering, on the real 2023 ballots -----------------------------------------------------------


def _steering_2023():
    folder = shared_fixture("meta", "kubernetes", "elections", "steering", "2023")
    candidates, ballots = read_ballots_csv(folder.joinpath("ballots.csv").read_bytes())
    election = parse_election(folder.parents[2], folder)
    employers = {c.candidate_id: c.info.get("employer") for c in election.candidates}
    return candidates, ballots, employers, folder


def test_kubernetes_2023_without_a_full_employer_publishes_the_sentence_the_officers_published():
    candidates, ballots, employers, folder = _steering_2023()
    rules = Rules(representation=representation_from_yaml({"max_per_organization": 2}))

    result = count(candidates, ballots, seats=4, rules=rules, organizations=employers)

    assert result.winners == ["soltysh", "pohly", "pacoxu", "justaugustus"]
    assert result.seating.skipped == []
    published = folder.joinpath("results.md").read_text()
    assert result.seating.limits_sentence in published
    # As Kubernetes publishes it: right after the ranking.
    assert ("| 11 | qedrakmar |\n\nProportional representation limits were not invoked for this election."
            in results_markdown(result))


def test_kubernetes_2023_with_two_continuing_cisco_members_moves_the_fourth_seat_down():
    # Hypothetical: had two continuing members worked for Cisco, both Cisco candidates drop out.
    candidates, ballots, employers, _ = _steering_2023()
    rules = Rules(representation=representation_from_yaml({
        "max_per_organization": 2,
        "continuing": [{"login": "someone", "organization": "Cisco"}, {"login": "other", "organization": " cisco "}],
    }))

    result = count(candidates, ballots, seats=4, rules=rules, organizations=employers)

    assert result.winners == ["soltysh", "pohly", "pacoxu", "ameukam"]
    skipped = {s["candidate"]: s for s in result.seating.skipped}
    assert list(skipped) == ["justaugustus", "natalisucks"]
    assert skipped["justaugustus"]["replaced_by"] == "ameukam"
    assert skipped["natalisucks"]["replaced_by"] is None  # would not have won anyway
    assert "Cisco already holds 2 of at most 2 seats: someone (continuing), other (continuing)" in \
        skipped["justaugustus"]["detail"]
    assert result.seating.limits_invoked
    markdown = results_markdown(result)
    assert "justaugustus (place 4) was passed over by the representation limit" in markdown
    assert "ameukam took the seat instead." in markdown
    assert "\n\nProportional representation limits were invoked for this election.\n" in markdown
    # Everyone keeps their place in the published ranking.
    assert result.ranking[3] == ["justaugustus"]


# --- CHAOSS Governing Board: conglomerates --------------------------------------------------------------------

CHAOSS = {"representation": {
    "max_per_organization": 2,
    "same_organization": [["Example Corp", "Example Cloud"]],
}}
ORGS = {"ann": "Example Corp", "ben": "example cloud", "cat": "  EXAMPLE   corp ", "dan": "", "eve": "Other Inc"}


def test_chaoss_counts_a_conglomerate_as_one_organization_and_drops_its_lowest_candidate():
    ballots = _ballots((5, "ann ben cat dan eve"), (3, "ben ann cat eve dan"))
    result = count(list(ORGS), ballots, seats=3, rules=rules_from_yaml(CHAOSS, 3), organizations=ORGS)

    assert result.winners == ["ann", "ben", "dan"]
    (skip,) = result.seating.skipped
    assert skip["candidate"] == "cat" and skip["replaced_by"] == "dan"
    assert "counted as one organization with Example Cloud" in skip["detail"]


def test_a_candidate_without_an_organization_never_counts_against_the_limit():
    rules = rules_from_yaml({"representation": {"max_per_organization": 1}}, 3)
    ballots = _ballots((4, "dan ann eve ben cat"))
    orgs = {"ann": "X", "ben": None, "cat": "X", "dan": "", "eve": "  "}

    result = count(list(orgs), ballots, seats=3, rules=rules, organizations=orgs)

    assert result.winners == ["dan", "ann", "eve"]
    assert not result.seating.limits_invoked


# --- CNCF TOC: a third of the committee, seat terms, a published draw for ties --------------------------------

TOC = {
    # The TOC has 11 members; "no more than 1/3 from a single company" is at most 3.
    "representation": {"max_per_organization": 3, "continuing": [
        {"login": "m1", "organization": "BigCo"}, {"login": "m2", "organization": "BigCo"},
        {"login": "m3", "organization": "SmallCo"}, {"login": "m4", "organization": ""}, {"login": "m5"}]},
    "seat_terms": [{"seats": 3, "term": "two years"}, {"seats": 3, "term": "one year"}],
}
TOC_ORGS = {"a": "BigCo", "b": "BigCo", "c": "SmallCo", "d": "SmallCo", "e": "ThirdCo", "f": "SmallCo",
            "g": "FourthCo", "h": "FifthCo"}


def test_cncf_toc_fills_two_year_then_one_year_seats_within_a_third_of_the_committee():
    ballots = _ballots((9, "a b c d e f g h"))
    result = count(list(TOC_ORGS), ballots, seats=6, rules=rules_from_yaml(TOC, 6), organizations=TOC_ORGS)

    # BigCo holds 2 continuing seats, so only a joins; SmallCo holds 1, so c and d join and f is passed over.
    assert result.winners == ["a", "c", "d", "e", "g", "h"]
    assert [s["candidate"] for s in result.seating.skipped] == ["b", "f"]
    assert [(t["seat"], t["candidate"], t["term"]) for t in result.seating.terms] == [
        (1, "a", "two years"), (2, "c", "two years"), (3, "d", "two years"),
        (4, "e", "one year"), (5, "g", "one year"), (6, "h", "one year")]
    markdown = results_markdown(result)
    assert "| 1 | a | two years |" in markdown and "| 6 | h | one year |" in markdown


def test_cncf_toc_settles_a_tie_with_the_published_seed_and_still_applies_the_limit():
    # e and f tie for the last seat; f's company is full, so e takes it whatever the draw.
    ballots = _ballots((3, "a c d g h e f b"), (3, "a c d g h f e b"))
    result = count(list(TOC_ORGS), ballots, seats=6, tie_break={"seed": "coin"},
                   rules=rules_from_yaml(TOC, 6), organizations=TOC_ORGS)

    assert result.winners == ["a", "c", "d", "g", "h", "e"]
    assert result.tie is None
    assert [s["candidate"] for s in result.seating.skipped] == ["f"]


def test_a_tie_inside_one_organization_is_settled_by_the_tie_break():
    orgs = {"ann": "X", "ben": "X", "cat": "Y"}
    rules = rules_from_yaml({"representation": {"max_per_organization": 1}}, 2)
    ballots = _ballots((1, "ann ben cat"), (1, "ben ann cat"))

    undecided = count(list(orgs), ballots, seats=2, rules=rules, organizations=orgs)
    # Whichever of ann and ben takes X's one seat, cat takes the other: only that seat waits for a tie-break.
    assert undecided.winners == ["cat"]
    assert undecided.tie == {"candidates": ["ann", "ben"], "seats": 1}
    assert undecided.undecided_seats == 1 and undecided.unfilled_seats == 0

    decided = count(list(orgs), ballots, seats=2, rules=rules, organizations=orgs,
                    tie_break={"order": ["ben", "ann", "cat"]})
    assert decided.winners == ["ben", "cat"]
    assert "ben elected" in decided.tie_break_note
    assert decided.seating.skipped[0]["candidate"] == "ann"


# --- Disqualification and seats that cannot be filled ---------------------------------------------------------


def test_a_disqualified_candidate_keeps_their_place_and_the_seats_move_down():
    ballots = _ballots((5, "ann ben cat dan"))
    rules = rules_from_yaml({"disqualified": [{"candidate": "ben", "reason": "Code of conduct violation"}]}, 2)

    result = count(["ann", "ben", "cat", "dan"], ballots, seats=2, rules=rules)

    assert result.winners == ["ann", "cat"]
    assert result.ranking == [["ann"], ["ben"], ["cat"], ["dan"]]
    markdown = results_markdown(result)
    assert "| 2 | ben (disqualified) |" in markdown
    assert "ben was disqualified: Code of conduct violation." in markdown
    assert "cat took the seat they would have won." in markdown
    assert result.to_dict()["charter"]["disqualified"] == [{"candidate": "ben", "reason": "Code of conduct violation"}]


def test_when_the_limit_leaves_too_few_candidates_the_remaining_seats_stay_unfilled():
    orgs = {"ann": "X", "ben": "X", "cat": "X", "dan": "Y"}
    rules = rules_from_yaml({"representation": {"max_per_organization": 1}}, 3)

    result = count(list(orgs), _ballots((2, "ann ben cat dan")), seats=3, rules=rules, organizations=orgs)

    assert result.winners == ["ann", "dan"]
    assert result.unfilled_seats == 1
    assert result.undecided_seats == 0
    assert "1 seat remain unfilled" in results_markdown(result) or "1 seat remains unfilled" in results_markdown(result)


# --- Settings that cannot be applied --------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "field", "message"), [
    ({"max_per_organization": 2, "maximum": 3}, "representation.maximum", "unknown setting"),
    ({}, "representation.max_per_organization", "is required"),
    ({"max_per_organization": 0}, "representation.max_per_organization", "at least 1"),
    ({"max_per_organization": "two"}, "representation.max_per_organization", "whole number"),
    ({"max_per_organization": 1, "same_organization": [["A", "B"], ["b ", "C"]]},
     "representation.same_organization[1]", "already listed in same_organization[0]"),
    ({"max_per_organization": 1, "same_organization": [["A"]]}, "representation.same_organization[0]",
     "at least two"),
    ({"max_per_organization": 1, "continuing": [{"login": "x", "organization": "A"},
                                                {"login": "y", "organization": "a"}]},
     "representation.continuing", "more than max_per_organization (1)"),
    ({"max_per_organization": 1, "continuing": [{"login": "x"}, {"login": "X"}]},
     "representation.continuing[1].login", "listed twice"),
    ({"max_per_organization": 1, "continuing": [{"name": "x"}]}, "representation.continuing[0].name",
     "unknown setting"),
    ("two", "representation", "must be a map"),
])
def test_unknown_or_contradictory_representation_settings_are_refused_by_name(value, field, message):
    with pytest.raises(RuleError) as caught:
        representation_from_yaml(value)

    assert caught.value.field == field
    assert message in caught.value.message


def test_seat_terms_must_add_up_to_the_seats():
    with pytest.raises(RuleError, match="add up to 5 seats, but no_winners is 6"):
        seat_terms_from_yaml([{"seats": 3, "term": "two years"}, {"seats": 2, "term": "one year"}], 6)
    with pytest.raises(RuleError, match=r"seat_terms\[0\]\.term: is required"):
        seat_terms_from_yaml([{"seats": 1}], 1)


def test_rules_read_back_from_their_stored_form():
    rules = rules_from_yaml({**TOC, "disqualified": [{"candidate": "b", "reason": "r"}]}, 6)

    assert rules_from_yaml(rules.to_dict(), 6) == rules


# --- "No organization" is not an organization -------------------------------------------------------------------


def test_three_independents_under_a_limit_of_two_are_all_elected_and_no_limit_is_invoked():
    # As real candidate files write it: Independent, N/A, NA - Independent.
    employers = {"ann": "Independent", "ben": "N/A", "cat": "NA - Independent", "dan": "Acme"}
    ballots = _ballots((10, "ann ben cat dan"))
    rules = Rules(representation=representation_from_yaml({"max_per_organization": 2}))

    result = count(list(employers), ballots, seats=3, rules=rules, organizations=employers)

    assert result.winners == ["ann", "ben", "cat"]
    assert result.seating.skipped == []
    assert result.seating.limits_sentence == "Proportional representation limits were not invoked for this election."
    assert result.seating.without_organization == [("ann", "Independent"), ("ben", "N/A"),
                                                   ("cat", "NA - Independent")]
    assert ("Counted as having no organization: ann ('Independent'), ben ('N/A'), cat ('NA - Independent')."
            in result.seating.to_dict()["explanation"])


@pytest.mark.parametrize("value", ["Independent", "independent ", "N/A", "n/a", "NA", "na", "None", "NONE", "-",
                                   "", "  ", None, "N/A - between jobs", "NA - Independent", "na-self"])
def test_every_default_way_of_writing_no_organization_never_counts(value):
    representation = representation_from_yaml({"max_per_organization": 1})
    assert representation.is_no_organization(value)
    assert representation.key(value) is None


@pytest.mark.parametrize("value", ["Acme", "NASA", "Nationwide", "N/A Corp", "Independent Software Ltd", "None Such"])
def test_organizations_that_merely_look_like_no_organization_still_count(value):
    representation = representation_from_yaml({"max_per_organization": 1})
    assert not representation.is_no_organization(value)
    assert representation.key(value) is not None


def test_a_declared_no_organization_list_replaces_the_default_values():
    representation = representation_from_yaml({"max_per_organization": 1,
                                                "no_organization": ["Self-employed", "Unaffiliated"]})
    assert representation.is_no_organization("self-employed") and representation.is_no_organization("")
    assert representation.is_no_organization("N/A - between jobs")
    # A community that declares its own list counts "Independent" as an organization, as it asked.
    assert not representation.is_no_organization("Independent")
    assert representation.to_dict()["no_organization"] == ["Self-employed", "Unaffiliated"]
    assert "no_organization" not in representation_from_yaml({"max_per_organization": 1}).to_dict()


def test_a_continuing_member_without_an_organization_holds_no_organizations_seat():
    employers = {"ann": "Acme", "ben": "Acme"}
    rules = Rules(representation=representation_from_yaml({
        "max_per_organization": 1, "continuing": [{"login": "old", "organization": "Independent"}]}))
    result = count(list(employers), _ballots((3, "ann ben")), seats=2, rules=rules, organizations=employers)
    assert result.winners == ["ann"] and result.seating.unfilled == 1


def test_independents_on_the_real_2023_ballots_are_counted_as_having_no_organization():
    candidates, ballots, employers, _ = _steering_2023()
    # Everybody independent, under the tightest limit: nobody is passed over.
    independents = dict.fromkeys(employers, "Independent")
    rules = Rules(representation=representation_from_yaml({"max_per_organization": 1}))
    result = count(candidates, ballots, seats=4, rules=rules, organizations=independents)
    assert result.winners == ["soltysh", "pohly", "pacoxu", "justaugustus"]
    assert not result.seating.limits_invoked
