"""Officers' pages for a threshold-mode ballot box.

Officers' keys: download your share (encrypted to your own keys), prove with its check code that you can
decrypt it, and after the close open the box with K officers' decrypted shares in one form. Legacy boxes
(shares held by the server): take your share once, enter it after the close.

Access as for every officer page (``election_for_officer``); the services decide the rest, and name
what is wrong with a share. Pages that show a share are never cached.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from elections.access import election_for_officer
from elections.ballot_box.box import BallotBoxRefused
from elections.ballot_box.custody import (
    GivenShare,
    custody_of,
    key_share_confirm,
    key_share_file,
    officer_shares_open,
    share_file_name,
)
from elections.ballot_box.server_shares import key_share_enter, key_share_take, threshold_box_open


def _refused(request, election, exc):
    return render(request, "elections/officer/refused.html",
                  {"election": election, "title": _("Ballot box key"), "message": exc.message}, status=exc.status)


@sensitive_variables()
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def key_share(request, key):
    """Officers' keys: GET your share's page (download, the age command, the check code form); POST the check
    code. Legacy: GET what taking your share means; POST take it, the page shows it this once."""
    election = election_for_officer(request, key)
    custody = custody_of(election)
    context = {"election": election, "custody": custody, "mine": custody.share_of(request.user.username)}
    if custody.threshold and not custody.legacy:
        return _officer_key_share(request, election, context)
    if request.method != "POST":
        return render(request, "elections/officer/key_share.html", context)
    try:
        text = key_share_take(election=election, officer=request.user)
    except BallotBoxRefused as exc:
        return _refused(request, election, exc)
    return render(request, "elections/officer/key_share_taken.html",
                  {**context, "share": text, "filename": f"{election.key}-key-share.txt"})


def _officer_key_share(request, election, context):
    mine = context["mine"]
    if request.method == "POST":
        try:
            number = key_share_confirm(election=election, officer=request.user, code=request.POST.get("code", ""))
        except BallotBoxRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Share %(number)s is confirmed: you can decrypt it. Keep the file and your "
                                        "key safe until the box is opened.") % {"number": number})
        return redirect("officers:key_share", key=election.key)
    if mine is not None:
        context["filename"] = share_file_name(election, mine.number)
    return render(request, "elections/officer/key_share_file.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def key_share_download(request, key):
    """Your share, encrypted with age to your own keys, as ``<election>-share-<n>.age``."""
    election = election_for_officer(request, key)
    try:
        filename, armored = key_share_file(election=election, officer=request.user)
    except BallotBoxRefused as exc:
        return _refused(request, election, exc)
    response = HttpResponse(armored, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# A decrypted share file is a few hundred bytes; anything much larger is not one.
_SHARE_FILE_LIMIT = 16 * 1024


def _given_shares(request):
    """The shares on the opening form: each holder's field, or the decrypted file uploaded in its place."""
    given = []
    for name, value in request.POST.items():
        if name.startswith("share-") and name[6:].isdigit():
            given.append(GivenShare(int(name[6:]), value))
    for name, upload in request.FILES.items():
        if name.startswith("file-") and name[5:].isdigit():
            text = upload.read(_SHARE_FILE_LIMIT).decode("utf-8", "replace")
            given = [g for g in given if g.number != int(name[5:]) or not g.text.strip()]
            given.append(GivenShare(int(name[5:]), text))
    return given


@sensitive_variables()
def _box_open_and_report(request, election, box_open):
    """Open the box with ``box_open`` (a service call) and say how it went on the officers' page."""
    try:
        opened = box_open()
    except BallotBoxRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ngettext("The ballot box is open: %(count)d ballot was read.",
                                           "The ballot box is open: %(count)d ballots were read.",
                                           opened.ballots) % {"count": opened.ballots})
    return redirect("officers:overview", key=election.key)


@sensitive_variables()
@sensitive_post_parameters("share")
@login_required
@require_POST
def key_share_submit(request, key):
    """Enter your share after the close; the box opens when enough officers have entered theirs."""
    election = election_for_officer(request, key)
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


@csrf_exempt  # checked below, once the upload handlers are set (reading the form for the check would use them)
def key_shares_open(request, key):
    """Officers' keys: open the box with K decrypted shares given together. Legacy: try the opening again once
    enough shares are in (after an opening that failed).

    Uploaded share files are read into memory only, never into a temporary file on disk: a file larger than
    FILE_UPLOAD_MAX_MEMORY_SIZE is dropped (a decrypted share file is a few hundred bytes)."""
    request.upload_handlers = [MemoryFileUploadHandler(request)]
    return _key_shares_open(request, key)


@sensitive_variables()
@sensitive_post_parameters()
@csrf_protect
@login_required
@require_POST
def _key_shares_open(request, key):
    election = election_for_officer(request, key)
    actor = request.user.username
    if not custody_of(election).legacy:
        return _box_open_and_report(request, election, lambda: officer_shares_open(
            election=election, actor=actor, given=_given_shares(request)))
    return _box_open_and_report(request, election, lambda: threshold_box_open(election=election, actor=actor))
