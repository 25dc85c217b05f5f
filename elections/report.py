"""What officers disclose about a count beyond the winners: the charter's rules as applied, the robustness
panel, and the report to the steering body (one page, one export).

The count is ``elections.tally.count`` (through ``results.election_tally``); this module only words it.
"""

from dataclasses import dataclass

from django.utils import timezone

from .decisions import election_rules
from .models import Disqualification, ExceptionRequest
from .results import candidate_names, election_tally, election_turnout
from .robustness import MINIMAX, RANKED_PAIRS, SCHULZE, panel
from .seats import disclosure


def charter_context(result, names, *, tie_break=None):
    """The charter rules as applied, and the robustness panel, ready for a template."""
    seating = result.seating

    def who(candidate):
        return names.get(candidate, candidate)

    verdict = panel(result, tie_break=tie_break)
    differs = {row["seat"] for row in verdict.disagreements}
    seats = []
    for seat in range(1, result.seats + 1):
        row = {"seat": seat, "differs": seat in differs}
        for key, name in (("schulze", SCHULZE), ("ranked_pairs", RANKED_PAIRS), ("minimax", MINIMAX)):
            winners = verdict.methods[name]
            row[key] = who(winners[seat - 1]) if seat <= len(winners) else None
        seats.append(row)
    return {
        "declared": seating.rules.declared,
        "representation": seating.rules.representation,
        "sentences": disclosure(seating, who),
        "limits_sentence": seating.limits_sentence,
        "terms": [{**t, "name": who(t["candidate"]) if t["candidate"] else None} for t in seating.terms],
        "disqualified": seating.disqualified,
        "skipped": [{**s, "name": who(s["candidate"]),
                     "replaced_by_name": who(s["replaced_by"]) if s["replaced_by"] else None}
                    for s in seating.skipped],
        "unfilled": seating.unfilled,
        "organizations": seating.organizations,
        "panel": {
            "seats": seats,
            "agree": verdict.agree,
            "condorcet_winner": who(verdict.condorcet_winner) if verdict.condorcet_winner else None,
            "smith_set": [who(c) for c in verdict.smith_set],
            "verdict": verdict.verdict(who),
            "minimax_scores": [{"name": who(c), "score": s} for c, s in sorted(verdict.minimax_scores.items(),
                                                                                 key=lambda item: item[1])],
        },
    }


@dataclass(frozen=True)
class SteeringReport:
    """Everything the steering body is told about a count (Kubernetes' election guide, "Determining Results")."""

    election: object
    result: object
    names: dict
    turnout: object
    exceptions: dict
    disqualifications: list
    charter: dict
    ballots_sha256: str
    generated_at: object

    @property
    def ranking(self):
        rows, place = [], 1
        winners, disqualified = set(self.result.winners), self.charter["disqualified"]
        for group in self.result.ranking:
            for candidate in group:
                rows.append({"place": place, "id": candidate, "name": self.names.get(candidate, candidate),
                             "tied": len(group) > 1, "elected": candidate in winners,
                             "disqualified": candidate in disqualified,
                             "organization": self.charter["organizations"].get(candidate)})
            place += len(group)
        return rows


def steering_report(election):
    """Gather the report for a completed election (its ballots counted now, as the results page does)."""
    result = election_tally(election)
    names = candidate_names(election)
    requests = ExceptionRequest.objects.filter(election=election)
    exceptions = {
        "requested": requests.count(),
        "granted": requests.filter(status=ExceptionRequest.APPROVED).count(),
        "denied": requests.filter(status=ExceptionRequest.DENIED).count(),
        "pending": requests.filter(status=ExceptionRequest.PENDING).count(),
    }
    by_officer = {d.candidate.candidate_id: d for d in
                  Disqualification.objects.filter(candidate__election=election).select_related("candidate")}
    disqualifications = [
        {"id": candidate, "name": names.get(candidate, candidate), "reason": reason,
         "decided": (f"by {by_officer[candidate].decided_by} on {by_officer[candidate].decided_at:%Y-%m-%d %H:%M} UTC"
                     if candidate in by_officer else "in election.yaml")}
        for candidate, reason in election_rules(election).disqualified
    ]
    return SteeringReport(
        election=election,
        result=result,
        names=names,
        turnout=election_turnout(election),
        exceptions=exceptions,
        disqualifications=disqualifications,
        charter=charter_context(result, names, tie_break=election.tie_break),
        ballots_sha256=result.ballots_sha256,
        generated_at=timezone.now(),
    )


