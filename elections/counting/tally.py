"""The count: ranked ballots in, a Schulze result out. The one place in the codebase that counts votes.

Pure Python (plus numpy for the pairwise sums); no Django import, so anyone can recount a published
``ballots.csv`` with this module alone.

Ballots
    A ballot maps a candidate ID to a rank number (1 = most preferred; equal numbers are ties) or to ``None``
    for "No opinion". A candidate missing from the mapping is "No opinion" too. A "No opinion" candidate
    carries no preference at all on that ballot: it is compared with no candidate, in either direction (it is
    *not* ranked last). Rank numbers must be whole numbers of 1 or more; gaps (1, 3, 7) are fine, only the
    order matters.

Counting rules
    * ``d[X][Y]``: the number of ballots that rank X above Y.
    * ``p[X][Y]``: the strength of the strongest path from X to Y, by winning votes: a link X -> Y exists
      when ``d[X][Y] > d[Y][X]`` and is worth ``d[X][Y]``; a path is worth its weakest link; ``p[X][Y]`` is
      the best path's worth, or 0 when there is none (widest-path closure, O(C^3)).
    * Y *defeats* X when ``p[Y][X] > p[X][Y]``. The ranking groups candidates by their number of defeats,
      fewest first; candidates with the same number form one tied group.
    * Seats are filled from the top groups (``elections.counting.seats``). When a group straddles the last seat the
      count does not pick silently: ``winners`` holds only the candidates surely elected and ``tie`` says
      which candidates are tied for how many seats, unless the election declared a tie-break (``{"order":
      [IDs]}`` or ``{"seed": "text"}``, see ``elections.counting.seats``). When a tie-break decides seats, ``winners``
      is filled, ``tie`` still discloses the tie that was broken and ``tie_break_note`` says how.
    * A charter's rules (``elections.counting.charter``: representation limits, seat terms, disqualifications) apply
      while filling seats; ``seating`` discloses who was passed over, why, and who took the seat instead.

ballots.csv (Elekto's published format)
    A header row of candidate IDs, then one row per ballot; each cell a rank number, ``No opinion``, or blank
    (the same as "No opinion"). An optional last column headed ``receipt`` (the voter's receipt code, as in
    our exports) is read and ignored.
"""

import csv
import hashlib
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter

import numpy as np

from elections.counting.charter import NO_RULES, Rules
from elections.counting.seats import Seating, check_tie_break, disclosure, fill_seats, seats_phrase, seed_digest

NO_OPINION = "No opinion"
RECEIPT_COLUMN = "receipt"

__all__ = [
    "NO_OPINION",
    "BallotFileError",
    "Rules",
    "TallyResult",
    "count",
    "ballots_digest",
    "explain_winners",
    "read_ballots_csv",
    "results_markdown",
    "seed_digest",
    "write_ballots_csv",
]


class BallotFileError(ValueError):
    """A ballots.csv that cannot be counted. ``row`` is the line number in the file (the header is row 1);
    ``column`` the 1-based column number; either may be None when the problem is not in one cell."""

    def __init__(self, message, *, row=None, column=None):
        self.message = message
        self.row = row
        self.column = column
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


@dataclass(frozen=True)
class TallyResult:
    """The outcome of a count. See the module docstring for the rules.

    ``ranking`` lists groups of tied candidates, best first. ``winners`` are in ranking order (a tie-break's
    choices last, in tie-break order). ``tie`` is None or ``{"candidates": [...], "seats": k}``: those
    candidates are tied for the last k seats. ``tie_break_note`` is None unless a declared tie-break applied.
    """

    candidates: list
    ballots: int
    pairwise: dict
    strongest_paths: dict
    ranking: list
    winners: list
    tie: dict | None = None
    tie_break_note: str | None = None
    seats: int = 1
    tie_break: dict | None = field(default=None, compare=False)
    # How the seats were filled under the election's rules (elections.counting.seats.Seating).
    seating: Seating | None = field(default=None, compare=False)
    # SHA-256 of the ballots counted, whatever their order (see ballots_digest).
    ballots_sha256: str = ""

    @property
    def undecided_seats(self):
        """Seats that the count could not fill because of an unbroken tie."""
        if self.seating is not None:
            return self.seating.undecided
        return min(self.seats, len(self.candidates)) - len(self.winners)

    @property
    def unfilled_seats(self):
        """Seats no remaining candidate could take (too few candidates, or all passed over by the rules)."""
        return self.seating.unfilled if self.seating is not None else 0

    def to_dict(self):
        """The result as JSON-ready data: the keys of ``manage.py tally --format json``."""
        data = {
            "candidates": list(self.candidates),
            "ballots": self.ballots,
            "ballots_sha256": self.ballots_sha256,
            "ranking": [list(group) for group in self.ranking],
            "winners": list(self.winners),
            "tie": None if self.tie is None else {"candidates": list(self.tie["candidates"]),
                                                  "seats": self.tie["seats"]},
            "pairwise": {x: dict(row) for x, row in self.pairwise.items()},
            "strongest_paths": {x: dict(row) for x, row in self.strongest_paths.items()},
        }
        if self.tie_break_note is not None:
            data["tie_break"] = {"rule": self.tie_break, "note": self.tie_break_note}
        if self.seating is not None and self.seating.rules.declared:
            data["charter"] = self.seating.to_dict()
        return data


