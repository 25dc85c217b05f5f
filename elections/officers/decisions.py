"""Officers' decisions: giving a voter-roll entry to another account while voting runs; after the close,
disqualifying a candidate and reopening a counted election.

Each is a service (keyword-only, one transaction, the audit row written with the change). The charter
rules the count applies are gathered here too: the ones election.yaml declares plus the officers'
disqualifications.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import account_github_id
from elections.audit import (
    CANDIDATE_DISQUALIFY,
    CANDIDATE_REINSTATE,
    COUNT_RECOUNT,
    ELECTION_REOPEN,
    ROLL_REBIND,
    audit_record,
)
from elections.count_record import count_drift, count_freeze, count_inputs_of
from elections.models import BallotBox, CountRecord, Disqualification, Election, EligibleVoter, RollBinding, VoteRecord

MAX_REASON = 2000


def election_rules(election, inputs=None):
    """The Rules the count applies: election.yaml's as recorded for the count (``elections.count_record``; the
    election's own while it has no record) and the officers' disqualifications."""
    rules = (inputs or count_inputs_of(election)).rules()
    decided = Disqualification.objects.filter(candidate__election=election).select_related("candidate")
    return rules.with_disqualified((d.candidate.candidate_id, d.reason) for d in decided)


def _box_opened(election):
    return BallotBox.objects.filter(election_id=election.pk, opened_at__isnull=False).exists()


def election_is_counted(election, now=None):
    """Voting closed and the count is out: the ballot box was opened (or published ballots were loaded, which
    are stored opened), or results.md is published."""
    now = now or timezone.now()
    return election.end_datetime <= now and (
        bool(election.results) or _box_opened(election) or election.ballots.exists())


def _reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason: it is published with the result."))
    if len(reason) > MAX_REASON:
        raise ValidationError(_("The reason is too long (at most %(n)d characters).") % {"n": MAX_REASON})
    return reason


def candidate_disqualify(*, candidate, officer, reason, now=None):
    """Disqualify ``candidate`` after the close; ``officer`` is the acting user's login. Returns the row.

    Raises ValidationError before the close (voters are still choosing), without a reason, or when the
    candidate is already disqualified (on the site or in election.yaml).
    """
    now = now or timezone.now()
    reason = _reason(reason)
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=candidate.election_id)
        if election.end_datetime > now:
            raise ValidationError(_("Candidates can be disqualified only after voting closes."))
        declared = {c.lower() for c, _r in election_rules(election).disqualified}
        if candidate.candidate_id.lower() in declared:
            raise ValidationError(_("%(name)s is already disqualified.") % {"name": candidate.name})
        row = Disqualification.objects.create(candidate=candidate, reason=reason, decided_by=str(officer).lower(),
                                              decided_at=now)
        audit_record(actor=officer, action=CANDIDATE_DISQUALIFY, election=election,
                     detail={"candidate": candidate.candidate_id, "reason": reason})
    return row


def candidate_reinstate(*, candidate, officer, reason):
    """Lift an officer's disqualification of ``candidate`` (one declared in election.yaml is lifted there)."""
    reason = _reason(reason)
    with transaction.atomic():
        deleted, _rows = Disqualification.objects.filter(candidate=candidate).delete()
        if not deleted:
            raise ValidationError(_("%(name)s is not disqualified on this site.") % {"name": candidate.name})
        audit_record(actor=officer, action=CANDIDATE_REINSTATE, election=candidate.election,
                     detail={"candidate": candidate.candidate_id, "reason": reason})


def election_reopen(*, election, officer, reason, now=None):
    """Let the next sync move a counted election's ``end_datetime`` later (the lock is lifted once)."""
    now = now or timezone.now()
    reason = _reason(reason)
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if not election_is_counted(election, now):
            raise ValidationError(_("Only a counted election needs reopening: this one can be changed in the meta "
                                    "repository as it is."))
        if _box_opened(election):
            # Its private key was destroyed at the opening: a ballot sealed to it now could never be counted.
            raise ValidationError(_("This election's ballot box is opened and its key destroyed: ballots cast after "
                                    "a reopening could never be counted. Hold a new election in a new folder "
                                    "instead."))
        election.reopened_at = now
        election.save(update_fields=["reopened_at"])
        audit_record(actor=officer, action=ELECTION_REOPEN, election=election,
                     detail={"reason": reason, "end_datetime": election.end_datetime.isoformat()})
    return election


