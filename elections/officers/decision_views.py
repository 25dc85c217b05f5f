"""Officers' pages for decisions: giving a roll entry to another account while voting runs; after the close,
disqualifying a candidate (a step of its own: choose, see what it changes, confirm with the reason), recounting
under the meta repository's new inputs, reopening a counted election, and the report to the steering body.

Access as on the other officers' pages (``election_for_officer``); every decision goes through a
service in ``elections.officers.decisions`` that writes its audit row.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from elections.access import election_for_officer
from elections.audit import RESULTS_VIEW, audit_record
from elections.models import Candidate
from elections.officers.decisions import (
    candidate_disqualify,
    candidate_reinstate,
    count_recount,
    election_reopen,
    election_rules,
    roll_entry_rebind,
)
from elections.officers.report import steering_report
from elections.officers.results import candidate_names, election_tally
from elections.officers.views import count_refusal


def _candidate(election, request):
    return get_object_or_404(Candidate, election=election, candidate_id=request.POST.get("candidate", ""))


def _decide(request, decision, success, **target):
    """Take ``decision`` (a service of ``elections.officers.decisions``) as this officer, with the reason they gave, and
    tell them how it went: ``success``, or why it was refused. Returns whether it was taken."""
    try:
        decision(officer=request.user.username, reason=request.POST.get("reason"), **target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def disqualify(request, key):
    """Disqualify a candidate, as a step of its own: choose them (GET), see what it changes, the winners now and
    after (GET with ``candidate``), then confirm with the reason (POST). Nothing is chosen beforehand."""
    election = election_for_officer(request, key)
    if request.method == "POST":
        candidate = _candidate(election, request)
        taken = _decide(request, candidate_disqualify,
                        _("%(name)s is disqualified: the seats move down.") % {"name": candidate.name},
                        candidate=candidate)
        if taken:
            return redirect("officers:results", election.key)
        step = reverse("officers:disqualify", args=[election.key])
        return redirect(f"{step}?{urlencode({'candidate': candidate.candidate_id})}")
    # Seeing what a disqualification changes is seeing the results: after the close and the box's opening.
    refusal = count_refusal(request, election, "results")
    if refusal:
        return refusal
    disqualified = set(election_rules(election).disqualified_reasons())
    with transaction.atomic():
        result = election_tally(election)
        choices = [c for c in election.candidates.all()
                   if c.candidate_id in result.candidates and c.candidate_id not in disqualified]
        chosen = next((c for c in choices if c.candidate_id == request.GET.get("candidate")), None)
        after = election_tally(election, also_disqualified=[chosen.candidate_id]) if chosen else None
        audit_record(actor=request.user.username, action=RESULTS_VIEW, election=election,
                     detail={"ballots": result.ballots, "winners": result.winners, "page": "disqualify",
                             **({"candidate": chosen.candidate_id, "winners_after": after.winners} if chosen else {})})
    names = candidate_names(election)
    context = {"election": election, "choices": choices, "chosen": chosen,
               "winners_now": [names.get(c, c) for c in result.winners]}
    if chosen:
        context.update(winners_after=[names.get(c, c) for c in after.winners],
                       elected=[names.get(c, c) for c in after.winners if c not in result.winners],
                       unseated=[names.get(c, c) for c in result.winners if c not in after.winners])
    return render(request, "elections/officer/disqualify.html", context)


@login_required
@require_POST
def reinstate(request, key):
    election = election_for_officer(request, key)
    candidate = _candidate(election, request)
    _decide(request, candidate_reinstate, _("%(name)s is no longer disqualified.") % {"name": candidate.name},
            candidate=candidate)
    return redirect("officers:results", election.key)


@login_required
@require_POST
def reopen(request, key):
    election = election_for_officer(request, key)
    _decide(request, election_reopen, _("Reopened: the next sync may move the close later. Change end_datetime in "
                                        "the meta repository, then sync."), election=election)
    return redirect("officers:overview", election.key)


@login_required
@require_POST
def recount(request, key):
    election = election_for_officer(request, key)
    _decide(request, count_recount, _("Recounted under the inputs the meta repository gives now. The earlier count "
                                      "stays on this page."), election=election)
    return redirect("officers:results", election.key)


@login_required
@require_POST
def rebind(request, key):
    election = election_for_officer(request, key)
    login, account = request.POST.get("login", "").strip(), request.POST.get("account", "").strip()
    _decide(request, roll_entry_rebind,
            _("The roll entry %(login)s now belongs to the account %(account)s.") % {"login": login,
                                                                                     "account": account},
            election=election, login=login, account=account)
    return redirect(reverse("officers:overview", args=[election.key]) + "#rebind-title")


@never_cache
@login_required
@require_safe
def report(request, key):
    election = election_for_officer(request, key)
    # The report holds the results: it waits for the close and for the box to be opened, as they do.
    refusal = count_refusal(request, election, "results")
    if refusal:
        return refusal
    with transaction.atomic():
        built = steering_report(election)
        audit_record(actor=request.user.username, action=RESULTS_VIEW, election=election,
                     detail={"ballots": built.result.ballots, "winners": built.result.winners, "page": "report"})
    return render(request, "elections/officer/report.html", {"election": election, "report": built})
