"""Import the meta repository into the database.

``sync_meta`` is the one entry point (command, webhook, demo): it takes the sync lock (``meta_sync.lock``),
optionally pulls the repository (``meta_sync.git``), parses it with ``meta_sync.parser`` and imports each election
in its own transaction.
"""

import contextlib
import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from elections.audit import ELECTION_RENAME, META_SYNC, audit_record
from elections.ballot_box.custody import custody_sync
from elections.ballot_box.services import ballot_box_ensure
from elections.count_record import count_drift_warnings
from elections.models import Ballot, BallotBox, Candidate, Election, EligibleVoter, Officer, SealedBallot, VoteRecord
from elections.officers.decisions import counted_lock_message
from elections.voting.listing import content_changed

from .git import MetaRepoError, _revision_of, meta_repo_pull
from .identity import plan_identities
from .lock import SyncBusy, sync_lock
from .models import ElectionAlias, SyncRun
from .parser import WARNING, ElectionData, Problem, parse_meta_tree
from .queue import sync_requests_claim, sync_requests_finish, sync_requests_release

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
RENAMED = "renamed"
ARCHIVED = "archived"
ERROR = "error"

# SyncBusy: sync_meta raises it (from sync_lock), and its callers catch it from here.
__all__ = [
    "ARCHIVED",
    "CREATED",
    "ERROR",
    "RENAMED",
    "UNCHANGED",
    "UPDATED",
    "ElectionOutcome",
    "SyncBusy",
    "SyncSummary",
    "election_import",
    "progress_to_stderr",
    "sync_meta",
]


@dataclass
class ElectionOutcome:
    key: str
    name: str
    status: str | None
    voters: int
    candidates: int
    action: str
    warnings: list = field(default_factory=list)
    # Shown in the text output; the JSON object lists errors once, at the top level.
    errors: list = field(default_factory=list)

    def as_dict(self):
        return {
            "key": self.key,
            "name": self.name,
            "status": self.status,
            "voters": self.voters,
            "candidates": self.candidates,
            "action": self.action,
            "warnings": list(self.warnings),
        }


@dataclass
class SyncSummary:
    """What a sync did. ``as_dict()`` is the ``sync_meta --format json`` object."""

    elections: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    # Set when nothing could be imported at all (missing folder, unreachable repository): exit status 2.
    fatal: str = ""
    source: str = ""
    revision: str = ""
    dry_run: bool = False

    def as_dict(self):
        return {"elections": [e.as_dict() for e in self.elections], "errors": list(self.errors)}

    @property
    def exit_code(self):
        if self.fatal:
            return 2
        return 1 if self.errors else 0

    @property
    def changed(self):
        return any(e.action != UNCHANGED for e in self.elections)



def _status(data_or_row, now):
    start, end = data_or_row.start_datetime, data_or_row.end_datetime
    if start is None or end is None:
        return None
    if now < start:
        return Election.UPCOMING
    if now < end:
        return Election.RUNNING
    return Election.COMPLETED


def _election_fields(data):
    return {
        "path": data.path,
        "name": data.name,
        "organization": data.organization,
        "start_datetime": data.start_datetime,
        "end_datetime": data.end_datetime,
        "no_winners": data.no_winners,
        "allow_no_opinion": data.allow_no_opinion,
        "delete_after": data.delete_after,
        "show_candidate_fields": data.show_candidate_fields,
        "eligibility": data.eligibility,
        "exception_description": data.exception_description,
        "exception_due": data.exception_due,
        "tie_break": data.tie_break,
        "officers_to_open": data.officers_to_open,
        "officer_keys": data.officer_keys,
        "charter": data.charter,
        "description": data.description,
        "results": data.results,
    }


def _sync_logins(model, election, wanted):
    have = set(model.objects.filter(election=election).values_list("login", flat=True))
    wanted = set(wanted)
    if have - wanted:
        model.objects.filter(election=election, login__in=have - wanted).delete()
    columns = {f.column for f in model._meta.concrete_fields if not f.primary_key}
    if wanted - have and columns != {"election_id", "login"}:
        model.objects.bulk_create([model(election=election, login=login) for login in sorted(wanted - have)],
                                  batch_size=500)
    elif wanted - have:
        # A voter roll has thousands of lines: rows go in as plain parameters, without a model instance each.
        quote = connection.ops.quote_name
        sql = (f"INSERT INTO {quote(model._meta.db_table)} ({quote('election_id')}, {quote('login')}) "
               "VALUES (%s, %s)")
        rows = [(election.pk, login) for login in sorted(wanted - have)]
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 1000):
                cursor.executemany(sql, rows[start:start + 1000])


