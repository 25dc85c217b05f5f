"""The audit trail: who did what, when, to which election.

Call ``audit_record`` inside the transaction of the action it records, so that an action and its audit
row are committed together or not at all.
"""

from django.db import transaction

from elections.models import AuditEvent

# Action names, one place, so the admin filter and the tests agree on them.
RESULTS_VIEW = "results.view"
EXPORT = "export"
EXCEPTION_REVIEW = "exception.review"
META_SYNC = "meta.sync"
ELECTION_RENAME = "election.rename"
LINKS_DESTROY = "links.destroy"
BALLOTS_LOAD = "ballots.load"
BOX_OPEN = "ballot_box.open"
BOX_REWRAP = "ballot_box.rewrap"
BOX_KEY_ROTATE = "ballot_box.key_rotate"
BOX_EXPORT = "ballot_box.export"
SHARE_DEAL = "ballot_box.share_deal"
SHARE_TAKE = "ballot_box.share_take"
SHARE_CONFIRM = "ballot_box.share_confirm"
SHARE_ENTER = "ballot_box.share_enter"
SHARES_COMBINE = "ballot_box.shares_combine"
ACCOUNT_RENAME = "account.rename"
CANDIDATE_DISQUALIFY = "candidate.disqualify"
CANDIDATE_REINSTATE = "candidate.reinstate"
ELECTION_REOPEN = "election.reopen"
ROLL_REBIND = "roll.rebind"
COUNT_RECOUNT = "count.recount"


def audit_record(*, actor, action, election=None, detail=None):
    """Write one AuditEvent; ``actor`` is a login (or "system"), ``detail`` a JSON-serialisable dict."""
    if not transaction.get_connection().in_atomic_block:
        # Auditing outside the action's transaction could record an action that then failed, or miss one
        # that succeeded; refuse rather than log something that may be untrue.
        raise RuntimeError("audit_record must run inside the transaction of the action it records")
    return AuditEvent.objects.create(
        actor=str(actor).lower(), action=action, election=election, detail=detail or {}
    )
