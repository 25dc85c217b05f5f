"""Pages for an election's officers: turnout and exception requests while it runs, the result after it.

Access: ``election_for_officer`` (404 for no such election, 403 for someone who does not officer it).
Results and exports exist only once voting has closed, for officers too: nobody sees a partial count.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from elections.access import election_for_officer
from elections.audit import (
    BALLOTS_LOAD,
    BOX_OPEN,
    BOX_REWRAP,
    CANDIDATE_DISQUALIFY,
    CANDIDATE_REINSTATE,
    COUNT_RECOUNT,
    ELECTION_RENAME,
    ELECTION_REOPEN,
    EXCEPTION_REVIEW,
    EXPORT,
    LINKS_DESTROY,
    META_SYNC,
    RESULTS_VIEW,
    ROLL_REBIND,
    SHARE_DEAL,
    SHARE_ENTER,
    SHARE_TAKE,
    SHARES_COMBINE,
    audit_record,
)
from elections.ballot_box.box import BallotBoxRefused, ballot_box_open, box_is_sealed
from elections.ballot_box.custody import custody_of
from elections.count_record import count_inputs_of
from elections.models import AuditEvent, BallotBox, Election, ExceptionRequest, RollBinding
from elections.officers import exports
from elections.officers.decisions import election_is_counted
from elections.officers.report import results_charter_context
from elections.officers.results import (
    candidate_names,
    count_history,
    election_tally,
    election_turnout,
    exception_counts,
    granted_logins_missing_from_roll,
    results_page,
)
from elections.voting.exception_requests import exception_request_review
from meta_sync.models import SyncRequest, SyncRun


def _not_before_close(request, election, what):
    """The 403 page for results or exports (``what``) asked for before voting closed."""
    if what == "results":
        title = _("No results yet")
        message = _("Voting in %(election)s has not closed yet. Nobody, officers included, sees any results before "
                    "voting closes: a partial count could sway the voters who have not voted yet.")
    else:
        title = _("No exports yet")
        message = _("Voting in %(election)s has not closed yet. Nobody, officers included, sees any exports before "
                    "voting closes: a partial count could sway the voters who have not voted yet.")
    return render(
        request,
        "elections/officer/refused.html",
        {"election": election, "title": title, "message": message % {"election": election.name}},
        status=403,
    )


_ACTION_LABELS = {
    RESULTS_VIEW: gettext_lazy("viewed the results"),
    EXCEPTION_REVIEW: gettext_lazy("reviewed an exception request"),
    META_SYNC: gettext_lazy("synced the meta repository"),
    ELECTION_RENAME: gettext_lazy("renamed the election (its folder moved in the meta repository)"),
    LINKS_DESTROY: gettext_lazy("destroyed the voter-to-ballot links"),
    BALLOTS_LOAD: gettext_lazy("loaded the published ballots"),
    BOX_OPEN: gettext_lazy("opened the ballot box"),
    BOX_REWRAP: gettext_lazy("re-wrapped the ballot box key"),
    SHARE_DEAL: gettext_lazy("dealt the ballot box key shares"),
    SHARE_TAKE: gettext_lazy("took their key share"),
    SHARE_ENTER: gettext_lazy("entered their key share"),
    SHARES_COMBINE: gettext_lazy("rebuilt the ballot box key from the shares"),
    CANDIDATE_DISQUALIFY: gettext_lazy("disqualified a candidate"),
    CANDIDATE_REINSTATE: gettext_lazy("lifted a disqualification"),
    ELECTION_REOPEN: gettext_lazy("reopened the counted election"),
    ROLL_REBIND: gettext_lazy("gave a roll entry to another account"),
    COUNT_RECOUNT: gettext_lazy("recounted under the meta repository's new inputs"),
}


def _action_label(action):
    if action.startswith(f"{EXPORT}."):
        return _("downloaded %(file)s") % {"file": action.removeprefix(EXPORT + ".")}
    return _ACTION_LABELS.get(action, action)


def _roll_taken_requests(election, requests):
    """The exception requests whose requester's login is on the roll with its entry bound to another account."""
    bound = dict(RollBinding.objects.filter(election=election).values_list("login", "voter_id"))
    return {row.pk for row in requests
            if bound.get(row.requester.username.lower(), row.requester_id) != row.requester_id}


@never_cache
@login_required
@require_safe
def overview(request, key):
    election = election_for_officer(request, key)
    requests = ExceptionRequest.objects.filter(election=election).select_related("requester", "election")
    context = {
        "election": election,
        "status": election.status,
        "turnout": election_turnout(election),
        "exception_requests": requests,
        "roll_taken_requests": _roll_taken_requests(election, requests),
        "pending_count": sum(1 for r in requests if r.status == ExceptionRequest.PENDING),
        "roll_additions": granted_logins_missing_from_roll(election),
        "review_open": election.status != Election.COMPLETED,
        "audit_events": [(event, _action_label(event.action)) for event in
                         AuditEvent.objects.filter(election=election)[:20]],
        # Repository-wide: when the last sync ran and whether it went through (its details may concern
        # other elections, so only operators read them, in the admin).
        "last_sync": SyncRun.objects.only("started_at", "ok").first(),
        # The last webhook delivery: whether the push officers just merged is waiting, imported or failed.
        "last_delivery": SyncRequest.objects.only("received_at", "status", "detail").first(),
        "former_keys": list(election.former_keys.values_list("key", flat=True)),
        "export_kinds": exports.KINDS.items(),
        "ballot_box": BallotBox.objects.filter(election=election).first(),
        "box_sealed": box_is_sealed(election),
        "counted": election_is_counted(election),
    }
    custody = custody_of(election)
    if custody.threshold:
        context.update(custody=custody, my_share=custody.share_of(request.user.username))
    return render(request, "elections/officer/overview.html", context)