# ---------------------------------------------------------------------------------------------------------
# Counting


def count(candidates: Sequence[str], ballots: Iterable[Mapping[str, int | None]], seats: int = 1,
          tie_break: dict | None = None, *, rules: Rules | None = None,
          organizations: Mapping[str, str] | None = None) -> TallyResult:
    """Count ranked ballots with the Schulze method (winning votes).

    ``candidates``: the candidate IDs (distinct strings); their order is kept in the output but never affects
    who wins. ``ballots``: mappings of candidate ID to rank number or None (see the module docstring); an
    empty ballot counts as cast but expresses no preference. ``seats``: how many winners (1 or more).
    ``tie_break``: None, ``{"order": [...]}`` or ``{"seed": "..."}``. ``rules`` (elections.counting.charter.Rules):
    the charter's representation limits, seat terms and disqualifications, applied while filling seats
    (``elections.counting.seats``); ``organizations`` maps candidate IDs to their organization for those limits.

    Raises ValueError for a ballot naming an unknown candidate or holding a rank that is not a whole number
    of 1 or more, for duplicate candidates, for fewer than one seat, and for a malformed tie-break.
    """
    candidates = list(candidates)
    _check_candidates(candidates)
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise ValueError(f"seats must be a whole number of 1 or more, not {seats!r}")
    check_tie_break(tie_break)
    if rules is not None and not isinstance(rules, Rules):
        raise ValueError(f"rules must be elections.counting.charter.Rules, not {type(rules).__name__}")

    weights, ranks = _aggregate(candidates, ballots)
    total = int(weights.sum())
    d = _pairwise(weights, ranks)
    p = _strongest_paths(d)
    n = len(candidates)
    defeats = [sum(1 for y in range(n) if p[y][x] > p[x][y]) for x in range(n)]
    ranking = [[candidates[x] for x in range(n) if defeats[x] == k] for k in sorted(set(defeats))]
    known = set(candidates)
    rules = rules or NO_RULES
    # A disqualification for someone not counted (withdrawn and unranked) changes nothing.
    rules = Rules(rules.representation, rules.seat_terms, tuple((c, r) for c, r in rules.disqualified if c in known))
    seating = fill_seats(ranking, seats, tie_break=tie_break, rules=rules,
                         organizations={c: v for c, v in (organizations or {}).items() if c in known})
    note = seating.tie_break_note
    return TallyResult(
        candidates=candidates,
        ballots=total,
        pairwise=_as_table(candidates, d),
        strongest_paths=_as_table(candidates, p),
        ranking=ranking,
        winners=seating.winners,
        tie=seating.tie,
        tie_break_note=note,
        seats=seats,
        tie_break=tie_break if note is not None else None,
        seating=seating,
        ballots_sha256=_digest(candidates, weights, ranks),
    )


def _check_candidates(candidates):
    seen = set()
    for candidate in candidates:
        if not isinstance(candidate, str) or not candidate:
            raise ValueError(f"candidate IDs must be non-empty strings, not {candidate!r}")
        if candidate in seen:
            raise ValueError(f"candidate {candidate!r} is listed twice")
        seen.add(candidate)