def report_markdown(report):
    """The report as Markdown: the export ``report.md``."""
    election, result, turnout = report.election, report.result, report.turnout
    names = report.names

    def who(candidate):
        name = names.get(candidate, candidate)
        return f"{name} ({candidate})" if name != candidate else candidate

    lines = [f"# Report to the steering body: {election.name}", "",
             f"Election `{election.key}`, voting closed {election.end_datetime:%Y-%m-%d %H:%M} UTC; counted "
             f"{report.generated_at:%Y-%m-%d %H:%M} UTC with the Schulze method (winning votes).", ""]
    lines += ["## Ballots and turnout", "",
              f"- Ballots counted: {result.ballots}"]
    if turnout.eligible:
        lines.append(f"- Turnout: {turnout.voters} of {turnout.eligible} eligible voters ({turnout.percent}%)")
    lines.append(f"- SHA-256 of the ballots counted: `{report.ballots_sha256}` (the published ballots.csv gives the "
                 "same digest with `python manage.py tally --ballots ballots.csv`, whatever its row order)")
    ex = report.exceptions
    lines += ["", "## Exceptions", "",
              f"{ex['requested']} requested, {ex['granted']} granted, {ex['denied']} denied"
              + (f", {ex['pending']} never reviewed." if ex["pending"] else ".")]
    lines += ["", "## Winners", ""]
    terms = {t["seat"]: t["term"] for t in report.charter["terms"]}
    for seat, candidate in enumerate(result.winners, start=1):
        lines.append(f"{seat}. {who(candidate)}" + (f" ({terms[seat]})" if seat in terms else ""))
    if not result.winners:
        lines.append("None decided.")
    if result.undecided_seats:
        lines.append(f"\n{result.undecided_seats} seat(s) undecided: an unbroken tie; the officers settle it by the "
                     "community's published rules.")
    lines += ["", "## Complete ranking", "", "| Place | Candidate | Organization | Outcome |",
              "| ---: | --- | --- | --- |"]
    for row in report.ranking:
        outcome = ("disqualified" if row["disqualified"] else "elected" if row["elected"] else "")
        outcome += " (tied)" if row["tied"] else ""
        lines.append(f"| {row['place']} | {who(row['id'])} | {row['organization'] or ''} | {outcome.strip()} |")
    lines += ["", "## Ties and tie-breaks", ""]
    if result.tie:
        lines.append(f"{', '.join(who(c) for c in result.tie['candidates'])} tied for {result.tie['seats']} seat(s).")
        lines.append(result.tie_break_note or "No tie-break was declared: the tie stands.")
    else:
        lines.append("No tie affected a seat.")
    lines += ["", "## Disqualifications", ""]
    lines += [f"- {d['name']} ({d['id']}), {d['decided']}: {d['reason']}" for d in report.disqualifications] or [
        "None."]
    lines += ["", "## Representation limits", ""]
    lines += [f"- {sentence}" for sentence in report.charter["sentences"] if sentence != report.charter[
        "limits_sentence"]]
    lines += ["", report.charter["limits_sentence"]]
    lines += ["", "## Would another method have changed it?", ""]
    lines += [f"- {sentence}" for sentence in report.charter["panel"]["verdict"]]
    lines += ["", "| Seat | Schulze | Ranked Pairs | Minimax |", "| ---: | --- | --- | --- |"]
    for row in report.charter["panel"]["seats"]:
        cells = [row[k] or "undecided" for k in ("schulze", "ranked_pairs", "minimax")]
        lines.append(f"| {row['seat']}{' ⚠' if row['differs'] else ''} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def results_charter_context(election, result, names):
    """What the officers' results page adds for the charter: the rules as applied, the panel, and the
    disqualification forms."""
    disqualified = set(election_rules(election).disqualified_reasons())
    return {
        "charter": charter_context(result, names, tie_break=election.tie_break),
        # Those counted: a withdrawn candidate nobody ranked is not in the count at all.
        "disqualify_candidates": [c for c in election.candidates.all()
                                  if c.candidate_id in result.candidates and c.candidate_id not in disqualified],
        "officer_disqualifications": Disqualification.objects.filter(candidate__election=election)
        .select_related("candidate"),
    }
