"""Exception requests: a user missing from the voter roll asks to vote, and an officer approves or denies it.

An approved request lets its requester vote (``Election.is_eligible``); every review is in the audit trail.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elections.audit import EXCEPTION_REVIEW, audit_record
from elections.models import Election, ExceptionRequest
from elections.voting.services import AlreadyRequested, WrongState
from elections.voting.standing import access_of


def exception_request_check(*, election, requester):
    """Raise the refusal that stops ``requester`` from asking for an exception now, if any (a read, no write)."""
    access = access_of(requester, election)
    if access is not None and access.eligible:
        raise WrongState(_("You are already eligible to vote in this election: no request is needed."),
                         title=_("No exception needed"))
    if timezone.now() >= election.exception_deadline:
        raise WrongState(_("The deadline for exception requests in this election has passed."))


def exception_request_submit(*, election, requester, name, email, chat_handle="", contributions, comments=""):
    """File ``requester``'s request to be added to the voter roll; one per user and election."""
    exception_request_check(election=election, requester=requester)
    try:
        with transaction.atomic():
            return ExceptionRequest.objects.create(
                election=election,
                requester=requester,
                name=name,
                email=email,
                chat_handle=chat_handle,
                contributions=contributions,
                comments=comments,
            )
    except IntegrityError as exc:
        raise AlreadyRequested(_("You have already sent an exception request for this election.")) from exc


def exception_request_review(*, request, reviewer, approve, comment):
    """Approve or deny an exception request as ``reviewer`` (an officer of its election, or an operator).

    An approved requester may vote (``Election.is_eligible``). A review may be changed until voting closes;
    each review, with the status it replaced, is written to the audit trail in the same transaction.
    """
    with transaction.atomic():
        row = ExceptionRequest.objects.select_for_update().select_related("election", "requester").get(pk=request.pk)
        election = row.election
        if not (reviewer.is_active and (reviewer.is_superuser or election.is_officer(reviewer))):
            raise PermissionDenied(_("%(login)s is not an officer of %(election)s.")
                                   % {"login": reviewer.username, "election": election.name})
        now = timezone.now()
        if election.status_at(now) == Election.COMPLETED:
            raise ValidationError(_("Voting has closed in this election, so a review can no longer change who "
                                    "may vote."))
        previous = row.status
        row.status = ExceptionRequest.APPROVED if approve else ExceptionRequest.DENIED
        row.reviewed_by = reviewer.username.lower()
        row.reviewed_at = now
        row.review_comment = comment.strip()
        row.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
        audit_record(
            actor=reviewer.username, action=EXCEPTION_REVIEW, election=election,
            detail={"request": row.pk, "requester": row.requester.username, "decision": row.status,
                    "previous": previous, "comment": row.review_comment},
        )
    return row
