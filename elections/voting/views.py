"""The ballot's pages: rank, review, cast and the receipt; view, change or revoke a ballot cast
(``confirmation``); and the exception request form. Each page reads who may vote from the database, never from a
kept part of a page; the writes are ``elections.voting.services``."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_safe

from elections.access import officer_link_known
from elections.models import ExceptionRequest, VoteRecord
from elections.places import place_labels
from elections.voting import ballot_cookies, exception_requests, secrecy, services
from elections.voting.forms import BallotForm, ExceptionRequestForm, NewPassphraseForm, PassphraseForm
from elections.voting.pages import candidates_for_voter, election_visible, refusal_page
from elections.voting.standing import election_access, standing_candidates

# --- helpers ----------------------------------------------------------------------------------------


def _ballot_access(request, key):
    """The signed-in voter's ``Access`` to the visible election ``key``, read now (never from a page part kept
    for a content version: a ballot is decided on the database's state); 404 when there is no such election."""
    access = election_access(request.user, key)
    if access is None:
        raise Http404(f"There is no election {key!r}.")
    officer_link_known(request, access.officers_any)
    return access


def _voting_access(request, key):
    """``_ballot_access``, and the refusal page when the voter may not vote in that election now (else None)."""
    access = _ballot_access(request, key)
    try:
        services.voting_check(election=access.election, voter=request.user, access=access)
    except services.Refusal as refusal:
        return access, refusal_page(request, refusal, election=access.election)
    return access, None


@sensitive_variables()
def ranks_grouped(ranks, candidates):
    """The ballot as it will be counted: [(place, [candidates])] best first, each place labelled as people count
    ("1st", "2nd, tied", then "Not ranked, counts last"), and the "No opinion" list.

    A ballot lists every candidate standing when it was cast, so its lowest rank, where candidates left
    unranked sit, is ``len(ranks)``.
    """
    by_id = {c.candidate_id: c for c in candidates}
    groups = {}
    no_opinion = []
    for candidate_id, rank in ranks.items():
        candidate = by_id.get(candidate_id)
        name = candidate.name if candidate else candidate_id
        if rank is None:
            no_opinion.append(name)
        else:
            groups.setdefault(rank, []).append(name)
    ranked = [(rank, sorted(names)) for rank, names in sorted(groups.items())]
    return place_labels(ranked, len(ranks)), sorted(no_opinion)