def _sync_candidates(election, candidates, now):
    """Create, update, withdraw or delete candidates; return warnings about withdrawn ones."""
    warnings = []
    existing = {c.candidate_id.lower(): c for c in Candidate.objects.filter(election=election)}
    new = []
    for data in candidates:
        values = {"candidate_id": data.candidate_id, "name": data.name, "info": data.info, "bio": data.bio,
                  "source_file": data.source_file, "withdrawn": False}
        row = existing.pop(data.candidate_id.lower(), None)
        if row is None:
            new.append(Candidate(election=election, **values))
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.save()
    Candidate.objects.bulk_create(new)
    if existing:
        voting_began = (
            election.start_datetime <= now
            or Ballot.objects.filter(election=election).exists()
            or SealedBallot.objects.filter(election=election).exists()
            or VoteRecord.objects.filter(election=election).exists()
        )
        for row in existing.values():
            if voting_began:
                if not row.withdrawn:
                    row.withdrawn = True
                    row.save(update_fields=["withdrawn"])
                warnings.append(f"{row.source_file or row.candidate_id}: removed after voting began; "
                                f"candidate {row.candidate_id!r} is kept, withdrawn, so that cast ballots count")
            else:
                row.delete()
    return warnings


def _election_rekey(election, data, now):
    """Give ``election`` the key of its renamed folder; its old key stays as an alias (see meta_sync.identity)."""
    ElectionAlias.objects.filter(key=data.key, election=election).delete()
    ElectionAlias.objects.update_or_create(key=election.key, defaults={
        "election": election, "path": election.path, "renamed_at": now})
    audit_record(actor="system", action=ELECTION_RENAME, election=election, detail={
        "from": election.key, "to": data.key, "from_path": election.path, "to_path": data.path})
    election.key = data.key


def election_import(*, data: ElectionData, now, existing=None, stamp=None):
    """Write one parsed, error-free election (create or update) in its own transaction.

    Returns (action, election, warnings); warnings include those found while importing (withdrawn
    candidates), which are stored in ``sync_warnings``.
    """
    with transaction.atomic():
        if existing is None:
            election = Election.objects.create(key=data.key, **_election_fields(data))
            action = CREATED
        else:
            election = Election.objects.select_for_update().get(pk=existing.pk)
            if election.reopened_at is not None and data.end_datetime > election.end_datetime:
                election.reopened_at = None  # the officers' reopening is used up by this change
            action = UPDATED
            if election.key != data.key:
                _election_rekey(election, data, now)
                action = RENAMED
            for name, value in _election_fields(data).items():
                setattr(election, name, value)
        warnings = [str(p) for p in data.warnings]
        _sync_logins(Officer, election, data.officers)
        _sync_logins(EligibleVoter, election, data.voters)
        warnings += _sync_candidates(election, data.candidates, now)
        warnings += custody_sync(election=election, now=now)
        if existing is not None:
            # A counted election keeps what it was counted with; a change of those inputs is for the officers.
            warnings += count_drift_warnings(election)
        election.archived = False
        election.content_hash = data.content_hash()
        election.synced_at = now
        election.sync_warnings = warnings
        election.sync_errors = []
        election.source_stamp = stamp or {}
        election.save()
        content_changed()
        if election.status_at(now) != Election.COMPLETED:
            # Its key pair, made now rather than at the first cast (elections imported after their close have
            # no ballots to seal).
            ballot_box_ensure(election=election)
    return action, election, warnings


def _officer_keys_not_needed(data, row, now):
    """Officers without keys are no error where no share will be dealt to them: an election that has closed,
    or whose box was dealt before officers' keys (legacy threshold mode: it keeps its shares until it closes)
    or is already open. Their errors become warnings there, so that such elections keep importing."""
    box = BallotBox.objects.filter(election=row).first() if row is not None else None
    closed = data.end_datetime is not None and data.end_datetime <= now
    if not (closed or (box is not None and (box.custody == BallotBox.THRESHOLD or box.opened_at is not None))):
        return
    for index, problem in enumerate(data.problems):
        if (problem.severity == ERROR and problem.field.startswith("ballot_box.officer_keys.")
                and "has no usable public key" in problem.message):
            data.problems[index] = Problem(problem.path, problem.field, problem.message.split(":")[0] + ": no "
                                           "share will be dealt to this officer's keys (the ballot box is "
                                           "already dealt, or voting has closed)", WARNING)


def _failed_outcome(data, row, now):
    errors = [str(p) for p in data.errors]
    warnings = [str(p) for p in data.warnings]
    if row is None:
        return ElectionOutcome(data.key, data.name or data.key, _status(data, now), 0, 0, ERROR, warnings, errors)
    if row.sync_errors != errors:
        # The last good state stays; only the errors are recorded, for officers and operators to see.
        with transaction.atomic():
            Election.objects.filter(pk=row.pk).update(sync_errors=errors)
    return ElectionOutcome(
        data.key, row.name, _status(row, now), row.voters.count(),
        row.candidates.filter(withdrawn=False).count(), ERROR, warnings, errors,
    )


