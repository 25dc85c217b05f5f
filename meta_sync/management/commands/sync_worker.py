"""Import the meta repository whenever a webhook delivery waits: ``manage.py sync_worker [--once]``."""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from meta_sync.lock import SyncBusy
from meta_sync.queue import sync_requests_waiting
from meta_sync.services import sync_meta

# How long a sync waits for another one (the CronJob's, say) before trying again at the next poll.
LOCK_WAIT_SECONDS = 60


class Command(BaseCommand):
    help = (
        "Drain the queue of webhook deliveries: when one waits, pull META_REPO (or read META_PATH) and import it, "
        "once for all the deliveries waiting. Runs until stopped (SIGTERM finishes the sync under way first), or "
        "once with --once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Drain the queue once, then exit.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between looks at the queue.")

    def handle(self, *args, **options):
        self.stopping = False
        if not options["once"]:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
        while True:
            self._drain()
            if options["once"] or self.stopping:
                return
            deadline = time.monotonic() + options["interval"]
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, options["interval"]))
            if self.stopping:
                return
            # A process that runs for days: drop a connection the server closed or that outlived CONN_MAX_AGE.
            close_old_connections()

    def _stop(self, signum, frame):
        self.stopping = True

    def _drain(self):
        if not sync_requests_waiting():
            return
        try:
            summary = sync_meta(trigger="webhook", repo=settings.META_REPO or None, lock_timeout=LOCK_WAIT_SECONDS)
        except SyncBusy:
            self.stderr.write("another sync is running; the deliveries wait for the next look at the queue")
            return
        counts = {}
        for outcome in summary.elections:
            counts[outcome.action] = counts.get(outcome.action, 0) + 1
        totals = ", ".join(f"{n} {action}" for action, n in sorted(counts.items())) or "no elections found"
        line = f"synced {summary.revision[:12] or summary.source}: {totals}"
        if summary.fatal:
            self.stderr.write(f"{line}; the repository could not be read: {summary.fatal}")
        elif summary.errors:
            self.stderr.write(f"{line}; {len(summary.errors)} error(s)")
            for error in summary.errors:
                self.stderr.write(f"  {error['path']}: {error['message']}")
        else:
            self.stdout.write(line)
