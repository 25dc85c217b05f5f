"""Figures for the officers' pages: turnout during the election, and the count explained after it.

The count itself is ``elections.counting.tally.count``; this module only gathers its inputs from the database and
turns a ``TallyResult`` into what a page shows: named tables, the pictures of ``result_pictures``, and
plain-language sentences about why each winner won.
"""

import hashlib
import io
from bisect import bisect_right
from dataclasses import dataclass

from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from elections.audit import BALLOTS_LOAD
from elections.count_record import CountInputs, count_drift, count_inputs_of
from elections.counting.tally import NO_OPINION, count, explain_winners, write_ballots_csv
from elections.models import CountRecord, EligibleVoter, ExceptionRequest, VoteRecord
from elections.officers.decisions import election_rules
from elections.officers.pictures import beat_graph_svg, heat_map_svg
from elections.places import ordinal

ARROW = " → "


# --- inputs of the count --------------------------------------------------------------------------


def election_ballots(election, inputs=None):
    """``(candidates, ballots, receipts)`` as counted: ``manage.py tally ELECTION_KEY`` reads the same.

    Candidates in ID order, as recorded for the count (``inputs``, read when not given); a withdrawn candidate
    only if some ballot ranks them (ballots cast before the withdrawal still count, but an unranked withdrawn
    candidate must not tie for a seat). Each ballot keeps only its ranked candidates: "No opinion" is the same
    as absent.
    """
    inputs = inputs or count_inputs_of(election)
    rows = list(election.ballots.values_list("ranks", "receipt"))
    ballots = [{c: rank for c, rank in ranks.items() if rank is not None} for ranks, _ in rows]
    ranked = set().union(*ballots)
    withdrawn = set(inputs.withdrawn)
    candidates = [c for c in inputs.candidates if c not in withdrawn or c in ranked]
    return candidates, ballots, [receipt for _, receipt in rows]


def ballots_in_file_order(election):
    """``(candidates, ballots, receipts)`` as ``election_ballots``, the ballots in the one order of the exported
    ballots.csv: by receipt (random codes), then by their ranks. The same ballots always give the same file, so
    its SHA-256 can be published; the order says nothing about the order of voting."""
    candidates, ballots, receipts = election_ballots(election)

    def row(pair):
        ranks, receipt = pair
        return receipt or "", [str(ranks.get(c, NO_OPINION)) for c in candidates]

    pairs = sorted(zip(ballots, receipts, strict=True), key=row)
    return candidates, [ranks for ranks, _ in pairs], [receipt for _, receipt in pairs]


def ballots_csv(election):
    """The anonymised ballots as Elekto's ballots.csv with a receipt column: the officers' export, byte for
    byte."""
    candidates, ballots, receipts = ballots_in_file_order(election)
    out = io.StringIO(newline="")
    write_ballots_csv(candidates, ballots, out, receipts=receipts)
    return out.getvalue()


def ballots_csv_sha256(election):
    """SHA-256 (hex) of the exported ballots.csv as downloaded (UTF-8): what ``sha256sum ballots.csv`` prints."""
    return hashlib.sha256(ballots_csv(election).encode("utf-8")).hexdigest()


def candidate_names(election):
    return {
        candidate_id: _("%(name)s (withdrawn)") % {"name": name} if withdrawn else name
        for candidate_id, name, withdrawn in election.candidates.values_list("candidate_id", "name", "withdrawn")
    }


def election_tally(election, inputs=None, *, also_disqualified=()):
    """Count the election's ballots with the inputs recorded for its count (``elections.count_record``; or
    ``inputs``, an earlier record's), under its charter's rules and the officers' disqualifications; with the
    candidate IDs ``also_disqualified`` disqualified too (what such a decision would change, before it is
    taken)."""
    inputs = inputs or count_inputs_of(election)
    candidates, ballots, _receipts = election_ballots(election, inputs)
    rules = election_rules(election, inputs).with_disqualified((candidate_id, "") for candidate_id in also_disqualified)
    return count(candidates, ballots, seats=inputs.seats, tie_break=inputs.tie_break, rules=rules,
                 organizations=inputs.organizations)


