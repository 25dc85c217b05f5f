"""The count reproduces every published result in tests/data/schulze_vectors.json."""

import json
from io import StringIO
from itertools import accumulate

import pytest
from django.core.management import call_command

from elections.counting.tally import count, read_ballots_csv
from tests.conftest import REAL_DATA, shared_fixture
from tests.tally.helpers import ballots_from_vector, flatten


def _vector_names(with_data_file=False, with_election_folder=False):
    vectors = json.loads((REAL_DATA / "schulze_vectors.json").read_text())
    if with_election_folder:  # an Elekto election, not one that predates election.yaml (CIVS)
        return [v["name"] for v in vectors
                if "data_file" in v and (REAL_DATA / v["data_file"]).parent.joinpath("election.yaml").is_file()]
    return [v["name"] for v in vectors if not with_data_file or "data_file" in v]


@pytest.fixture(scope="module")
def vectors():
    return {v["name"]: v for v in json.loads(shared_fixture("schulze_vectors.json").read_text())}


def _pairwise_expected(vector):
    """The source's d matrix as {x: {y: n}}; sources write it nested or as {"X>Y": n}."""
    given = vector["expected_pairwise_d"]
    if all(isinstance(v, dict) for v in given.values()):
        return given
    table = {}
    for pair, n in given.items():
        x, y = pair.split(">")
        table.setdefault(x, {})[y] = n
    return table


def assert_matches_vector(vector, ranking, winners):
    """Check a ranking (groups, best first) against the vector per its expected_scope."""
    expected = vector["expected_winners_in_order"]
    scope = vector["expected_scope"]
    as_sets = [set(group) for group in ranking]
    if scope == "full_ranking":
        assert as_sets == [set(group) for group in expected]
    elif scope == "winner_set":
        assert as_sets[0] == set(expected[0])
    else:
        k = int(scope.removeprefix("top_"))
        places = flatten(ranking)
        assert set(places[:k]) == set(flatten(expected))
        # No tied group straddles place k, so "the first k" is not an accident of listing order.
        assert k in accumulate(len(group) for group in ranking)
    seats = vector.get("seats")
    if seats and len(flatten(expected)) >= seats and scope != "winner_set":
        assert set(winners) == set(flatten(expected)[:seats])


@pytest.mark.parametrize("name", _vector_names())
def test_the_count_reproduces_the_published_result(vectors, name):
    vector = vectors[name]
    ballots = ballots_from_vector(vector)
    result = count(vector["candidates"], ballots, seats=vector.get("seats", 1))

    assert_matches_vector(vector, result.ranking, result.winners)
    assert result.ballots == sum(entry["count"] for entry in vector["ballots"])
    if "expected_pairwise_d" in vector:
        for x, row in _pairwise_expected(vector).items():
            for y, n in row.items():
                assert result.pairwise[x][y] == n, (x, y)
    if "expected_strongest_paths_p" in vector:
        assert result.strongest_paths == vector["expected_strongest_paths_p"]


@pytest.mark.parametrize("name", _vector_names(with_data_file=True))
def test_the_published_ballots_csv_recounts_to_the_published_result(vectors, name):
    vector = vectors[name]
    candidates, ballots = read_ballots_csv(shared_fixture(vector["data_file"]).read_text())
    result = count(candidates, ballots, seats=vector["seats"])

    assert candidates == vector["candidates"]
    assert result.ballots == vector["ballots_total"]
    assert_matches_vector(vector, result.ranking, result.winners)


@pytest.mark.parametrize("name", _vector_names(with_data_file=True))
def test_manage_py_tally_recounts_the_published_ballots_csv(vectors, name):
    vector = vectors[name]
    out = StringIO()
    call_command("tally", "--ballots", str(shared_fixture(vector["data_file"])), "--seats", str(vector["seats"]),
                 "--format", "json", stdout=out)
    data = json.loads(out.getvalue())

    assert data["ballots"] == vector["ballots_total"]
    assert data["candidates"] == vector["candidates"]
    assert data["tie"] is None
    assert len(data["winners"]) == vector["seats"]
    assert_matches_vector(vector, data["ranking"], data["winners"])


@pytest.mark.parametrize("name", _vector_names(with_election_folder=True))
def test_manage_py_tally_recounts_the_published_ballots_as_their_election_folder_declares(vectors, name):
    """The seats come from the folder's election.yaml, not from the command line."""
    vector = vectors[name]
    ballots = shared_fixture(vector["data_file"])
    out = StringIO()
    call_command("tally", "--ballots", str(ballots), "--election-folder", str(ballots.parent), "--format", "json",
                 stdout=out)
    data = json.loads(out.getvalue())
    assert data["ballots"] == vector["ballots_total"]
    assert len(data["winners"]) == vector["seats"]
    assert_matches_vector(vector, data["ranking"], data["winners"])


def test_no_opinion_is_not_ranked_last_in_the_2021_steering_election():
    """The vector's notes: counting "No opinion" as last would put deads2k 4th instead of tpepper."""
    path = shared_fixture("meta", "kubernetes", "elections", "steering", "2021", "ballots.csv")
    candidates, ballots = read_ballots_csv(path.read_text())
    top = max(r for b in ballots for r in b.values() if r is not None) + 1
    as_last = [{c: (top if b.get(c) is None else b[c]) for c in candidates} for b in ballots]

    assert count(candidates, ballots, seats=4).winners[3] == "tpepper"
    assert count(candidates, as_last, seats=4).winners[3] != "tpepper"
