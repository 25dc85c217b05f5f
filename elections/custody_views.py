"""Officers' pages for a threshold-mode ballot box: take your key share once, enter it after the close.

Access as for every officer page (``_get_election_for_officer``); the services decide the rest, and name
what is wrong with a share. Pages that show a share are never cached.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from .box import BallotBoxRefused
from .custody import custody_of, key_share_enter, key_share_take, threshold_box_open
from .officers import _get_election_for_officer


def _refused(request, election, exc):
    return render(request, "elections/officer/refused.html",
                  {"election": election, "title": _("Ballot box key"), "message": exc.message}, status=exc.status)


@sensitive_variables()
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def key_share(request, key):
    """GET: what taking your share means. POST: take it; the page shows it this once."""
    election = _get_election_for_officer(request, key)
    custody = custody_of(election)
    context = {"election": election, "custody": custody, "mine": custody.share_of(request.user.username)}
    if request.method != "POST":
        return render(request, "elections/officer/key_share.html", context)
    try:
        text = key_share_take(election=election, officer=request.user)
    except BallotBoxRefused as exc:
        return _refused(request, election, exc)
    return render(request, "elections/officer/key_share_taken.html",
                  {**context, "share": text, "filename": f"{election.key}-key-share.txt"})


@sensitive_variables()
@sensitive_post_parameters("share")
@login_required
@require_POST
def key_share_submit(request, key):
    """Enter your share after the close; the box opens when enough officers have entered theirs."""
    election = _get_election_for_officer(request, key)
    try:
        outcome = key_share_enter(election=election, officer=request.user, text=request.POST.get("share", ""))
    except BallotBoxRefused as exc:
        messages.error(request, exc.message)
        return redirect("officers:overview", key=election.key)
    if outcome.opened is not None:
        messages.success(request, ngettext(
            "Your share was the last one needed: the ballot box is open, %(count)d ballot was read and the "
            "results can be seen.",
            "Your share was the last one needed: the ballot box is open, %(count)d ballots were read and the "
            "results can be seen.", outcome.opened.ballots) % {"count": outcome.opened.ballots})
    else:
        messages.success(request, ngettext(
            "Share %(number)d is in. %(count)d more share is needed to open the box.",
            "Share %(number)d is in. %(count)d more shares are needed to open the box.",
            outcome.still_needed) % {"number": outcome.number, "count": outcome.still_needed})
    return redirect("officers:overview", key=election.key)


@login_required
@require_POST
def key_shares_open(request, key):
    """Try the opening again once enough shares are in (after an opening that failed)."""
    election = _get_election_for_officer(request, key)
    try:
        opened = threshold_box_open(election=election, actor=request.user.username)
    except BallotBoxRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ngettext("The ballot box is open: %(count)d ballot was read.",
                                           "The ballot box is open: %(count)d ballots were read.",
                                           opened.ballots) % {"count": opened.ballots})
    return redirect("officers:overview", key=election.key)
