"""The pages that show elections: the public and signed-in lists, the dashboard, an election, a candidate and the
published results. The ballot's own pages are ``elections.voting.views``."""

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from elections.access import may_manage
from elections.markdown import render_markdown
from elections.models import Candidate, Election, ExceptionRequest
from elections.voting import listing, services
from elections.voting.pages import candidates_for_voter, election_visible, refusal_page
from elections.voting.standing import voter_standing

STATUS_FILTERS = Election.STATUSES
RESULTS_TITLE = re.compile(r"\A\s*#[ \t][^\n]*(\n|\Z)")
GITHUB_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")


def _badges(request, elections):
    """The voter's badge for each election (pk -> badge name)."""
    standing = voter_standing(request, (e.pk for e in elections))
    return {e.pk: _badge(e.pk in standing.eligible, e.pk in standing.voted) for e in elections}


def _status_filter(request):
    """The ``status`` query parameter: "" for all elections, else one of the statuses; None when unknown."""
    status = request.GET.get("status", "")
    return status if status in ("", *STATUS_FILTERS) else None


def _unknown_filter(request):
    refusal = services.Refusal(_("Choose running, upcoming or completed elections."), status=400,
                               title=_("Unknown filter"))
    return refusal_page(request, refusal)


def _badge(eligible, voted):
    if voted:
        return "voted"
    return "eligible" if eligible else "not-eligible"


def _list_page(request, template, rows_html):
    """An election list page: the status filter, the page of elections asked for, and their rows, each drawn by
    ``rows_html(version, elections, now)`` for the elections of that page."""
    status = _status_filter(request)
    if status is None:
        return _unknown_filter(request)
    now = timezone.now()
    version = listing.content_version()
    rows = listing.rows_with_status(listing.listed_elections(version), status, now)
    page = listing.paginate(rows, request.GET.get("page"))
    context = {"elections": page.object_list, "page": page, "status": status, "statuses": STATUS_FILTERS,
               "rows": rows_html(version, page.object_list, now)}
    return render(request, template, context)


@require_safe
def public_list(request):
    return _list_page(request, "elections/public_list.html", listing.public_rows_html)


def _election_page(key):
    page = listing.election_page(listing.content_version(), key)
    if page is None:
        raise Http404(f"There is no election {key!r}.")
    return page


@require_safe
def public_detail(request, key):
    page = _election_page(key)
    context = {"election": page.election, "candidates": page.candidates, "description": page.description,
               "content_version": page.version}
    return render(request, "elections/public_detail.html", context)


@require_safe
def results(request, key):
    """The published results.md, once the election has completed; open to everyone, like the repository."""
    election = election_visible(key)
    if not election.is_completed:
        refusal = services.WrongState(
            _("Results are published after voting closes. Come back after the election has ended."),
            title=_("Results not available yet"),
        )
        return refusal_page(request, refusal, election=election)
    # results.md usually opens with its own title ("# Results of ..."), which the page's heading already says; a
    # document that is nothing but a title keeps it.
    text = RESULTS_TITLE.sub("", election.results or "", count=1)
    if not text.strip():
        text = election.results
    context = {"election": election, "results": render_markdown(text, baselevel=2)}
    return render(request, "elections/results.html", context)


@login_required
@require_safe
def dashboard(request):
    now = timezone.now()
    version = listing.content_version()
    elections = listing.listed_elections(version)
    open_ = [e for e in elections if e.status_at(now) != Election.COMPLETED]
    eligible, voted, officered, _ = voter_standing(request, (e.pk for e in open_), voted_anywhere=True)
    may_vote = [e for e in open_ if e.pk in eligible and e.pk not in voted]
    # Each election is listed once: under "may vote" or "voted in" when it is one of those, else as running.
    running = [e for e in open_ if e.status_at(now) == Election.RUNNING and e.pk not in eligible | voted]
    voted_in = [e for e in elections if e.pk in voted]
    badges = {e.pk: _badge(e.pk in eligible, e.pk in voted) for e in elections}
    context = {
        "may_vote": may_vote,
        "running": running,
        "voted": voted_in,
        "rows": {name: listing.voter_rows_html(version, rows, now, badges)
                 for name, rows in (("may_vote", may_vote), ("running", running), ("voted", voted_in))},
        "officered": [(e, e.status_at(now)) for e in elections if e.pk in officered],
    }
    return render(request, "elections/dashboard.html", context)


@login_required
@require_safe
def election_list(request):
    return _list_page(request, "elections/list.html",
                      lambda version, shown, now: listing.voter_rows_html(version, shown, now, _badges(request, shown)))


@login_required
@require_safe
def election_detail(request, key):
    page = _election_page(key)
    election = page.election
    now = timezone.now()
    status = election.status_at(now)
    standing = voter_standing(request, [election.pk])
    eligible, voted = election.pk in standing.eligible, election.pk in standing.voted
    exception_request = None
    if election.pk in standing.requested:
        exception_request = ExceptionRequest.objects.filter(election=election, requester=request.user).first()
    context = {
        "election": election,
        "status": status,
        "eligible": eligible,
        "voted": voted,
        "badge": _badge(eligible, voted),
        "description": page.description,
        "candidates": candidates_for_voter(election, request.user, page.candidates),
        "withdrawn": page.withdrawn,
        "can_vote": status == Election.RUNNING and eligible and not voted,
        "can_manage_ballot": status == Election.RUNNING and voted,
        "can_request_exception": not eligible and exception_request is None and now < election.exception_deadline,
        "exception_request": exception_request,
        "officer_page": may_manage(request, election),
        "content_version": page.version,
    }
    return render(request, "elections/detail.html", context)


@login_required
@require_safe
def candidate_detail(request, key, candidate_id):
    election = election_visible(key)
    candidate = get_object_or_404(Candidate, election=election, candidate_id=candidate_id)
    field_names = [name for name in (election.show_candidate_fields or []) if name]
    info = candidate.info if isinstance(candidate.info, dict) else {}
    fields = [(str(name), info.get(name)) for name in field_names]
    context = {
        "election": election,
        "candidate": candidate,
        # In the meta repository a candidate's ID is their GitHub login; link it only when it can be one.
        "github_login": candidate.candidate_id if GITHUB_LOGIN.fullmatch(candidate.candidate_id) else None,
        "fields": fields,
        "bio": render_markdown(candidate.bio, baselevel=2),
    }
    return render(request, "elections/candidate.html", context)