def _aggregate(candidates, ballots):
    """Identical ballots counted once: (weights, ranks), ranks a (unique ballots x candidates) int array with
    0 for "No opinion"."""
    n = len(candidates)
    known = set(candidates)
    get_all = itemgetter(*candidates) if n > 1 else None

    def key(ballot):
        # Fast path: a ballot that names exactly the candidates (as stored ballots do) cannot name an unknown one.
        if get_all is not None and len(ballot) == n:
            try:
                return get_all(ballot)
            except (KeyError, TypeError):
                pass
        if not isinstance(ballot, Mapping):
            raise ValueError(f"a ballot must map candidate IDs to ranks, not {type(ballot).__name__}")
        if not ballot.keys() <= known:
            unknown = sorted(map(str, ballot.keys() - known))
            raise ValueError(f"a ballot ranks {', '.join(unknown)}, not among the candidates")
        return tuple(map(ballot.get, candidates))

    keys = list(map(key, ballots))
    # Checked on every ballot before merging: 1.0 and True compare equal to 1 and would hide in a merge.
    kinds = set(map(type, chain.from_iterable(keys)))
    if not kinds <= {int, type(None)}:
        bad = next(v for v in chain.from_iterable(keys) if v is not None and type(v) is not int)
        raise ValueError(f"a rank must be a whole number of 1 or more or None (No opinion), not {bad!r}")
    tally = Counter(keys)
    del keys
    values = set(chain.from_iterable(tally))
    values.discard(None)
    if values and min(values) < 1:
        raise ValueError(f"a rank must be a whole number of 1 or more, not {min(values)}")
    top = max(values, default=0)
    if top >= 2**62:
        raise ValueError(f"a rank of {top} is beyond any ballot's length")
    dtype = np.int16 if top < np.iinfo(np.int16).max else np.int64
    translate = {v: v for v in values}
    translate[None] = 0
    unique = len(tally)
    ranks = np.fromiter(map(translate.__getitem__, chain.from_iterable(tally)), dtype=dtype, count=unique * n)
    weights = np.fromiter(tally.values(), dtype=np.int64, count=unique)
    return weights, ranks.reshape(unique, n)


def _pairwise(weights, ranks):
    """d[x][y] = number of ballots ranking x above y, "No opinion" on either side counting for neither."""
    n = ranks.shape[1]
    d = np.zeros((n, n), dtype=np.int64)
    if ranks.shape[0] == 0:
        return d.tolist()
    # With "No opinion" as 0 on the right-hand side and as +infinity on the left, "left < right" holds exactly
    # when both are ranked and left is preferred.
    left = np.where(ranks == 0, np.iinfo(ranks.dtype).max, ranks)
    # Most distinct ballots occur once: count those with count_nonzero and add the repeats separately.
    repeated = np.flatnonzero(weights > 1)
    extra = weights[repeated] - 1
    for x in range(n):
        prefers = left[:, x:x + 1] < ranks
        d[x] = np.count_nonzero(prefers, axis=0) + extra @ prefers[repeated]
    return d.tolist()


def _strongest_paths(d):
    n = len(d)
    p = [[d[x][y] if x != y and d[x][y] > d[y][x] else 0 for y in range(n)] for x in range(n)]
    for via in range(n):
        p_via = p[via]
        for x in range(n):
            if x == via or p[x][via] == 0:
                continue
            p_x = p[x]
            through = p_x[via]
            for y in range(n):
                if y != x and y != via:
                    width = min(through, p_via[y])
                    if width > p_x[y]:
                        p_x[y] = width
    return p


def _as_table(candidates, matrix):
    return {x: {y: int(matrix[i][j]) for j, y in enumerate(candidates) if j != i} for i, x in enumerate(candidates)}


# ---------------------------------------------------------------------------------------------------------
# Explanations


def explain_winners(result: TallyResult) -> list:
    """Why each winner is ahead: for every candidate a winner defeats, the direct pairwise counts and a
    strongest path.

    Returns ``[{"winner": id, "victories": [{"over": id, "direct": bool, "for": n, "against": m,
    "path": [ids], "strength": n}]}]``. ``direct`` is True when more ballots rank the winner above the other
    than the other way round (``for`` > ``against``); ``path`` is a strongest path from the winner to the
    other candidate (just the two of them when the direct win is itself strongest), ``strength`` its
    weakest link in winning votes. Candidates a winner only ties with are not listed.
    """
    d, p = result.pairwise, result.strongest_paths
    explanations = []
    for winner in result.winners:
        victories = []
        for other in result.candidates:
            if other == winner or p[winner][other] <= p[other][winner]:
                continue
            victories.append({
                "over": other,
                "direct": d[winner][other] > d[other][winner],
                "for": d[winner][other],
                "against": d[other][winner],
                "path": _widest_path(result.candidates, d, winner, other, p[winner][other]),
                "strength": p[winner][other],
            })
        explanations.append({"winner": winner, "victories": victories})
    return explanations


def _widest_path(candidates, d, start, goal, strength):
    """A shortest path from start to goal using only links of at least ``strength`` winning votes."""
    previous = {start: None}
    frontier = [start]
    while frontier and goal not in previous:
        following = []
        for x in frontier:
            for y in candidates:
                if y not in previous and y != x and d[x][y] > d[y][x] and d[x][y] >= strength:
                    previous[y] = x
                    following.append(y)
        frontier = following
    path = [goal]
    while previous[path[-1]] is not None:
        path.append(previous[path[-1]])
    return path[::-1]


