"""The daily clean-up: ``manage.py clean_up [--dry-run]`` deletes expired sessions and old webhook deliveries."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from meta_sync.queue import KEEP_DELIVERIES, sync_requests_delete_old


class Command(BaseCommand):
    help = (
        "Delete what only piles up: expired sessions (Django's clearsessions) and webhook deliveries received "
        f"more than {KEEP_DELIVERIES.days} days ago. Safe to run again; the daily CronJob runs it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would be deleted; delete nothing.")

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        if not dry_run:
            call_command("clearsessions")
        deliveries = sync_requests_delete_old(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        sessions = "expired sessions left in place" if dry_run else "expired sessions deleted"
        self.stdout.write(f"{sessions}; {verb} {deliveries} webhook deliveries older than {KEEP_DELIVERIES.days} days")