def _voting_open_with_votes(row, now):
    if _status(row, now) == Election.COMPLETED:
        return False
    return (Ballot.objects.filter(election_id=row.pk).exists()
            or SealedBallot.objects.filter(election_id=row.pk).exists()
            or VoteRecord.objects.filter(election_id=row.pk).exists())


def _hold(row, message, summary, now):
    """Keep ``row`` as it is (not archived) and record why on it, for its officers and the operators."""
    if row.sync_errors != [message]:
        with transaction.atomic():
            Election.objects.filter(pk=row.pk).update(sync_errors=[message])
    summary.errors.append({"path": row.path, "message": message.removeprefix(f"{row.path}: ")})
    summary.elections.append(ElectionOutcome(
        row.key, row.name, _status(row, now), EligibleVoter.objects.filter(election=row).count(),
        Candidate.objects.filter(election=row, withdrawn=False).count(), ERROR, [], [message]))


def _read_tree(path, election_dir):
    """The parsed tree and every election row; a folder whose stamp is the one stored when it was last imported
    without errors is not read again (a no-op sync reads no file)."""
    rows = list(Election.objects.only("id", "key", "path", "name", "content_hash", "archived", "sync_errors",
                                      "sync_warnings", "start_datetime", "end_datetime", "source_stamp"))
    by_key = {row.key: row for row in rows}

    def unchanged(key, stamp):
        row = by_key.get(key)
        return (row is not None and not row.archived and not row.sync_errors
                and (row.source_stamp or {}).get("stamp") == stamp)

    return parse_meta_tree(path, election_dir, unchanged=unchanged), rows


def _import_tree(tree, rows, summary, now, progress):
    # A folder not read is the same folder, at the same key, with the same files as at its last import: it takes
    # no part in finding renames and removals.
    unchanged = set(tree.unchanged)
    for row in rows:
        if row.key in unchanged:
            stamp = row.source_stamp
            summary.elections.append(ElectionOutcome(row.key, row.name, _status(row, now), stamp.get("voters", 0),
                                                     stamp.get("candidates", 0), UNCHANGED, list(row.sync_warnings)))
    rows = [row for row in rows if row.key not in unchanged]
    plan = plan_identities(
        tree.elections, rows,
        aliases=functools.cache(lambda: dict(ElectionAlias.objects.values_list("key", "election_id"))),
        voting_open_with_votes=lambda row: _voting_open_with_votes(row, now),
    )
    summary.errors += [{"path": p.path, "message": p.text} for p in tree.skipped]
    total = len(tree.elections)
    for index, data in enumerate(tree.elections):
        if progress:
            progress(index + 1, total, data.key)
        if index in plan.refused:
            data.problems.append(Problem(data.path, "", plan.refused[index]))
        row = plan.target.get(index)
        if row is not None and data.ok and (locked := counted_lock_message(row, data.end_datetime, now)):
            data.problems.append(Problem(f"{data.path}/election.yaml", "end_datetime", locked))
        _officer_keys_not_needed(data, row, now)
        if not data.ok:
            summary.errors += [{"path": p.path, "message": p.text} for p in data.errors]
            summary.elections.append(_failed_outcome(data, row, now))
            continue
        voters, candidates = len(data.voters), len(data.candidates)
        stamp = {"stamp": tree.stamps.get(data.key, ""), "voters": voters, "candidates": candidates}
        if (row is not None and row.key == data.key and not row.archived and not row.sync_errors
                and row.content_hash == data.content_hash()):
            if row.source_stamp != stamp:
                # The same content in touched files (a fresh checkout): remember the files, skip them next time.
                Election.objects.filter(pk=row.pk).update(source_stamp=stamp)
            summary.elections.append(ElectionOutcome(
                data.key, data.name, _status(data, now), voters, candidates, UNCHANGED, list(row.sync_warnings)))
            continue
        try:
            action, _, warnings = election_import(data=data, now=now, existing=row, stamp=stamp)
        except DatabaseError as exc:
            # A value the database refuses (too long for a column, say): this election only is rolled back.
            problem = {"path": data.path, "message": f"could not be saved: {exc}"}
            summary.errors.append(problem)
            summary.elections.append(ElectionOutcome(data.key, data.name, _status(data, now), 0, 0, ERROR,
                                                     [str(p) for p in data.warnings],
                                                     [f"{data.path}: {problem['message']}"]))
            continue
        if action == RENAMED:
            warnings = [f"renamed from {row.key} ({row.path}): its ballots, vote records, exception requests and "
                        f"audit trail follow, and links to {row.key} redirect here", *warnings]
        summary.elections.append(ElectionOutcome(
            data.key, data.name, _status(data, now), voters, candidates, action, warnings))

    for row, message in plan.held:
        _hold(row, message, summary, now)
    # Folders that left the repository: hidden, never deleted (their ballots and vote records stay).
    for row in plan.archive:
        with transaction.atomic():
            Election.objects.filter(pk=row.pk).update(archived=True, synced_at=now)
            content_changed()
        summary.elections.append(ElectionOutcome(
            row.key, row.name, _status(row, now), EligibleVoter.objects.filter(election=row).count(),
            Candidate.objects.filter(election=row, withdrawn=False).count(), ARCHIVED,
            ["its folder is no longer in the meta repository: archived and hidden"],
        ))
    # Outcomes in the tree's order, read or not; archived elections last.
    order = {key: index for index, key in enumerate(tree.stamps)}
    summary.elections.sort(key=lambda outcome: order.get(outcome.key, len(order)))