def _signed_in_or_told(view):
    """``login_required`` for the ballot's form: a GET goes to the sign-in page as usual, but a ballot posted after
    the session ended gets a page that says so (nothing cast, the ranking not kept) and leads back, instead of a
    redirect that would drop the ranking without a word."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "POST":
            login_url = f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}"
            return render(request, "elections/session_ended.html", {"login_url": login_url}, status=403)
        return redirect_to_login(request.get_full_path())

    return wrapped


# Passphrases and ranks never appear in error reports.
@sensitive_variables()
@sensitive_post_parameters()
@never_cache
@_signed_in_or_told
@require_http_methods(["GET", "HEAD", "POST"])
def vote(request, key):
    """Rank (GET), review (POST step=review, then ``vote_review``), then cast (POST step=cast, then
    ``vote_receipt``).

    The review and the receipt are pages of their own, reached by a 303 redirect, so that Back and Reload never
    post a ballot again; what they show travels in a short-lived encrypted cookie that only the browser holds
    (``ballot_cookies``), never in the session. The cast posts the ranks again in the form itself, and they are
    validated again then. An existing ballot is changed instead, with its passphrase.
    """
    access, refused = _voting_access(request, key)
    if refused:
        return refused
    election = access.election
    changing = access.voted
    candidates = candidates_for_voter(election, request.user)
    context = {"election": election, "changing": changing, "candidates": candidates}
    ballot_kwargs = {"candidates": candidates, "allow_no_opinion": election.allow_no_opinion}

    if request.method != "POST":
        # Back from the review, or "Change my ranking": the ranking under review, if there is one.
        review = _review_from_cookie(request, election, candidates)
        initial = _ballot_form_data(review.ranks, len(candidates)) if review else None
        return render(request, "elections/vote.html",
                      {**context, "form": BallotForm(initial=initial, **ballot_kwargs)})

    form = BallotForm(request.POST, **ballot_kwargs)
    ranks = None
    if form.is_valid():
        try:
            ranks = services.ranks_validate(election=election, ranks=form.ranks(), candidates=candidates)
        except services.InvalidBallot as refusal:
            form.add_error(None, refusal.message)
    if ranks is None:
        return render(request, "elections/vote.html", {**context, "form": form}, status=400)
    step = request.POST.get("step", "review")
    if step == "cast" and services.ranks_prefer_no_one(ranks) and request.POST.get("prefers_no_one") != "yes":
        # A ballot that prefers no one is cast only from the review that says so.
        step = "review"
    if step != "cast":
        # The review, or the form again ("edit"), is shown by a GET of its own, with the ranks in the cookie.
        review = _review_from_cookie(request, election, candidates)
        suggestion = _suggestion(review.suggestion if review else request.POST.get("suggestion", ""))
        value = ballot_cookies.review_seal(voter=request.user, election=election, ranks=ranks, suggestion=suggestion)
        target = "elections:vote" if step == "edit" else "elections:vote_review"
        response = _see_other(reverse(target, args=[election.key]))
        ballot_cookies.cookie_set(response, request, ballot_cookies.REVIEW, value, election=election)
        return response

    ranked, no_opinion = ranks_grouped(ranks, candidates)
    context.update(form=form, ranked=ranked, no_opinion=no_opinion)
    passphrase_form_class = PassphraseForm if changing else NewPassphraseForm
    return _vote_submit(request, context, ranks=ranks, passphrase_form=passphrase_form_class(request.POST))


@sensitive_variables()
@never_cache
@login_required
@require_safe
def vote_review(request, key):
    """The review of the ranking posted to ``vote``, read from the review cookie, with the passphrase form that
    casts it. Without a readable cookie: back to the ballot (or to the receipt, after casting)."""
    access, refused = _voting_access(request, key)
    if refused:
        return refused
    election = access.election
    candidates = candidates_for_voter(election, request.user)
    try:
        review = ballot_cookies.review_open(request.COOKIES.get(ballot_cookies.REVIEW), voter=request.user,
                                            election=election, candidate_ids=[c.candidate_id for c in candidates])
        ranks = services.ranks_validate(election=election, ranks=review.ranks, candidates=candidates)
    except ballot_cookies.Unreadable:
        if _receipt_from_cookie(request, election, candidates):
            # Back from the receipt: the ballot under review was cast meanwhile.
            return redirect("elections:vote_receipt", key=election.key)
        messages.warning(request, _("The ranking you were reviewing has expired or cannot be read any more. "
                                    "Rank the candidates again."))
        return redirect("elections:vote", key=election.key)
    except (ballot_cookies.CandidatesChanged, services.InvalidBallot) as changed:
        # The election changed since the ranking (candidates, or whether "No opinion" is offered).
        messages.warning(request, changed.message if isinstance(changed, services.InvalidBallot) else _(
            "The candidates standing in this election changed since you ranked them. Rank the candidates again."))
        response = redirect("elections:vote", key=election.key)
        ballot_cookies.cookie_delete(response, ballot_cookies.REVIEW, election=election)
        return response

    changing = access.voted
    ranked, no_opinion = ranks_grouped(ranks, candidates)
    context = {"election": election, "changing": changing, "candidates": candidates,
               "ranked": ranked, "no_opinion": no_opinion}
    passphrase_form = PassphraseForm() if changing else NewPassphraseForm()
    return _render_review(request, context, passphrase_form, ranks=ranks, suggestion=review.suggestion)


@sensitive_variables()
@never_cache
@login_required
@require_safe
def vote_receipt(request, key):
    """The receipt of the ballot just cast, read from the receipt cookie for its few minutes, with its ranking the
    first time only; after them, where to find it again."""
    access = _ballot_access(request, key)
    election = access.election
    if not access.voted:
        response = redirect("elections:vote", key=election.key)
        ballot_cookies.cookie_delete(response, ballot_cookies.RECEIPT, election=election)
        return response
    candidates = standing_candidates(election)
    shown = _receipt_from_cookie(request, election, candidates)
    context = {"election": election, "receipt": shown.receipt if shown else None,
               "changing": shown.changing if shown else False}
    if shown is None or shown.ranks is None:
        return render(request, "elections/receipt.html", context)
    # The ranking is shown this once: the cookie keeps the receipt alone from now on, so that Reload, Back or
    # another tab (the next person at a shared computer) show the receipt without the ballot.
    ranked, no_opinion = ranks_grouped(shown.ranks, candidates)
    response = render(request, "elections/receipt.html", {**context, "ranked": ranked, "no_opinion": no_opinion})
    value = ballot_cookies.receipt_seal(voter=request.user, election=election, receipt=shown.receipt, ranks=None,
                                        changing=shown.changing, issued_at=shown.issued_at)
    ballot_cookies.cookie_set(response, request, ballot_cookies.RECEIPT, value, election=election)
    return response


@sensitive_variables()
def _vote_submit(request, context, *, ranks, passphrase_form):
    """The cast step: a new ballot, or the replacement of the voter's ballot."""
    election, changing = context["election"], context["changing"]
    # The review page says whether it casts a new ballot or changes one; if that changed meanwhile (a double
    # submission, another tab), refuse rather than guess.
    mode = request.POST.get("mode")
    if mode == "cast" and changing:
        return refusal_page(request, services.AlreadyVoted(
            _("You have already voted in this election. You may view, change or revoke that ballot with your "
              "passphrase.")), election=election)
    if mode == "change" and not changing:
        return refusal_page(request, services.NotVoted(_("Your ballot was revoked meanwhile: cast a new one.")),
                        election=election)
    review = _review_from_cookie(request, election, context["candidates"])
    suggestion = _suggestion(review.suggestion if review else request.POST.get("suggestion", ""))
    if not passphrase_form.is_valid():
        return _render_review(request, context, passphrase_form, ranks=ranks, suggestion=suggestion, status=400)
    passphrase = passphrase_form.cleaned_data["passphrase"]
    try:
        if changing:
            receipt = services.ballot_change(election=election, voter=request.user, passphrase=passphrase,
                                             ranks=ranks, candidates=context["candidates"])
        else:
            receipt = services.ballot_cast(election=election, voter=request.user, ranks=ranks, passphrase=passphrase,
                                           candidates=context["candidates"])
    except services.WrongPassphrase as refusal:
        passphrase_form.add_error("passphrase", refusal.message)
        return _render_review(request, context, passphrase_form, ranks=ranks, suggestion=suggestion,
                              status=refusal.status)
    except services.WeakPassphrase as refusal:
        passphrase_form.add_error("passphrase", _(
            "This passphrase is too easy to guess: %(weakness)s. Use the passphrase generated for you, "
            "%(suggestion)s, or a longer one of your own.") % {"weakness": refusal.weakness, "suggestion": suggestion})
        return _render_review(request, context, passphrase_form, ranks=ranks, suggestion=suggestion,
                              status=refusal.status)
    except services.Refusal as refusal:
        return refusal_page(request, refusal, election=election)
    # The receipt goes to the browser only: keeping it in the session would store it next to the voter's identity.
    value = ballot_cookies.receipt_seal(voter=request.user, election=election, receipt=receipt.receipt, ranks=ranks,
                                        changing=changing)
    response = _see_other(reverse("elections:vote_receipt", args=[election.key]))
    ballot_cookies.cookie_set(response, request, ballot_cookies.RECEIPT, value, election=election)
    ballot_cookies.cookie_delete(response, ballot_cookies.REVIEW, election=election)
    return response