# ---------------------------------------------------------------------------------------------------------
# ballots.csv


def read_ballots_csv(source) -> tuple:
    """Read an Elekto ballots.csv: text (``str``), ``bytes``, or an open file.

    Returns ``(candidates, ballots)``: the header's candidate IDs and one dict per ballot row (candidate ID to
    rank number, None for "No opinion" or a blank cell). Blank lines are skipped. A last column headed
    ``receipt`` is ignored. Raises BallotFileError naming the row (line) and column of the first problem:
    an empty file, a blank or duplicate header cell, a row with the wrong number of cells, a rank that is not
    a whole number of 1 or more.
    """
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BallotFileError(f"not UTF-8 text (byte {exc.start + 1})",
                                  row=source.count(b"\n", 0, exc.start) + 1) from exc
    if isinstance(source, str):
        source = io.StringIO(source.removeprefix("\ufeff"))
    reader = csv.reader(source)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise BallotFileError("the file is empty: expected a header row of candidate IDs", row=1)
        header_row = reader.line_num
        header = [cell.strip() for cell in header]
        if header[0].startswith("\ufeff"):
            header[0] = header[0][1:]
        width = len(header)
        has_receipt = width > 1 and header[-1] == RECEIPT_COLUMN
        candidates = header[:-1] if has_receipt else header
        seen = {}
        for column, candidate in enumerate(candidates, start=1):
            if not candidate:
                raise BallotFileError("blank candidate ID in the header", row=header_row, column=column)
            if candidate in seen:
                raise BallotFileError(f"duplicate candidate ID {candidate!r} in the header (also column "
                                      f"{seen[candidate]})", row=header_row, column=column)
            seen[candidate] = column
        ballots = []
        cache = {"": None}
        for cells in reader:
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if len(cells) != width:
                raise BallotFileError(f"{len(cells)} cells, but the header has {width}", row=reader.line_num)
            ballot = {}
            for column, (candidate, cell) in enumerate(zip(candidates, cells, strict=False), start=1):
                try:
                    rank = cache[cell]
                except KeyError:
                    rank = cache[cell] = _parse_rank(cell)
                if rank is _BAD:
                    raise BallotFileError(f"{candidate}: {cell!r} is not a rank (a whole number of 1 or more) "
                                          f"nor {NO_OPINION!r}", row=reader.line_num, column=column)
                ballot[candidate] = rank
            ballots.append(ballot)
    except csv.Error as exc:
        raise BallotFileError(f"not a readable CSV file: {exc}", row=reader.line_num) from exc
    except UnicodeDecodeError as exc:
        raise BallotFileError(f"not UTF-8 text: {exc}") from exc
    return candidates, ballots


_BAD = object()


def _parse_rank(cell):
    text = cell.strip()
    if not text or text.casefold() == NO_OPINION.casefold():
        return None
    if text.isascii() and text.isdigit() and int(text) >= 1:
        return int(text)
    return _BAD


def write_ballots_csv(candidates, ballots, file, receipts=None):
    """Write ballots in the ballots.csv format read by ``read_ballots_csv`` (``None`` as "No opinion").

    ``file`` is an open text file (opened with ``newline=""``). ``receipts``, when given, is one code per
    ballot, written in a last ``receipt`` column.
    """
    candidates = list(candidates)
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(candidates + ([RECEIPT_COLUMN] if receipts is not None else []))
    receipts = iter(receipts) if receipts is not None else None
    known = set(candidates)
    for ballot in ballots:
        unknown = ballot.keys() - known
        if unknown:
            raise ValueError(f"a ballot ranks {', '.join(sorted(unknown))}, not among the candidates")
        row = [NO_OPINION if ballot.get(c) is None else ballot[c] for c in candidates]
        if receipts is not None:
            row.append(next(receipts))
        writer.writerow(row)


_DIGEST_CHUNK = 65536


def _digest(candidates, weights, ranks):
    """``ballots_digest`` from the aggregated ballots (see there)."""
    order = sorted(range(len(candidates)), key=candidates.__getitem__)
    digest = hashlib.sha256(json.dumps([candidates[i] for i in order], ensure_ascii=False).encode())
    table = ranks[:, order]
    rows = np.lexsort(table.T[::-1]) if order else np.arange(table.shape[0])
    for start in range(0, len(rows), _DIGEST_CHUNK):
        chunk = rows[start:start + _DIGEST_CHUNK]
        digest.update(np.hstack([table[chunk], weights[chunk, None]]).astype("<i8").tobytes())
    return digest.hexdigest()


