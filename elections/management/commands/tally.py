"""Count an election's ballots, or recount a published ballots.csv, with elections.counting.tally."""

import hashlib
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from elections.ballot_box.box import box_is_sealed
from elections.count_record import count_inputs_document, count_inputs_of
from elections.counting.charter import NO_RULES, rules_from_yaml
from elections.counting.seats import disclosure
from elections.counting.tally import BallotFileError, count, read_ballots_csv, results_markdown
from elections.models import Election
from elections.officers.results import ballots_csv_sha256, candidate_names, election_tally, eligible_count
from meta_sync.parser import parse_election


class Command(BaseCommand):
    help = (
        "Count the ballots of a completed election (tally ELECTION_KEY), or recount a ballots.csv "
        "(tally --ballots FILE.csv [--seats N], or with the seats, tie-break and charter rules of an election "
        "folder: tally --ballots FILE.csv --election-folder DIR). Prints the result as text, JSON or a draft "
        "results.md."
    )
    # A read-only count: the site's configuration (webhooks, sign-in) has no bearing on it.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("election_key", nargs="?", help="The election's key, e.g. steering---2024.")
        parser.add_argument("--ballots", metavar="FILE.csv", help="Recount this ballots.csv ('-' for stdin).")
        parser.add_argument("--seats", type=int, help="Seats to fill when counting a file (default 1).")
        parser.add_argument("--tie-break-order", metavar="ID,ID,...",
                            help="With --ballots: the declared tie-break order, first preferred.")
        parser.add_argument("--tie-break-seed", metavar="TEXT", help="With --ballots: the declared tie-break seed.")
        parser.add_argument("--election-folder", metavar="DIR",
                            help="With --ballots: count as this meta repository election folder declares (its "
                                 "election.yaml's seats, tie-break and charter rules, its candidates' profiles). "
                                 "Reads the folder only, not the database.")
        parser.add_argument("--format", choices=["text", "json", "markdown"], default="text")

    def handle(self, *args, election_key, ballots, seats, tie_break_order, tie_break_seed, election_folder, format,
               **options):
        if election_folder and not ballots:
            raise CommandError("--election-folder goes with --ballots FILE.csv: it says how to count that file.")
        if bool(election_key) == bool(ballots):
            raise CommandError("Give either an election key or --ballots FILE.csv (not both).")
        document = {}
        try:
            if ballots and election_folder:
                if seats is not None or tie_break_order or tie_break_seed:
                    raise CommandError("--seats and --tie-break-* cannot go with --election-folder: the folder's "
                                       "election.yaml declares them.")
                candidates, cast, file_sha256 = _read_file(ballots)
                result, heading = _count_as_folder_declares(election_folder, candidates, cast)
            elif ballots:
                tie_break = _tie_break_from_options(tie_break_order, tie_break_seed)
                candidates, cast, file_sha256 = _read_file(ballots)
                result = count(candidates, cast, seats=1 if seats is None else seats, tie_break=tie_break)
                heading = {}
            else:
                if seats is not None or tie_break_order or tie_break_seed:
                    raise CommandError("--seats and --tie-break-* apply to --ballots only: an election's seats "
                                       "and tie-break come from its election.yaml.")
                election = _completed_election(election_key)
                inputs = count_inputs_of(election)
                result = election_tally(election, inputs)
                document = {"inputs": count_inputs_document(election, inputs)}
                file_sha256 = ballots_csv_sha256(election)
                heading = {
                    "election_name": election.name,
                    "eligible_voters": eligible_count(election) or None,
                    "names": candidate_names(election),
                }
        except ValueError as exc:
            raise CommandError(f"Cannot count: {exc}") from exc

        if format == "json":
            # An election's count publishes what it used, so that anyone can count its ballots.csv again exactly.
            self.stdout.write(json.dumps({**result.to_dict(), "ballots_csv_sha256": file_sha256, **document},
                                         indent=2))
        elif format == "markdown":
            self.stdout.write(results_markdown(result, **heading), ending="")
        else:
            self.stdout.write(_as_text(result, file_sha256=file_sha256))


