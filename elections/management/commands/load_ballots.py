"""Load a completed election's published, anonymised ballots (Elekto's ballots.csv) into the site."""

import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from elections.counting.tally import RECEIPT_COLUMN, BallotFileError, read_ballots_csv
from elections.models import Election
from elections.officers.published_ballots import BallotsLoadRefused, ballots_load


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Load the published ballots.csv of a completed election that has no ballots yet, so that its results, "
        "exports and tally cover an election run elsewhere (e.g. with Elekto). A receipt column is kept; "
        "without one, each ballot gets a new random receipt."
    )

    def add_arguments(self, parser):
        parser.add_argument("election_key", help="The election's key, e.g. steering---2024.")
        parser.add_argument("ballots_file", metavar="FILE.csv", help="The published ballots.csv.")
        parser.add_argument("--dry-run", action="store_true", help="Check everything; write nothing.")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing (and succeed) when the election already has ballots.")

    def handle(self, *args, election_key, ballots_file, dry_run, if_empty, **options):
        try:
            election = Election.objects.get(key=election_key)
        except Election.DoesNotExist:
            raise CommandError(f"No election with key {election_key!r}. Keys look like 'steering---2024' "
                               "(the folder path with '/' replaced by '---').") from None
        if if_empty and (election.ballots.exists() or election.vote_records.exists()
                         or election.sealed_ballots.exists()):
            self.stdout.write(f"{election_key} already has ballots; nothing loaded.")
            return
        try:
            data = Path(ballots_file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {ballots_file}: {exc.strerror or exc}") from exc
        try:
            candidates, ballots = read_ballots_csv(data)
        except BallotFileError as exc:
            raise CommandError(f"{ballots_file}: {exc}") from exc
        receipts = _receipts(data)
        try:
            with transaction.atomic():
                loaded = ballots_load(election=election, candidates=candidates, ballots=ballots,
                                      receipts=receipts, actor="system")
                if dry_run:
                    raise _DryRun
        except BallotsLoadRefused as exc:
            raise CommandError(f"{ballots_file}: {exc}") from exc
        except _DryRun:
            self.stdout.write(f"Dry run: {loaded} ballots of {election_key} are ready to load; nothing written.")
            return
        kept = "with their published receipts" if receipts is not None else "with new random receipts"
        self.stdout.write(self.style.SUCCESS(f"Loaded {loaded} ballots into {election_key} ({kept})."))


def _receipts(data):
    """The receipt column of a ballots.csv that ``read_ballots_csv`` accepted, or None if it has none."""
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    # Rows are skipped exactly as read_ballots_csv skips them, so each receipt stays with its ballot.
    header = next(cells for cells in rows if any(cell.strip() for cell in cells))
    if len(header) < 2 or header[-1].strip() != RECEIPT_COLUMN:
        return None
    return [cells[-1] for cells in rows if cells and not (len(cells) == 1 and not cells[0].strip())]
