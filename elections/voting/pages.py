"""What the voter's pages share: the election shown or 404, the refusal page, and the candidates in the voter's
own order."""

import hashlib
import hmac
import random

from django.conf import settings
from django.shortcuts import get_object_or_404, render

from elections.models import Election
from elections.voting import services
from elections.voting.standing import standing_candidates


def election_visible(key):
    """The visible election ``key``, or 404."""
    return get_object_or_404(Election.objects.visible(), key=key)


def refusal_page(request, refusal, *, election=None):
    """The page that says why ``refusal`` (a ``services.Refusal``) stopped the voter, with its HTTP status."""
    context = {"title": refusal.title, "message": refusal.message, "election": election,
               # A voter who already voted is one step from changing that ballot.
               "already_voted": isinstance(refusal, services.AlreadyVoted)}
    return render(request, "elections/refused.html", context, status=refusal.status)


def candidates_for_voter(election, user, candidates=None):
    """This election's standing candidates in an order random for each voter but stable for that voter.

    Seeded with an HMAC under the site secret, so the order cannot be predicted from the login alone.
    ``candidates`` may be given when already loaded (the standing ones, in any order).
    """
    if candidates is None:
        candidates = standing_candidates(election)
    candidates = sorted(candidates, key=lambda c: c.candidate_id)
    seed_input = f"{election.key}\x00{user.username.lower()}".encode()
    seed = hmac.new(settings.SECRET_KEY.encode(), seed_input, hashlib.sha256).digest()
    random.Random(seed).shuffle(candidates)
    return candidates