def ballots_digest(candidates, ballots) -> str:
    """SHA-256 (hex) of the ballots counted, whatever the order of rows and columns in the file they came from.

    Taken over a canonical form: the JSON list of candidate IDs in sorted order, then each distinct ballot,
    in ascending order, as little-endian 64-bit integers: its ranks in that candidate order (0 for "No
    opinion"), then how many ballots were identical to it. Two ballot files hold the same ballots exactly when
    their digests agree; ``manage.py tally --ballots FILE`` prints it, and ``count()`` carries it in
    ``ballots_sha256``.
    """
    candidates = list(candidates)
    _check_candidates(candidates)
    return _digest(candidates, *_aggregate(candidates, ballots))


# ---------------------------------------------------------------------------------------------------------
# results.md


def results_markdown(result: TallyResult, *, election_name=None, eligible_voters=None, names=None,
                     exception_requests=None) -> str:
    """A draft results.md: winners, any tie and how it was broken, the full ranking, ballots counted, turnout
    (when ``eligible_voters`` is known) and the pairwise table. ``names`` maps IDs to display names;
    ``exception_requests``, when known, is ``{"requested": n, "granted": m}``."""
    names = names or {}

    def who(candidate):
        name = names.get(candidate)
        return f"{name} ({candidate})" if name and name != candidate else candidate

    lines = [f"# Results: {election_name}" if election_name else "# Results", ""]
    lines.append(f"Counted with the Schulze method (winning votes); {_plural(result.ballots, 'ballot')} counted"
                 + (f" out of {eligible_voters} eligible voters ({_percent(result.ballots, eligible_voters)} "
                    "turnout)." if eligible_voters else "."))
    if exception_requests is not None:
        lines += ["", f"Exception requests from people missing from the voter roll: {exception_requests['requested']} "
                      f"received, {exception_requests['granted']} granted."]
    lines += ["", "## Winners" if result.seats > 1 else "## Winner", ""]
    lines += [f"{i}. {who(c)}" for i, c in enumerate(result.winners, start=1)] or ["None decided."]
    if result.tie:
        lines += ["", "## Tie", ""]
        tied = ", ".join(who(c) for c in result.tie["candidates"])
        lines.append(f"{tied} are tied for {seats_phrase(result.tie['seats'])}.")
        if result.tie_break_note:
            lines += ["", result.tie_break_note]
        if result.undecided_seats:
            lines += ["", f"{seats_phrase(result.undecided_seats).capitalize()} remain undecided: the count does not "
                          "pick between tied candidates without a tie-break declared before voting."]
    seating = result.seating
    if result.unfilled_seats and not (seating and seating.rules.declared):
        lines += ["", f"{seats_phrase(result.unfilled_seats).capitalize()} remain unfilled: there are fewer candidates "
                      "than seats."]
    if seating is not None and seating.terms:
        lines += ["", "## Seat terms", "", "| Seat | Elected | Term |", "| ---: | --- | --- |"]
        lines += [f"| {t['seat']} | {who(t['candidate']) if t['candidate'] else 'not filled'} | {t['term']} |"
                  for t in seating.terms]
    sentences = disclosure(seating, who) if seating is not None and seating.rules.declared else []
    if len(sentences) > 1:
        lines += ["", "## Charter rules", ""] + [f"- {sentence}" for sentence in sentences[:-1]]
    disqualified = seating.disqualified if seating is not None else {}
    lines += ["", "## Full ranking", "", "| Place | Candidates |", "| ---: | --- |"]
    place = 1
    for group in result.ranking:
        named = ", ".join(who(c) + (" (disqualified)" if c in disqualified else "") for c in group)
        lines.append(f"| {place} | {named}{' (tied)' if len(group) > 1 else ''} |")
        place += len(group)
    if sentences:
        lines += ["", sentences[-1]]
    if len(result.candidates) > 1:
        lines += ["", "## Pairwise preferences", "",
                  "Each cell: the number of ballots ranking the row's candidate above the column's.", ""]
        lines.append("| | " + " | ".join(result.candidates) + " |")
        lines.append("| --- |" + " ---: |" * len(result.candidates))
        for x in result.candidates:
            cells = ["—" if x == y else str(result.pairwise[x][y]) for y in result.candidates]
            lines.append(f"| **{x}** | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _plural(k, word):
    return f"{k} {word}" if k == 1 else f"{k} {word}s"


def _percent(part, whole):
    return f"{100 * part / whole:.1f}%"
