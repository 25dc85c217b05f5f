"""Would another method have changed the result? A check beside the Schulze count. Pure Python, no Django.

Schulze decides; this module answers the question officers get asked afterwards. From the same pairwise
counts (``d[X][Y]``: ballots ranking X above Y) it computes:

* the **Condorcet winner**: the candidate who beats every other head to head (``d[X][Y] > d[Y][X]``), if any;
* the **Smith set**: the smallest group of candidates who each beat every candidate outside it head to head
  (all candidates from which every other is reachable through "beats or ties" steps);
* **Ranked Pairs** (Tideman), winning votes: head-to-head wins sorted strongest first (more ballots for the
  winner first; equal ones, fewer ballots against first; still equal, in candidate order), each locked in
  unless it would close a cycle with those already locked. Candidates no locked win points to rank first,
  and so on down;
* **Minimax** (Simpson-Kramer), winning votes: a candidate's score is the largest number of ballots by which
  anyone beat them head to head (0 when unbeaten); lowest score first, equal scores tied.

Each method's ranking fills the seats with the same rules as the count (``elections.counting.seats.fill_seats``:
tie-break, representation limits, disqualifications), so the seats compare like for like.
"""

from dataclasses import dataclass, field

from elections.counting.seats import fill_seats

__all__ = ["Panel", "condorcet_winner", "minimax", "panel", "ranked_pairs", "smith_set"]

SCHULZE, RANKED_PAIRS, MINIMAX = "Schulze", "Ranked Pairs", "Minimax"


def condorcet_winner(candidates, d):
    """The candidate who beats every other head to head, or None."""
    for x in candidates:
        if all(d[x][y] > d[y][x] for y in candidates if y != x):
            return x
    return None


def smith_set(candidates, d):
    """The Smith set, in the order of ``candidates``."""
    reach = {x: {y for y in candidates if y != x and d[x][y] >= d[y][x]} for x in candidates}
    for via in candidates:
        for x in candidates:
            if via in reach[x]:
                reach[x] |= reach[via]
    others = {x: set(candidates) - {x} for x in candidates}
    return [x for x in candidates if others[x] <= reach[x]]


def _ranking_from_edges(candidates, edges):
    """Groups, best first: candidates no remaining edge points to, then the next layer, and so on."""
    remaining = list(candidates)
    ranking = []
    while remaining:
        beaten = {y for x, y in edges if x in remaining and y in remaining}
        top = [c for c in remaining if c not in beaten]
        ranking.append(top)
        remaining = [c for c in remaining if c not in top]
    return ranking


def ranked_pairs(candidates, d):
    """``(ranking, locked)``: Ranked Pairs by winning votes; ``locked`` lists the locked wins (x, y) in order."""
    order = {c: i for i, c in enumerate(candidates)}
    wins = [(x, y) for x in candidates for y in candidates if x != y and d[x][y] > d[y][x]]
    wins.sort(key=lambda w: (-d[w[0]][w[1]], d[w[1]][w[0]], order[w[0]], order[w[1]]))
    locked = []
    above = {c: set() for c in candidates}  # above[y]: candidates with a locked path to y
    for x, y in wins:
        if y in above[x] or x == y:
            continue  # y already reaches x: locking x over y would close a cycle
        locked.append((x, y))
        sources = above[x] | {x}
        for z in candidates:
            if z == y or y in above[z]:
                above[z] |= sources
    return _ranking_from_edges(candidates, locked), locked


def minimax(candidates, d):
    """``(ranking, scores)``: Minimax by winning votes; ``scores[x]`` is x's worst head-to-head defeat."""
    scores = {x: max((d[y][x] for y in candidates if y != x and d[y][x] > d[x][y]), default=0) for x in candidates}
    ranking = [[c for c in candidates if scores[c] == s] for s in sorted(set(scores.values()))]
    return ranking, scores


