"""Downloads for officers of a completed election: the anonymised ballots and the full result.

The ballots go out ordered by their receipts (random codes), so the order of rows says nothing about the order
of voting or of the rows in the database, and every download of ballots.csv is the same file: the SHA-256 that
the report and ``manage.py tally`` give for it is what ``sha256sum ballots.csv`` prints. Each row carries its
receipt, so that each voter can find their own ballot and check it was counted as cast.

Every export is also readable back: ballots.csv by ``elections.counting.tally.read_ballots_csv`` (and ``manage.py
tally --ballots``), ballots.yaml by ``read_ballots_yaml`` here.
"""

import csv
import io
import json
from dataclasses import dataclass

import yaml
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from elections.count_record import count_inputs_document
from elections.counting.tally import results_markdown
from elections.officers.pictures import beat_graph_svg, heat_map_svg
from elections.officers.report import report_markdown, steering_report
from elections.officers.results import (
    ballots_csv,
    ballots_in_file_order,
    candidate_names,
    election_tally,
    eligible_count,
    exception_counts,
)

BALLOTS_CSV = "ballots.csv"
BALLOTS_YAML = "ballots.yaml"
RESULT_CSV = "result.csv"
RESULT_YAML = "result.yaml"
RESULT_JSON = "result.json"
RESULTS_MD = "results.md"
BEAT_GRAPH_SVG = "beat-graph.svg"
HEAT_MAP_SVG = "heat-map.svg"
REPORT_MD = "report.md"

KINDS = {
    BALLOTS_CSV: ("text/csv", gettext_lazy("Anonymised ballots, Elekto's ballots.csv with a receipt column")),
    BALLOTS_YAML: ("application/yaml", gettext_lazy("Anonymised ballots as YAML, with receipts")),
    RESULT_CSV: ("text/csv", gettext_lazy("Ranking, pairwise counts and strongest paths, one row per candidate")),
    RESULT_YAML: ("application/yaml", gettext_lazy("The full result as YAML")),
    RESULT_JSON: ("application/json", gettext_lazy("The full result as JSON (as manage.py tally --format json)")),
    RESULTS_MD: ("text/markdown", gettext_lazy("A draft results.md to commit to the meta repository")),
    BEAT_GRAPH_SVG: ("image/svg+xml", gettext_lazy("Who beats whom, as a picture (SVG) for a blog post")),
    HEAT_MAP_SVG: ("image/svg+xml", gettext_lazy("The head-to-head counts as a heat map (SVG) for a blog post")),
    REPORT_MD: ("text/markdown", gettext_lazy("The report to the steering body: ranking, turnout, exceptions, limits, "
                                              "tie-breaks, disqualifications, the methods compared, the ballots' "
                                              "SHA-256")),
}


@dataclass(frozen=True)
class Export:
    kind: str
    filename: str
    content_type: str
    content: str


def ballots_yaml(election):
    candidates, ballots, receipts = ballots_in_file_order(election)
    rows = zip(ballots, receipts, strict=True)
    document = {
        "election": election.key,
        "candidates": candidates,
        # Every candidate on every ballot, null for "No opinion": the same reading as ballots.csv.
        "ballots": [{"receipt": receipt, "ranks": {c: ranks.get(c) for c in candidates}} for ranks, receipt in rows],
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def read_ballots_yaml(text):
    """Read ``ballots_yaml`` output: returns ``(candidates, ballots, receipts)`` in file order.

    Raises ValueError naming the first ballot that does not fit (unknown candidate, rank not a whole number
    of 1 or more).
    """
    document = yaml.safe_load(text)
    if not isinstance(document, dict) or not isinstance(document.get("candidates"), list):
        raise ValueError("not a ballots.yaml export: expected 'candidates' and 'ballots'")
    candidates = [str(c) for c in document["candidates"]]
    ballots, receipts = [], []
    for number, entry in enumerate(document.get("ballots") or [], start=1):
        ranks = entry.get("ranks") if isinstance(entry, dict) else None
        if not isinstance(ranks, dict):
            raise ValueError(f"ballot {number}: expected a 'ranks' mapping")
        unknown = set(map(str, ranks)) - set(candidates)
        if unknown:
            raise ValueError(f"ballot {number}: unknown candidate(s) {', '.join(sorted(unknown))}")
        for candidate, rank in ranks.items():
            if rank is not None and (type(rank) is not int or rank < 1):
                raise ValueError(f"ballot {number}: {candidate}: {rank!r} is not a rank")
        ballots.append({str(c): r for c, r in ranks.items()})
        receipts.append(entry.get("receipt"))
    return candidates, ballots, receipts


def _result_document(election, result):
    names = candidate_names(election)
    return {
        "election": {"key": election.key, "name": election.name, "seats": result.seats,
                     "eligible_voters": eligible_count(election), "exception_requests": exception_counts(election),
                     "counted_at": timezone.now().isoformat()},
        "names": {c: names.get(c, c) for c in result.candidates},
        **result.to_dict(),
        "inputs": count_inputs_document(election),
    }


def result_json(election, result):
    return json.dumps(_result_document(election, result), indent=2, ensure_ascii=False) + "\n"


def result_yaml(election, result):
    return yaml.safe_dump(_result_document(election, result), sort_keys=False, allow_unicode=True)


def result_csv(election, result):
    """One row per candidate in ranking order: place, ID, name, elected, then for every candidate Y the
    number of ballots preferring this one to Y ("over:Y") and the strongest path to Y ("path:Y")."""
    names = candidate_names(election)
    winners, tied = set(result.winners), set(result.tie["candidates"]) if result.tie else set()
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["place", "candidate", "name", "elected", "tied_for_last_seat"]
                    + [f"over:{c}" for c in result.candidates] + [f"path:{c}" for c in result.candidates])
    place = 1
    for group in result.ranking:
        for x in group:
            writer.writerow(
                [place, x, names.get(x, x), "yes" if x in winners else "no", "yes" if x in tied else "no"]
                + ["" if x == y else result.pairwise[x][y] for y in result.candidates]
                + ["" if x == y else result.strongest_paths[x][y] for y in result.candidates]
            )
        place += len(group)
    return out.getvalue()


def results_md(election, result):
    return results_markdown(result, election_name=election.name, eligible_voters=eligible_count(election),
                            names=candidate_names(election), exception_requests=exception_counts(election))


def _picture(draw):
    def build(election, result):
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + draw(result, candidate_names(election)) + "\n"

    return build


def export_build(election, kind):
    """The export ``kind`` (one of KINDS) of a completed election; counts its ballots when needed.

    Files are written in the site's default language whatever the officer's page language, so that every
    download of an election (and the results.md committed from it) reads the same.
    """
    if kind not in KINDS:
        raise KeyError(kind)
    with translation.override(settings.LANGUAGE_CODE):
        return _export_build(election, kind)


def _export_build(election, kind):
    if kind == BALLOTS_CSV:
        content = ballots_csv(election)
    elif kind == BALLOTS_YAML:
        content = ballots_yaml(election)
    elif kind == REPORT_MD:
        content = report_markdown(steering_report(election))
    else:
        result = election_tally(election)
        content = {RESULT_CSV: result_csv, RESULT_YAML: result_yaml, RESULT_JSON: result_json,
                   RESULTS_MD: results_md, BEAT_GRAPH_SVG: _picture(beat_graph_svg),
                   HEAT_MAP_SVG: _picture(heat_map_svg)}[kind](election, result)
    content_type, _ = KINDS[kind]
    filename = kind.replace(".", f"-{election.key}.", 1)
    return Export(kind=kind, filename=filename, content_type=f"{content_type}; charset=utf-8", content=content)