def _see_other(url):
    """A 303 redirect: the browser follows it with a GET, and Back returns to that GET, not to the POST."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


@sensitive_variables()
def _from_cookie(request, name, opener, election, candidates):
    """What ``opener`` reads from the request's cookie ``name`` for ``candidates`` (those standing), or None."""
    try:
        return opener(request.COOKIES.get(name), voter=request.user, election=election,
                      candidate_ids=[c.candidate_id for c in candidates])
    except (ballot_cookies.Unreadable, ballot_cookies.CandidatesChanged):
        return None


def _review_from_cookie(request, election, candidates):
    """The ``Review`` in the request's review cookie, or None."""
    return _from_cookie(request, ballot_cookies.REVIEW, ballot_cookies.review_open, election, candidates)


def _receipt_from_cookie(request, election, candidates):
    """The ``Receipt`` in the request's receipt cookie, or None."""
    return _from_cookie(request, ballot_cookies.RECEIPT, ballot_cookies.receipt_open, election, candidates)


def _ballot_form_data(ranks, lowest_rank):
    """The ballot form's values for ``ranks``; a candidate at the lowest rank shows as "not ranked" (the same)."""
    return {
        BallotForm.field_name(candidate_id): (
            BallotForm.NO_OPINION if rank is None else BallotForm.NOT_RANKED if rank == lowest_rank else str(rank))
        for candidate_id, rank in ranks.items()
    }


