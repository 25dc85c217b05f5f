"""Reference definitions the count is checked against, written the slow, obvious way."""

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pairwise_by_definition(candidates, ballots):
    """d[x][y]: ballots ranking x above y, where both have a rank (None or absent = "No opinion")."""
    d = {x: {y: 0 for y in candidates if y != x} for x in candidates}
    for ballot in ballots:
        for x in candidates:
            for y in candidates:
                rx, ry = ballot.get(x), ballot.get(y)
                if x != y and rx is not None and ry is not None and rx < ry:
                    d[x][y] += 1
    return d


def ballots_from_vector(vector):
    """Expand a vector's aggregated ``ballots`` into one mapping per ballot, per its unranked_semantics."""
    ballots = []
    for entry in vector["ballots"]:
        ballot = {c: place for place, group in enumerate(entry["ranking"], start=1) for c in group}
        if vector["unranked_semantics"] == "implicit_last":
            below = len(entry["ranking"]) + 1
            ballot.update({c: below for c in vector["candidates"] if c not in ballot})
        ballots.extend([ballot] * entry["count"])
    return ballots


def flatten(groups):
    return [c for group in groups for c in group]


def plain_seats(ranking, seats):
    """The plain Schulze seat rule, the obvious way: whole groups while they fit; the first group that does
    not fit ties for the seats left. Returns (winners, tie)."""
    winners = []
    for group in ranking:
        left = seats - len(winners)
        if left <= 0:
            break
        if len(group) > left:
            return winners, {"candidates": list(group), "seats": left}
        winners.extend(group)
    return winners, None