@login_required
@require_POST
def review_exception(request, key, pk):
    election = election_for_officer(request, key)
    row = get_object_or_404(ExceptionRequest, pk=pk, election=election)
    decision = request.POST.get("decision")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("officers:overview", args=[election.key])
    if decision not in ("approve", "deny"):
        messages.error(request, _("Choose to approve or to deny the request."))
        return redirect(target)
    try:
        exception_request_review(request=row, reviewer=request.user, approve=decision == "approve",
                                 comment=request.POST.get("comment", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        if decision == "approve":
            done = _("The request of %(login)s was approved: they may now vote.")
        else:
            done = _("The request of %(login)s was denied.")
        messages.success(request, done % {"login": row.requester.username})
    return redirect(target)


def count_refusal(request, election, what):
    """The page saying why there are no ``what`` ("results" or "exports") yet: voting is open, or the ballot box
    is still sealed; None once the ballots can be counted."""
    if not election.is_completed:
        return _not_before_close(request, election, what)
    if box_is_sealed(election):
        return _box_still_sealed(request, election, _("results") if what == "results" else _("exports"))
    return None


def _box_still_sealed(request, election, what):
    """The page for results or exports asked for after the close but before the ballot box was opened."""
    custody = custody_of(election)
    return render(
        request,
        "elections/officer/refused.html",
        {
            "election": election,
            "title": _("The ballot box is still sealed"),
            "message": (_("Voting has closed, but the ballots are still sealed, so there are no %(what)s yet. "
                          "%(needed)s officers open the box together, with their shares of its key, on the "
                          "officers' page.") % {"what": what, "needed": custody.needed} if custody.threshold else
                        _("Voting has closed, but the ballots are still sealed, so there are no %(what)s yet. An "
                          "officer opens the box with the button “Open the ballot box” on the officers' page, or an "
                          "operator runs: manage.py open_ballot_box %(key)s") % {"what": what, "key": election.key}),
        },
        status=409,
    )


@login_required
@require_POST
def open_ballot_box(request, key):
    """Open the election's ballot box after the close (an officer's action, recorded in the audit trail)."""
    election = election_for_officer(request, key)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that you want to open the ballot box now."))
        return redirect("officers:overview", key=election.key)
    try:
        outcome = ballot_box_open(election=election, actor=request.user.username)
    except BallotBoxRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, ngettext(
            "The ballot box is open: %(count)d ballot can now be counted.",
            "The ballot box is open: %(count)d ballots can now be counted.", outcome.ballots,
        ) % {"count": outcome.ballots})
    return redirect("officers:overview", key=election.key)


@never_cache
@login_required
@require_safe
def results(request, key):
    election = election_for_officer(request, key)
    refusal = count_refusal(request, election, "results")
    if refusal:
        return refusal
    inputs = count_inputs_of(election)
    with transaction.atomic():
        result = election_tally(election, inputs)
        audit_record(actor=request.user.username, action=RESULTS_VIEW, election=election,
                     detail={"ballots": result.ballots, "winners": result.winners})
    names = candidate_names(election)
    turnout = election_turnout(election)
    load = election.audit_events.filter(action=BALLOTS_LOAD).order_by("-pk").first() if turnout.loaded else None
    context = {
        "election": election,
        "page": results_page(result, names),
        "turnout": turnout,
        # Ballots loaded without their receipts got codes nobody saw: no voter can look theirs up.
        "receipts_made_up": bool(load and (load.detail or {}).get("receipts") == "generated"),
        "exceptions": exception_counts(election),
        "counted_at": timezone.now(),
        "export_kinds": exports.KINDS.items(),
        "count": count_history(election, inputs, names),
        **results_charter_context(election, result, names, inputs),
    }
    return render(request, "elections/officer/results.html", context)


@never_cache
@login_required
@require_safe
def export(request, key, kind):
    election = election_for_officer(request, key)
    if kind not in exports.KINDS:
        raise Http404(f"There is no export {kind!r}.")
    refusal = count_refusal(request, election, "exports")
    if refusal:
        return refusal
    with transaction.atomic():
        built = exports.export_build(election, kind)
        audit_record(actor=request.user.username, action=f"{EXPORT}.{kind}", election=election,
                     detail={"kind": kind, "bytes": len(built.content.encode())})
    response = HttpResponse(built.content, content_type=built.content_type)
    response["Content-Disposition"] = content_disposition_header(True, built.filename)
    return response