def _record_run(summary, *, trigger, actor, started_at):
    with transaction.atomic():
        run = SyncRun.objects.create(
            started_at=started_at, finished_at=timezone.now(), trigger=trigger, source=summary.source[:500],
            revision=summary.revision[:64], ok=summary.exit_code == 0,
            summary={**summary.as_dict(), **({"fatal": summary.fatal} if summary.fatal else {})},
        )
        counts = {}
        for outcome in summary.elections:
            counts[outcome.action] = counts.get(outcome.action, 0) + 1
        audit_record(
            actor=actor, action=META_SYNC,
            detail={"trigger": trigger, "source": summary.source, "revision": summary.revision,
                    "actions": counts, "errors": len(summary.errors), "fatal": summary.fatal},
        )
    return run


def sync_meta(*, path=None, election_dir=None, trigger, actor="system", dry_run=False, now=None,
              repo=None, branch=None, lock_timeout=0.0, progress=None):
    """Import the meta repository at ``path`` (default ``META_PATH``); return a ``SyncSummary``.

    With ``repo``, first clone or fast-forward it (``branch``, default ``META_BRANCH``) into ``path``. Each
    election is written in its own transaction; an unchanged election is not written at all. A SyncRun and an
    AuditEvent record every sync that changed something or met a problem; a sync that found nothing to do
    writes nothing. With ``dry_run`` every write is rolled back. Raises ``SyncBusy`` when another sync holds
    the lock for longer than ``lock_timeout`` seconds.
    """
    path = Path(path or settings.META_PATH)
    election_dir = election_dir or settings.ELECTION_DIR
    started_at = timezone.now()
    now = now or started_at
    summary = SyncSummary(source=repo or str(path), dry_run=dry_run)
    with sync_lock(timeout=lock_timeout):
        # Webhook deliveries received before this sync started are covered by it (see meta_sync.queue).
        claim = "" if dry_run else sync_requests_claim(now=started_at)
        try:
            _sync_locked(summary, path=path, election_dir=election_dir, repo=repo, branch=branch, dry_run=dry_run,
                         now=now, progress=progress)
        except BaseException:
            sync_requests_release(claim)
            raise
        run = None
        if not dry_run and (summary.changed or summary.errors):
            run = _record_run(summary, trigger=trigger, actor=actor, started_at=started_at)
        failed = sum(1 for e in summary.elections if e.action == ERROR)
        sync_requests_finish(claim, ok=not summary.fatal, run=run,
                             detail=summary.fatal or (f"{failed} election(s) could not be imported" if failed else ""))
    return summary


def _sync_locked(summary, *, path, election_dir, repo, branch, dry_run, now, progress):
    if repo:
        try:
            summary.revision = meta_repo_pull(repo=repo, branch=branch or settings.META_BRANCH, path=path)
        except MetaRepoError as exc:
            summary.fatal = str(exc)
    else:
        summary.revision = _revision_of(path)
    if not summary.fatal:
        tree, existing = _read_tree(path, election_dir)
        if not tree.ok:
            summary.fatal = "; ".join(str(p) for p in tree.problems)
        else:
            with transaction.atomic() if dry_run else contextlib.nullcontext():
                _import_tree(tree, existing, summary, now, progress)
                if dry_run:
                    transaction.set_rollback(True)
    if summary.fatal:
        summary.errors.append({"path": str(path) if not repo else repo, "message": summary.fatal})


def progress_to_stderr(stream=None, *, threshold=20):
    """A progress callback that writes ``[i/n] key`` lines when the repo is large or the stream is a terminal."""
    stream = stream or sys.stderr

    def report(index, total, key):
        if total > threshold or stream.isatty():
            stream.write(f"[{index}/{total}] {key}\n")
            stream.flush()

    return report