def _count_as_folder_declares(folder, candidates, ballots):
    """Count ``ballots`` with what the election folder declares; the result and the draft results.md's heading."""
    folder = Path(folder).resolve()
    if not (folder / "election.yaml").is_file():
        raise CommandError(f"{folder} holds no election.yaml: give the folder of one election, e.g. "
                           "elections/steering/2024.")
    election = parse_election(folder.parent, folder, folder.parent)
    if election.errors:
        raise CommandError(f"{folder} cannot be read as an election:\n" + "\n".join(
            f"  {problem.path}: {problem.field + ': ' if problem.field else ''}{problem.message}"
            for problem in election.errors))
    profiles = {candidate.candidate_id: candidate for candidate in election.candidates}
    unknown = sorted(set(candidates) - set(profiles))
    if profiles and unknown:
        raise CommandError(f"The ballots name candidates without a profile in {folder}: {', '.join(unknown)}. "
                           "Is this the folder of the election these ballots were cast in?")
    rules = rules_from_yaml(election.charter, election.no_winners) if election.charter else NO_RULES
    result = count(candidates, ballots, seats=election.no_winners, tie_break=election.tie_break, rules=rules,
                   organizations=rules.organizations((c, profile.info) for c, profile in profiles.items()))
    heading = {"election_name": election.name, "eligible_voters": len(election.voters) or None,
               "names": {c: profile.name for c, profile in profiles.items() if profile.name}}
    return result, heading


def _tie_break_from_options(order, seed):
    if order and seed:
        raise CommandError("Give one tie-break: --tie-break-order or --tie-break-seed.")
    if order:
        return {"order": [c.strip() for c in order.split(",") if c.strip()]}
    if seed:
        return {"seed": seed}
    return None


def _read_file(name):
    """``(candidates, ballots, sha256)`` of the ballots.csv ``name`` ("-": stdin), the digest of its bytes."""
    try:
        if name == "-":
            stdin = getattr(sys.stdin, "buffer", None)
            data = stdin.read() if stdin is not None else sys.stdin.read().encode("utf-8")
        else:
            data = Path(name).read_bytes()
        return (*read_ballots_csv(data), hashlib.sha256(data).hexdigest())
    except OSError as exc:
        raise CommandError(f"Cannot read {name}: {exc.strerror or exc}") from exc
    except BallotFileError as exc:
        raise CommandError(f"{name}: {exc}") from exc


def _completed_election(key):
    try:
        election = Election.objects.get(key=key)
    except Election.DoesNotExist:
        raise CommandError(f"No election with key {key!r}. Keys look like 'steering---2024' "
                           "(the folder path with '/' replaced by '---').") from None
    now = timezone.now()
    status = election.status_at(now)
    if status != Election.COMPLETED:
        # A count before the close would publish partial results that could sway the remaining voters.
        when = timezone.localtime(election.end_datetime).strftime("%Y-%m-%d %H:%M %Z")
        raise CommandError(f"Election {key!r} is {status}; voting closes at {when}. It can be counted only "
                           "after voting has closed.")
    if box_is_sealed(election):
        raise CommandError(f"The ballot box of {key!r} is still sealed. Open it first: "
                           f"python manage.py open_ballot_box {key}")
    return election


def _as_text(result, *, file_sha256):
    lines = [f"Ballots counted: {result.ballots}",
             # What sha256sum prints for the file; the normalised digest is the same for any row order.
             f"ballots.csv SHA-256: {file_sha256}",
             f"Ballots SHA-256 (normalised): {result.ballots_sha256}",
             f"Seats: {result.seats}"]
    lines.append("Winners: " + (", ".join(result.winners) or "none decided"))
    if result.tie:
        lines.append(f"Tie: {', '.join(result.tie['candidates'])} for {result.tie['seats']} seat(s)")
    if result.tie_break_note:
        lines.append(f"Tie-break: {result.tie_break_note}")
    seating = result.seating
    for term in seating.terms:
        lines.append(f"Seat {term['seat']} ({term['term']}): {term['candidate'] or 'not filled'}")
    if seating.rules.declared or seating.unfilled:
        lines.append("Charter rules:")
        lines += [f"  {sentence}" for sentence in disclosure(seating)]
    disqualified = seating.disqualified
    lines.append("Ranking:")
    place = 1
    for group in result.ranking:
        named = ", ".join(c + (" (disqualified)" if c in disqualified else "") for c in group)
        lines.append(f"  {place}. {named}{'  (tied)' if len(group) > 1 else ''}")
        place += len(group)
    return "\n".join(lines)