def count_history(election, inputs, names):
    """For the officers' results page: the inputs counted with (``inputs``, the record in force), what the meta
    repository changed since, and every earlier count with the winners it gave (counted again from its record:
    the same ballots and inputs give the same result)."""
    earlier = []
    for record in list(CountRecord.objects.filter(election=election))[1:]:
        result = election_tally(election, CountInputs.from_dict(record.inputs, record))
        earlier.append({"record": record, "seats": result.seats,
                        "winners": [names.get(c, c) for c in result.winners]})
    organizations = sorted(inputs.organizations.items(), key=lambda item: names.get(item[0], item[0]).lower())
    return {"record": inputs.record, "inputs": inputs, "drift": count_drift(election), "earlier": earlier,
            "organizations": [{"name": names.get(c, c), "id": c, "organization": o} for c, o in organizations]}


# --- turnout --------------------------------------------------------------------------------------


def eligible_count(election):
    """The voter roll plus requesters granted an exception who are not on it (see Election.is_eligible)."""
    roll = EligibleVoter.objects.filter(election=election)
    granted = (
        ExceptionRequest.objects.filter(election=election, status=ExceptionRequest.APPROVED)
        .exclude(requester__username__in=roll.values("login"))
        .count()
    )
    return roll.count() + granted


def exception_counts(election):
    """``{"requested": n, "granted": m}``: exception requests received for the election, and those approved."""
    statuses = list(ExceptionRequest.objects.filter(election=election).values_list("status", flat=True))
    return {"requested": len(statuses), "granted": statuses.count(ExceptionRequest.APPROVED)}


def granted_logins_missing_from_roll(election):
    """Logins granted a vote by an approved exception request but not (yet) in the voters.yaml imported, sorted:
    the lines officers add to the roll in the meta repository so that it records everyone who may vote."""
    roll = EligibleVoter.objects.filter(election=election)
    return sorted(
        ExceptionRequest.objects.filter(election=election, status=ExceptionRequest.APPROVED)
        .exclude(requester__username__in=roll.values("login"))
        .values_list("requester__username", flat=True),
        key=str.lower,
    )


@dataclass(frozen=True)
class Turnout:
    eligible: int
    voted: int
    ballots: int
    chart: dict
    # The ballots came from a published ballots.csv (manage.py load_ballots): who voted, and when, is unknown.
    loaded: bool = False
    # Ballots still sealed in the ballot box (``ballots`` counts only opened ones).
    sealed: int = 0

    @property
    def stored(self):
        """Ballots in the database, sealed or opened: one per voter who voted."""
        return self.ballots + self.sealed

    @property
    def voters(self):
        """Voters who voted; for loaded ballots, the ballots (one per voter in a published ballots.csv)."""
        return self.ballots if self.loaded else self.voted

    @property
    def percent(self):
        return round(100 * self.voters / self.eligible, 1) if self.eligible else None


def election_turnout(election, now=None):
    """Eligible voters, voters who voted, ballots stored, and the cumulative chart of votes over time."""
    now = now or timezone.now()
    times = sorted(VoteRecord.objects.filter(election=election).values_list("voted_at", flat=True))
    ballots = election.ballots.count()
    loaded = bool(ballots and not times and election.audit_events.filter(action=BALLOTS_LOAD).exists())
    return Turnout(
        eligible=eligible_count(election),
        voted=len(times),
        ballots=ballots,
        sealed=election.sealed_ballots.count(),
        loaded=loaded,
        chart=turnout_chart(times, start=election.start_datetime, end=election.end_datetime, now=now),
    )


CHART_WIDTH, CHART_HEIGHT, CHART_BUCKETS = 480, 160, 48


