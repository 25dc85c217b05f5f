"""Open a completed election's ballot box, so that its ballots can be counted (an operator's command)."""

from django.core.management.base import BaseCommand, CommandError

from elections.ballot_box.box import BallotBoxRefused, ballot_box_open
from elections.models import Election


class Command(BaseCommand):
    help = (
        "Open the ballot box of an election whose voting has closed: decrypt every sealed ballot with the box's "
        "key (unwrapped with BALLOT_BOX_KEY), store the ballots in a random order for counting, destroy the key. "
        "Recorded in the audit trail. Refused before the close, and for a box already opened."
    )

    def add_arguments(self, parser):
        parser.add_argument("election_key", help="The election's key, e.g. steering---2024.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Check that the box can be opened now (the key included) and say how many ballots "
                                 "it holds; change nothing.")
        parser.add_argument("--actor", default="system",
                            help="The name recorded in the audit trail (default: system).")

    def handle(self, *args, election_key, dry_run, actor, **options):
        try:
            election = Election.objects.get(key=election_key)
        except Election.DoesNotExist:
            raise CommandError(f"No election with key {election_key!r}. Keys look like 'steering---2024' "
                               "(the folder path with '/' replaced by '---').") from None
        try:
            outcome = ballot_box_open(election=election, actor=actor, dry_run=dry_run)
        except BallotBoxRefused as refusal:
            raise CommandError(refusal.message) from None
        if dry_run:
            self.stdout.write(f"Dry run: the ballot box of {election_key} can be opened; it holds {outcome.ballots} "
                              "sealed ballot(s). Nothing was changed.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Opened the ballot box of {election_key}: {outcome.ballots} ballot(s) can now be counted "
            f"(manage.py tally {election_key}). Its private key was destroyed."))
