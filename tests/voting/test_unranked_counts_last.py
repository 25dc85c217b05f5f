"""A candidate the voter leaves unranked counts below every ranked candidate, as Elekto counts it; "No opinion"
(where offered) counts neither for nor against. Proven through the ballot form, the count and the exports."""

from datetime import timedelta

from elections.counting.tally import read_ballots_csv
from tests.conftest import box_open_now
from tests.voting.conftest import cast_data, make_election

CANDIDATES = ("alice", "bob", "carol", "dave")
# What each voter does on the form: a rank, "" (left as it was: unranked) or None ("No opinion").
BALLOTS = {
    "v1": {"alice": 1, "bob": 2, "carol": "", "dave": ""},
    "v2": {"alice": "", "bob": "", "carol": 1, "dave": ""},
    "v3": {"alice": 1, "bob": "", "carol": "", "dave": None},
}


def cast_all(client, user_factory, election):
    for login, ranks in BALLOTS.items():
        client.force_login(user_factory(login))
        response = client.post(f"/app/elections/{election.key}/vote", cast_data(ranks))
        assert response.status_code == 303, response.content.decode()


def test_a_ballot_ranking_some_candidates_counts_the_others_last_in_the_pairwise_counts(
        client, user_factory, officer, now):
    election = make_election("steering---2030", start=now - timedelta(days=1), end=now + timedelta(days=1),
                             voters=list(BALLOTS), officers=[officer.username], candidates=CANDIDATES)
    cast_all(client, user_factory, election)
    # After the close, once the box is opened.
    stored = sorted((b.ranks for b in box_open_now(election)), key=lambda r: sorted(r.items(), key=str))
    assert {"alice": 1, "bob": 2, "carol": 4, "dave": 4} in stored
    assert {"alice": 1, "bob": 4, "carol": 4, "dave": None} in stored

    client.force_login(officer)
    response = client.get(f"/app/elections/{election.key}/admin/results")
    assert response.status_code == 200
    pairwise = {row["id"]: {c["over"].lower(): c["value"] for c in row["cells"] if not c["self"]}
                for row in response.context["page"]["pairwise"]}
    # v1 ranks alice and bob above carol and dave; v2 ranks carol above the three others; v3 ranks alice above
    # bob and carol and says nothing about dave.
    assert pairwise["alice"] == {"bob": 2, "carol": 2, "dave": 1}
    assert pairwise["bob"] == {"alice": 0, "carol": 1, "dave": 1}
    assert pairwise["carol"] == {"alice": 1, "bob": 1, "dave": 1}
    assert pairwise["dave"] == {"alice": 0, "bob": 0, "carol": 0}
    assert [w["id"] for w in response.context["page"]["winners"]] == ["alice"]
    assert "a candidate the voter left unranked counts below every candidate they ranked" in \
        " ".join(response.content.decode().split())

    # The published ballots keep Elekto's meaning: the lowest rank for unranked, "No opinion" apart.
    export = client.get(f"/app/elections/{election.key}/admin/export/ballots.csv")
    candidates, ballots = read_ballots_csv(export.content.decode())
    assert candidates == list(CANDIDATES)
    assert sorted(tuple(b[c] or 0 for c in candidates) for b in ballots) == [(1, 2, 4, 4), (1, 4, 4, 0), (4, 4, 1, 4)]