def counted_lock_message(row, new_end, now):
    """Why a sync may not move ``row``'s end to ``new_end``, or None when it may.

    A counted election stays counted: moving the close later would reopen voting after the ballots were
    counted or the result published, unless the officers reopened it first.
    """
    if new_end is None or new_end <= row.end_datetime or row.reopened_at is not None:
        return None
    if not election_is_counted(row, now):
        return None
    return (f"moved later ({row.end_datetime:%Y-%m-%d %H:%M} UTC to {new_end:%Y-%m-%d %H:%M} UTC) after the "
            "election was counted; the election keeps its close. To reopen voting, an officer must first reopen the "
            "election on its officers' page (recorded in the audit trail), then sync again.")


def roll_entry_rebind(*, election, login, account, officer, reason, now=None):
    """Give the voter-roll entry ``login`` to the account now signed in as ``account`` (a voter who renamed their
    GitHub account, whose roll line still names the old login). Returns the ``RollBinding``.

    Refused after the close, for a login not on the roll, for an account that never signed in here, and while
    the account that holds the entry has a ballot in the election (the entry would count two ballots).
    """
    now = now or timezone.now()
    reason = _reason(reason)
    login, account = (login or "").strip().lower(), (account or "").strip().lower()
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if election.status_at(now) == Election.COMPLETED:
            raise ValidationError(_("Voting has closed in this election, so a roll entry can no longer change "
                                    "hands."))
        if not EligibleVoter.objects.filter(election=election, login=login).exists():
            raise ValidationError(_("%(login)s is not on this election's voter roll.") % {"login": login})
        voter = get_user_model().objects.filter(username=account).first()
        if voter is None:
            raise ValidationError(_("No account named %(account)s has signed in on this site: ask its voter to "
                                    "sign in once, then try again.") % {"account": account})
        binding = RollBinding.objects.select_for_update().filter(election=election, login=login).first()
        previous = None
        if binding is not None:
            if binding.voter_id == voter.pk:
                raise ValidationError(_("The roll entry %(login)s already belongs to %(account)s.")
                                      % {"login": login, "account": account})
            if VoteRecord.objects.filter(election=election, voter_id=binding.voter_id).exists():
                raise ValidationError(_("The account that holds the roll entry %(login)s has a ballot in this "
                                        "election: given to another account, the entry would count two ballots. "
                                        "That ballot must be revoked first.") % {"login": login})
            previous = {"user_id": binding.voter_id, "github_id": binding.github_id}
            binding.voter, binding.github_id = voter, account_github_id(voter) or ""
            binding.save(update_fields=["voter", "github_id"])
        else:
            binding = RollBinding.objects.create(election=election, login=login, voter=voter,
                                                 github_id=account_github_id(voter) or "")
        audit_record(actor=officer, action=ROLL_REBIND, election=election,
                     detail={"login": login, "from": previous, "to": {"account": account, "user_id": voter.pk,
                                                                      "github_id": binding.github_id},
                             "reason": reason})
    return binding


def count_recount(*, election, officer, reason):
    """Count a counted election again under the inputs its meta repository gives now (seats, tie-break, charter
    rules, organizations, withdrawals), as ``officer`` decides with ``reason``. Returns the new ``CountRecord``;
    the earlier record stays, and with it the result it gave.

    Refused while nothing differs from the record in force (the sync's warnings list what does).
    """
    reason = _reason(reason)
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        changes = count_drift(election)
        if not changes:
            raise ValidationError(_("The meta repository gives this count the same inputs as when it was counted: a "
                                    "recount would change nothing."))
        record = count_freeze(election=election, cause=CountRecord.RECOUNT, decided_by=str(officer).lower(),
                              reason=reason)
        # The sync's warnings about these changes are answered by the recount.
        answered = {str(change) for change in changes}
        election.sync_warnings = [w for w in election.sync_warnings if w not in answered]
        election.save(update_fields=["sync_warnings"])
        audit_record(actor=officer, action=COUNT_RECOUNT, election=election,
                     detail={"reason": reason, "record": record.pk,
                             "changes": [{"path": c.path, "field": c.field, "counted": c.counted, "now": c.now}
                                         for c in changes]})
    return record
