"""What officers disclose about a count beyond the winners: the charter's rules as applied, the robustness
panel, and the report to the steering body (one page, one export).

The count is ``elections.counting.tally.count`` (through ``results.election_tally``); this module only words it.
"""

import json
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from elections.count_record import count_inputs_of
from elections.counting.charter import organization_key
from elections.counting.robustness import MINIMAX, RANKED_PAIRS, SCHULZE, panel
from elections.counting.seats import DISQUALIFIED, LIMIT, disclosure
from elections.models import Disqualification, ExceptionRequest
from elections.officers.decisions import election_rules
from elections.officers.results import ballots_csv_sha256, candidate_names, election_tally, election_turnout


def _and_list(items):
    items = list(items)
    if not items:
        return ""
    return items[0] if len(items) == 1 else _("%(list)s and %(last)s") % {"list": ", ".join(items[:-1]),
                                                                          "last": items[-1]}


def _holders(entry, who):
    return ", ".join(
        _("%(login)s (continuing)") % {"login": h["who"]} if h["as"] == "continuing"
        else _("%(name)s (elected)") % {"name": who(h["who"])}
        for h in entry["holders"])


def _why_passed_over(entry, rep, who):
    """The reader's-language version of a skipped entry's ``detail`` (elections.counting.seats)."""
    if entry["because"] == DISQUALIFIED:
        return _("disqualified: %(reason)s") % {"reason": entry["detail"].removeprefix("disqualified: ")}
    organization = entry["organization"]
    group = next((g for g in rep.same_organization if organization_key(organization) in map(organization_key, g)), ())
    others = [n for n in group if organization_key(n) != organization_key(organization)]
    text = _("%(organization)s already holds %(held)s of at most %(max)s seats: %(holders)s") % {
        "organization": organization, "held": len(entry["holders"]), "max": rep.max_per_organization,
        "holders": _holders(entry, who)}
    if others:
        text += " " + _("(counted as one organization with %(names)s)") % {"names": _and_list(others)}
    if entry["after_tie_break"]:
        text += " " + _("(after the tie-break)")
    return text


def limits_sentence(seating):
    if not seating.limits_declared:
        return _("No proportional representation limits were declared for this election.")
    if seating.limits_invoked:
        return _("Proportional representation limits were invoked for this election.")
    return _("Proportional representation limits were not invoked for this election.")


def charter_sentences(seating, who):
    """``elections.counting.seats.disclosure`` in the reader's language, for the officers' pages."""
    sentences = []
    rep = seating.rules.representation
    if rep:
        text = ngettext(
            "Representation limit: at most %(n)s seat per organization on the whole committee (the candidates' "
            "“%(field)s”), continuing members included.",
            "Representation limit: at most %(n)s seats per organization on the whole committee (the candidates' "
            "“%(field)s”), continuing members included.", rep.max_per_organization,
        ) % {"n": rep.max_per_organization, "field": rep.field}
        if rep.continuing:
            text += " " + _("Continuing members: %(list)s.") % {"list": ", ".join(
                f"{login} ({org or _('no organization')})" for login, org in rep.continuing)}
        sentences.append(text)
        for group in rep.same_organization:
            sentences.append(_("%(names)s count as one organization.") % {"names": _and_list(group)})
        if seating.without_organization:
            sentences.append(_("Counted as having no organization, so never against the limit: %(list)s.") % {
                "list": ", ".join(
                    _("%(name)s (“%(value)s”)") % {"name": who(c), "value": name} if name
                    else _("%(name)s (no “%(field)s” given)") % {"name": who(c), "field": rep.field}
                    for c, name in seating.without_organization)})
    replaced = {e["candidate"]: e["replaced_by"] for e in seating.skipped if e["replaced_by"]}
    for candidate, reason in seating.rules.disqualified:
        text = _("%(name)s was disqualified: %(reason)s. They keep their place in the ranking and take no seat.") % {
            "name": who(candidate), "reason": reason}
        if candidate in replaced:
            text += " " + _("%(name)s took the seat they would have won.") % {"name": who(replaced[candidate])}
        sentences.append(text)
    for entry in seating.skipped:
        if entry["because"] == LIMIT:
            text = _("%(name)s (place %(place)s) was passed over by the representation limit: %(why)s.") % {
                "name": who(entry["candidate"]), "place": entry["place"], "why": _why_passed_over(entry, rep, who)}
            if entry["replaced_by"]:
                text += " " + _("%(name)s took the seat instead.") % {"name": who(entry["replaced_by"])}
            sentences.append(text)
    if seating.unfilled:
        sentences.append(ngettext(
            "%(n)s seat remains unfilled: no remaining candidate can take it within the rules.",
            "%(n)s seats remain unfilled: no remaining candidate can take them within the rules.",
            seating.unfilled) % {"n": seating.unfilled})
    if seating.rules.declared or seating.skipped:
        sentences.append(limits_sentence(seating))
    return sentences