def _suggestion(suggestion):
    """``suggestion`` when it is a passphrase this site generated (safe to show back), else a new one."""
    return suggestion if secrecy.is_generated_passphrase(suggestion) else secrecy.passphrase_generate()


def _render_review(request, context, passphrase_form, *, ranks, suggestion, status=200):
    # A new ballot's review keeps the passphrase it suggested the first time, after an error and on reload: the
    # voter may already have copied it. The ranks under review go back with the cast as hidden fields.
    return render(
        request,
        "elections/review.html",
        {**context, "passphrase_form": passphrase_form, "hidden_ranks": _ballot_form_data(ranks, len(ranks)).items(),
         "suggestion": "" if context["changing"] else _suggestion(suggestion),
         "prefers_no_one": services.ranks_prefer_no_one(ranks),
         "min_length": settings.MIN_PASSPHRASE_LENGTH,
         # A refused cast answers its POST with this page: its history entry becomes the review's own address.
         "history_url": reverse("elections:vote_review", args=[context["election"].key])},
        status=status,
    )


@sensitive_variables()
@sensitive_post_parameters()
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def confirmation(request, key):
    """The voter's own ballot: view it or revoke it with the passphrase (changing goes through ``vote``)."""
    election = election_visible(key)
    record = VoteRecord.objects.filter(election=election, voter=request.user).first()
    if record is None:
        return refusal_page(
            request,
            services.NotVoted(_("You have not voted in this election, or you revoked your ballot.")),
            election=election,
        )
    context = {
        "election": election,
        "record": record,
        "links_destroyed": bool(election.links_destroyed_at or not record.sealed_link),
        "running": election.is_running,
        "attempts_per_minute": settings.PASSPHRASE_ATTEMPTS_PER_MINUTE,
        "form": PassphraseForm(),
        # Revoking has a page of its own, so that a passphrase typed to view the ballot cannot delete it by a
        # wrong click.
        "revoking": "revoke" in request.GET or request.POST.get("action") == "revoke",
    }
    if request.method != "POST":
        return render(request, "elections/confirmation.html", context)

    action = request.POST.get("action")
    if action not in ("view", "revoke"):
        refusal = services.Refusal(_("Choose to view or to revoke your ballot."), status=400,
                                   title=_("Unknown action"))
        return refusal_page(request, refusal, election=election)
    form = PassphraseForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return render(request, "elections/confirmation.html", context, status=400)
    passphrase = form.cleaned_data["passphrase"]
    try:
        if action == "view":
            ballot = services.ballot_view(election=election, voter=request.user, passphrase=passphrase)
        else:
            services.ballot_revoke(election=election, voter=request.user, passphrase=passphrase)
    except services.WrongPassphrase as refusal:
        form.add_error("passphrase", refusal.message)
        return render(request, "elections/confirmation.html", context, status=refusal.status)
    except services.Refusal as refusal:
        return refusal_page(request, refusal, election=election)

    if action == "revoke":
        messages.success(request, _("Your ballot was revoked and deleted. You may vote again while voting is open."))
        return redirect("elections:detail", key=election.key)
    context["receipt"] = ballot.receipt
    if ballot.ranks is not None:
        ranked, no_opinion = ranks_grouped(ballot.ranks, list(election.candidates.all()))
        context.update(ranked=ranked, no_opinion=no_opinion)
    return render(request, "elections/ballot.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def exception_request(request, key):
    election = election_visible(key)
    existing = ExceptionRequest.objects.filter(election=election, requester=request.user).first()
    if existing is not None and request.method != "POST":
        return render(request, "elections/exception.html", {"election": election, "exception_request": existing})
    if existing is not None:
        return refusal_page(
            request,
            services.AlreadyRequested(_("You have already sent an exception request for this election.")),
            election=election,
        )
    try:
        exception_requests.exception_request_check(election=election, requester=request.user)
    except services.Refusal as refusal:
        return refusal_page(request, refusal, election=election)
    form = ExceptionRequestForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                exception_requests.exception_request_submit(election=election, requester=request.user,
                                                            **form.cleaned_data)
            except services.Refusal as refusal:
                return refusal_page(request, refusal, election=election)
            messages.success(request, _("Your request was sent to the election officers."))
            return redirect("elections:exception", key=election.key)
        return render(request, "elections/exception.html", {"election": election, "form": form}, status=400)
    return render(request, "elections/exception.html", {"election": election, "form": form})


