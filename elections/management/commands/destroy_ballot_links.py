from django.core.management.base import BaseCommand

from elections.voting.services import ballot_links_destroy


class Command(BaseCommand):
    help = (
        "Destroy the encrypted voter-to-ballot links of completed elections with delete_after: true, so that no "
        "passphrase can reveal a ballot afterwards. Idempotent; safe to run from cron (with -v 0 it prints "
        "nothing unless it fails)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only say which elections are due.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        done = ballot_links_destroy(dry_run=dry_run)
        if verbosity == 0:
            return
        verb = "Would destroy" if dry_run else "Destroyed"
        for election, count in done:
            self.stdout.write(f"{verb} the ballot links of {count} voter(s) in {election.key}.")
        if not done:
            self.stdout.write("No election is due: nothing to do.")