def panel_sentences(verdict, who):
    """``Panel.verdict`` in the reader's language."""
    sentences = []
    if verdict.condorcet_winner is not None:
        sentences.append(_("%(name)s beats every other candidate head to head (a Condorcet winner), so every "
                           "Condorcet method ranks them first.") % {"name": who(verdict.condorcet_winner)})
    else:
        sentences.append(_("No candidate beats every other head to head. The Smith set, the smallest group whose "
                           "members each beat everyone outside it, is %(names)s; Condorcet methods can legitimately "
                           "differ inside it.") % {"names": _and_list(map(who, verdict.smith_set))})
    if verdict.agree:
        sentences.append(_("Ranked Pairs and Minimax fill every seat exactly as Schulze does: another of these "
                           "methods would not have changed the result."))
        return sentences

    def seat(candidate):
        return _("nobody yet (a tie)") if candidate is None else who(candidate)

    for row in verdict.disagreements:
        others = "; ".join(_("%(method)s would elect %(name)s") % {"method": name, "name": seat(row[name])}
                           for name in (RANKED_PAIRS, MINIMAX) if row[name] != row[SCHULZE])
        sentences.append(_("Seat %(seat)s: Schulze elects %(name)s; %(others)s.") % {
            "seat": row["seat"], "name": seat(row[SCHULZE]), "others": others})
    if set(verdict.methods[SCHULZE]) == set(verdict.methods[RANKED_PAIRS]) == set(verdict.methods[MINIMAX]):
        sentences.append(_("The same candidates are elected by every method; only the order of the seats differs, "
                           "which matters only where seats carry different terms."))
    else:
        sentences.append(_("The methods disagree on who is elected. Schulze is the method the election declared and "
                           "it decides; disclose this comparison if asked."))
    return sentences