def turnout_chart(times, *, start, end, now, buckets=CHART_BUCKETS):
    """Cumulative votes from the opening to now (or the close), in ``buckets`` equal steps, as SVG geometry.

    ``times`` are the sorted ``voted_at`` values. Returns the polyline points and axis labels in a box of
    CHART_WIDTH x CHART_HEIGHT, plus a short table (one row per sixth of the span) for screen readers.
    """
    stop = min(now, end)
    if stop <= start:
        return {"empty": True, "width": CHART_WIDTH, "height": CHART_HEIGHT}
    opened = start
    # In a long window whose votes came late, a chart from the opening would be a flat line with a step at the
    # end: it starts a little before the first vote instead, and says so.
    if times and times[0] - start > (stop - start) / 3 and times[0] < stop:
        start = max(start, times[0] - (stop - times[0]) / 10)
    span = stop - start
    steps = [start + span * i / buckets for i in range(buckets + 1)]
    cumulative = [bisect_right(times, t) for t in steps]
    # Votes stamped after the window (clock skew) still count in the final total.
    cumulative[-1] = len(times)
    top = max(cumulative[-1], 1)
    points = " ".join(
        f"{CHART_WIDTH * i / buckets:.1f},{CHART_HEIGHT - CHART_HEIGHT * n / top:.1f}"
        for i, n in enumerate(cumulative)
    )
    rows = [{"at": steps[i], "votes": cumulative[i]} for i in range(0, buckets + 1, buckets // 6)]
    return {
        "empty": False,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "points": points,
        "area": f"0,{CHART_HEIGHT} {points} {CHART_WIDTH},{CHART_HEIGHT}",
        "top": cumulative[-1],
        "start": start,
        "stop": stop,
        "opened": opened,
        "trimmed": start != opened,
        "rows": rows,
    }


# --- the result, explained ------------------------------------------------------------------------


def _ballots(n):
    return ngettext("%(count)s ballot", "%(count)s ballots", n) % {"count": n}


def victory_sentence(winner, victory, names, strongest_paths):
    """One plain sentence on why ``winner`` ranks above ``victory["over"]`` (see tally.explain_winners)."""
    w, o = names.get(winner, winner), names.get(victory["over"], victory["over"])
    votes_for, votes_against, strength = victory["for"], victory["against"], victory["strength"]
    path = ARROW.join(names.get(c, c) for c in victory["path"])
    back = strongest_paths[victory["over"]][winner]
    values = {"winner": w, "other": o, "ballots_for": _ballots(votes_for), "against": votes_against,
              "ballots_against": _ballots(votes_against), "for": votes_for, "path": path, "strength": strength,
              "ballots_strength": _ballots(strength), "back": back}
    if victory["direct"] and len(victory["path"]) == 2:
        return _("%(winner)s beat %(other)s directly by %(ballots_for)s to %(against)s.") % values
    if victory["direct"]:
        return _("%(winner)s beat %(other)s directly by %(ballots_for)s to %(against)s, and even more strongly "
                 "through %(path)s, a chain of wins whose weakest link has strength %(strength)s.") % values
    if votes_for == votes_against:
        sentence = _("%(winner)s and %(other)s were level head to head (%(ballots_for)s each way), but %(winner)s "
                     "beat %(other)s through %(path)s with strength %(strength)s: every step of that chain is a "
                     "head-to-head win backed by at least %(ballots_strength)s, while the strongest chain from "
                     "%(other)s back to %(winner)s has strength %(back)s.")
    else:
        sentence = _("%(other)s beat %(winner)s directly by %(ballots_against)s to %(for)s, but %(winner)s beat "
                     "%(other)s through %(path)s with strength %(strength)s: every step of that chain is a "
                     "head-to-head win backed by at least %(ballots_strength)s, while the strongest chain from "
                     "%(other)s back to %(winner)s has strength %(back)s.")
    return sentence % values


def explanations(result, names):
    """Per winner: sentences for each candidate they defeat, and for those they are level with."""
    explained = []
    for entry in explain_winners(result):
        winner = entry["winner"]
        sentences = [victory_sentence(winner, v, names, result.strongest_paths) for v in entry["victories"]]
        beaten = {v["over"] for v in entry["victories"]}
        for other in result.candidates:
            if other != winner and other not in beaten:
                p_for, p_back = result.strongest_paths[winner][other], result.strongest_paths[other][winner]
                if p_for == p_back:
                    sentences.append(
                        _("%(winner)s and %(other)s are level: their strongest chains against each other both have "
                          "strength %(strength)s.")
                        % {"winner": names.get(winner, winner), "other": names.get(other, other), "strength": p_for}
                    )
        explained.append({"winner": winner, "name": names.get(winner, winner), "sentences": sentences})
    return explained


def _outcome(mine, theirs):
    return "win" if mine > theirs else "loss" if mine < theirs else "tie"


def matrix_rows(matrix, order, names):
    """Rows of a pairwise or strongest-path table in ranking order; each cell knows whether it is a win."""
    return [
        {
            "id": x,
            "name": names.get(x, x),
            "cells": [
                {"self": True} if x == y else
                {"self": False, "value": matrix[x][y], "reverse": matrix[y][x],
                 "outcome": _outcome(matrix[x][y], matrix[y][x]), "over": names.get(y, y)}
                for y in order
            ],
        }
        for x in order
    ]


def results_page(result, names):
    """Everything the officers' results page shows, derived from one TallyResult."""
    order = [c for group in result.ranking for c in group]
    winners = set(result.winners)
    ranking, place = [], 1
    # The explanation names each candidate with their place in the ranking, so that a reader can follow it.
    placed = {}
    for group in result.ranking:
        ranking.append({"place": place, "tied": len(group) > 1,
                        "candidates": [{"id": c, "name": names.get(c, c), "winner": c in winners} for c in group]})
        for c in group:
            placed[c] = _("%(name)s (%(place)s)") % {"name": names.get(c, c), "place": ordinal(place)}
        place += len(group)
    tie = None
    if result.tie:
        tied = result.tie["candidates"]
        tie = {"candidates": [names.get(c, c) for c in tied], "seats": result.tie["seats"],
               "undecided": result.undecided_seats, "note": result.tie_break_note,
               "names": _and_list([names.get(c, c) for c in tied]),
               "sentences": _tie_sentences(result, tied, names)}
    return {
        "ballots": result.ballots,
        "seats": result.seats,
        "winners": [{"id": c, "name": names.get(c, c)} for c in result.winners],
        "tie": tie,
        "ranking": ranking,
        "headers": [{"id": c, "name": names.get(c, c)} for c in order],
        "pairwise": matrix_rows(result.pairwise, order, names),
        "strongest_paths": matrix_rows(result.strongest_paths, order, names),
        "explanations": explanations(result, placed),
        "heat_map": mark_safe(heat_map_svg(result, names)),  # noqa: S308 (names escaped in the drawing)
        "beat_graph": mark_safe(beat_graph_svg(result, names)),  # noqa: S308
    }


def _and_list(items):
    if len(items) == 1:
        return items[0]
    # Translators: the separator between names in a list, "A, B and C".
    separator = _(", ")
    # Translators: the end of a list of names, "A, B and C".
    return _("%(items)s and %(last)s") % {"items": separator.join(items[:-1]), "last": items[-1]}


def _tie_sentences(result, tied, names):
    """Why the tied candidates cannot be separated: for each pair, the head-to-head count and the paths."""
    d, p = result.pairwise, result.strongest_paths
    sentences = []
    for i, a in enumerate(tied):
        for b in tied[i + 1:]:
            na, nb = names.get(a, a), names.get(b, b)
            sentences.append(
                _("%(a)s over %(b)s: %(a_over_b)s; %(b)s over %(a)s: %(b_over_a)s. Their strongest chains against "
                  "each other are equally strong (%(strength)s each way).")
                % {"a": na, "b": nb, "a_over_b": _ballots(d[a][b]), "b_over_a": _ballots(d[b][a]), "strength": p[a][b]}
            )
    return sentences
