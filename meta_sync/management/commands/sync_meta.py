"""Import the meta repository: ``manage.py sync_meta [--path DIR | --repo URL [--branch B]] ...``."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from meta_sync.lock import SyncBusy
from meta_sync.services import progress_to_stderr, sync_meta

# How long a command waits for a sync already running (a webhook delivery, say) to finish.
LOCK_WAIT_SECONDS = 120


class Command(BaseCommand):
    help = (
        "Import elections, voter rolls and candidates from the meta repository. Exit status: 0 all imported, "
        "1 some elections failed (the others were imported), 2 unusable arguments or unreachable repository."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--path", help="Read this local meta repository (default: META_PATH).")
        source.add_argument("--repo", help="Clone or fast-forward this git repository into META_PATH first.")
        parser.add_argument("--branch", help="Branch of --repo (default: META_BRANCH).")
        parser.add_argument("--election-dir", help="Folder of the elections in the repository (default: "
                                                   "ELECTION_DIR).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        repo = options["repo"]
        branch = options["branch"]
        if options["path"] is None and repo is None:
            repo = settings.META_REPO or None
        if branch and not repo:
            raise CommandError("--branch needs --repo (or META_REPO in the settings)", returncode=2)
        try:
            summary = sync_meta(
                path=options["path"] or settings.META_PATH,
                election_dir=options["election_dir"],
                trigger="command",
                dry_run=options["dry_run"],
                repo=repo,
                branch=branch,
                lock_timeout=LOCK_WAIT_SECONDS,
                progress=progress_to_stderr(self.stderr._out),
            )
        except SyncBusy as exc:
            raise CommandError(f"{exc}; try again later", returncode=2) from None

        if options["format"] == "json":
            self.stdout.write(json.dumps(summary.as_dict(), indent=2, ensure_ascii=False))
        else:
            self._print_text(summary)
        if summary.exit_code == 2:
            raise CommandError(summary.fatal, returncode=2)
        if summary.exit_code == 1:
            failed = sum(1 for e in summary.elections if e.action == "error")
            raise CommandError(f"{failed} election(s) could not be imported; the others were", returncode=1)

    def _print_text(self, summary):
        if summary.dry_run:
            self.stdout.write("Dry run: nothing was written.")
        width = max((len(e.key) for e in summary.elections), default=0)
        for outcome in summary.elections:
            style = self.style.ERROR if outcome.action == "error" else self.style.SUCCESS
            self.stdout.write(
                f"{style(outcome.action.ljust(9))} {outcome.key.ljust(width)}  {outcome.status or '-':9}  "
                f"voters={outcome.voters} candidates={outcome.candidates}"
            )
            for warning in outcome.warnings:
                self.stdout.write(f"    {self.style.WARNING('warning:')} {warning}")
            for error in outcome.errors:
                self.stdout.write(f"    {self.style.ERROR('error:')} {error}")
        counts = {}
        for outcome in summary.elections:
            counts[outcome.action] = counts.get(outcome.action, 0) + 1
        totals = ", ".join(f"{n} {action}" for action, n in sorted(counts.items())) or "no elections found"
        self.stdout.write(f"{len(summary.elections)} election(s): {totals}.")