@dataclass(frozen=True)
class Panel:
    """The robustness panel: each method's seats, the Condorcet winner, the Smith set, and the verdict.

    ``methods`` maps a method name to its winners in seat order; ``rankings`` to its ranking. ``disagreements``
    lists ``{"seat": n, "Schulze": id, "Ranked Pairs": id, "Minimax": id}`` (None for a seat a method leaves
    undecided) for every seat where the methods differ. ``agree`` is True when there are none.
    """

    seats: int
    methods: dict
    rankings: dict
    condorcet_winner: str | None
    smith_set: list
    disagreements: list = field(default_factory=list)
    minimax_scores: dict = field(default_factory=dict)

    @property
    def agree(self):
        return not self.disagreements

    def verdict(self, who=str):
        """Plain sentences: the Condorcet winner or the Smith set, and whether any seat would change."""
        sentences = []
        if self.condorcet_winner is not None:
            sentences.append(f"{who(self.condorcet_winner)} beats every other candidate head to head (a Condorcet "
                             "winner), so every Condorcet method ranks them first.")
        else:
            sentences.append("No candidate beats every other head to head. The Smith set, the smallest group whose "
                             "members each beat everyone outside it, is " + _and(map(who, self.smith_set)) +
                             "; Condorcet methods can legitimately differ inside it.")
        if self.agree:
            sentences.append("Ranked Pairs and Minimax fill every seat exactly as Schulze does: another of these "
                             "methods would not have changed the result.")
            return sentences
        same = set(self.methods[SCHULZE]) == set(self.methods[RANKED_PAIRS]) == set(self.methods[MINIMAX])
        for row in self.disagreements:
            others = "; ".join(f"{name} would elect {_seat(row[name], who)}" for name in (RANKED_PAIRS, MINIMAX)
                               if row[name] != row[SCHULZE])
            sentences.append(f"Seat {row['seat']}: Schulze elects {_seat(row[SCHULZE], who)}; {others}.")
        if same:
            sentences.append("The same candidates are elected by every method; only the order of the seats "
                             "differs, which matters only where seats carry different terms.")
        else:
            sentences.append("The methods disagree on who is elected. Schulze is the method the election declared "
                             "and it decides; disclose this comparison if asked.")
        return sentences

    def to_dict(self):
        return {
            "methods": {name: list(w) for name, w in self.methods.items()},
            "rankings": {name: [list(g) for g in r] for name, r in self.rankings.items()},
            "condorcet_winner": self.condorcet_winner,
            "smith_set": list(self.smith_set),
            "minimax_scores": dict(self.minimax_scores),
            "disagreements": [dict(row) for row in self.disagreements],
            "agree": self.agree,
            "verdict": self.verdict(),
        }


def _and(items):
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _seat(candidate, who):
    return "nobody yet (a tie)" if candidate is None else who(candidate)


def panel(result, *, tie_break=None):
    """The robustness panel for a ``TallyResult`` (``elections.counting.tally.count``), filling each method's seats
    with the result's rules and the election's declared ``tie_break``."""
    candidates, d = result.candidates, result.pairwise
    seating = result.seating
    rules = seating.rules if seating is not None else None
    organizations = seating.organizations if seating is not None else None
    rp_ranking, _ = ranked_pairs(candidates, d)
    mm_ranking, scores = minimax(candidates, d)
    rankings = {SCHULZE: result.ranking, RANKED_PAIRS: rp_ranking, MINIMAX: mm_ranking}
    methods = {SCHULZE: list(result.winners)}
    for name in (RANKED_PAIRS, MINIMAX):
        methods[name] = fill_seats(rankings[name], result.seats, tie_break=tie_break, rules=rules,
                                   organizations=organizations).winners
    disagreements = []
    for seat in range(1, min(result.seats, len(candidates)) + 1):
        row = {name: (w[seat - 1] if seat <= len(w) else None) for name, w in methods.items()}
        if len(set(row.values())) > 1:
            disagreements.append({"seat": seat, **row})
    return Panel(seats=result.seats, methods=methods, rankings=rankings,
                 condorcet_winner=condorcet_winner(candidates, d), smith_set=smith_set(candidates, d),
                 disagreements=disagreements, minimax_scores=scores)