def charter_context(result, names, *, tie_break=None):
    """The charter rules as applied, and the robustness panel, ready for a template (reader's language)."""
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
    rep = seating.rules.representation
    return {
        "declared": seating.rules.declared,
        "representation": rep,
        "seating": seating,
        "verdict": verdict,
        "sentences": charter_sentences(seating, who),
        "limits_sentence": limits_sentence(seating),
        "terms": [{**t, "name": who(t["candidate"]) if t["candidate"] else None} for t in seating.terms],
        "disqualified": seating.disqualified,
        "skipped": [{**s, "name": who(s["candidate"]), "why": _why_passed_over(s, rep, who),
                     "replaced_by_name": who(s["replaced_by"]) if s["replaced_by"] else None}
                    for s in seating.skipped],
        "unfilled": seating.unfilled,
        "organizations": seating.organizations,
        "panel": {
            "seats": seats,
            "agree": verdict.agree,
            "condorcet_winner": who(verdict.condorcet_winner) if verdict.condorcet_winner else None,
            "smith_set": [who(c) for c in verdict.smith_set],
            "verdict": panel_sentences(verdict, who),
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
    ballots_csv_sha256: str
    generated_at: object
    # What the count used (elections.count_record.CountInputs), published so that anyone can recount exactly.
    inputs: object = None

    @property
    def input_organizations(self):
        """The organizations the count used, by candidate name (for the report's "What the count used")."""
        return [{"name": self.names.get(c, c), "id": c, "organization": o}
                for c, o in sorted(self.inputs.organizations.items(),
                                   key=lambda item: self.names.get(item[0], item[0]).lower())]

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
    """Gather the report for a completed election (its ballots counted now with the inputs recorded for its
    count, as the results page does)."""
    inputs = count_inputs_of(election)
    result = election_tally(election, inputs)
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
         "by": by_officer[candidate].decided_by if candidate in by_officer else None,
         "at": by_officer[candidate].decided_at if candidate in by_officer else None}
        for candidate, reason in election_rules(election, inputs).disqualified
    ]
    return SteeringReport(
        election=election,
        result=result,
        names=names,
        turnout=election_turnout(election),
        exceptions=exceptions,
        disqualifications=disqualifications,
        charter=charter_context(result, names, tie_break=inputs.tie_break),
        ballots_sha256=result.ballots_sha256,
        ballots_csv_sha256=ballots_csv_sha256(election),
        generated_at=timezone.now(),
        inputs=inputs,
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
    lines.append(f"- SHA-256 of ballots.csv: `{report.ballots_csv_sha256}` (the file officers download and publish: "
                 "`sha256sum ballots.csv` prints it)")
    lines.append(f"- Normalised SHA-256 of the ballots counted: `{report.ballots_sha256}` (any ballots.csv of the same "
                 "ballots gives it with `python manage.py tally --ballots ballots.csv`, whatever its row order)")
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
    lines += [f"- {d['name']} ({d['id']}), "
              + (f"by {d['by']} on {d['at']:%Y-%m-%d %H:%M} UTC" if d["by"] else "in election.yaml")
              + f": {d['reason']}" for d in report.disqualifications] or ["None."]
    seating = result.seating
    lines += ["", "## Representation limits", ""]
    lines += [f"- {sentence}" for sentence in disclosure(seating, who) if sentence != seating.limits_sentence]
    lines += ["", seating.limits_sentence]
    lines += ["", "## What the count used", ""]
    lines += _inputs_lines(report.inputs, who)
    lines += ["", "## Would another method have changed it?", ""]
    lines += [f"- {sentence}" for sentence in report.charter["verdict"].verdict(lambda c: names.get(c, c))]
    lines += ["", "| Seat | Schulze | Ranked Pairs | Minimax |", "| ---: | --- | --- | --- |"]
    for row in report.charter["panel"]["seats"]:
        cells = [row[k] or "undecided" for k in ("schulze", "ranked_pairs", "minimax")]
        lines.append(f"| {row['seat']}{' ⚠' if row['differs'] else ''} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _inputs_lines(inputs, who):
    """The inputs of the count, as the report publishes them (the exports carry the same as data)."""
    record = inputs.record
    if record is None:
        lines = ["Read from the election as the meta repository gives it now (its count has no record here)."]
    else:
        lines = [f"Recorded {record.recorded_at:%Y-%m-%d %H:%M} UTC ({record.get_cause_display()}"
                 + (f", by {record.decided_by}: {record.reason}" if record.decided_by else "")
                 + "); a later change of these in the meta repository does not change this count."]
    lines += ["", f"- Seats: {inputs.seats}",
              "- Tie-break: " + (f"`{json.dumps(inputs.tie_break, ensure_ascii=False)}`" if inputs.tie_break
                                 else "none declared"),
              "- Charter rules from election.yaml: " + (f"`{json.dumps(inputs.charter, ensure_ascii=False)}`"
                                                        if inputs.charter else "none"),
              "- Withdrawn: " + (", ".join(who(c) for c in inputs.withdrawn) or "none")]
    if inputs.organizations:
        lines.append("- Organizations: " + "; ".join(f"{who(c)}: {o or 'none'}"
                                                     for c, o in sorted(inputs.organizations.items())))
    return lines


def results_charter_context(election, result, names, inputs):
    """What the officers' results page adds for the charter: the rules as applied, the panel, and the
    disqualification forms. ``inputs``: what the count used (``elections.count_record``)."""
    disqualified = set(election_rules(election, inputs).disqualified_reasons())
    return {
        "charter": charter_context(result, names, tie_break=inputs.tie_break),
        # Those counted: a withdrawn candidate nobody ranked is not in the count at all.
        "disqualify_candidates": [c for c in election.candidates.all()
                                  if c.candidate_id in result.candidates and c.candidate_id not in disqualified],
        "officer_disqualifications": Disqualification.objects.filter(candidate__election=election)
        .select_related("candidate"),
    }
