"""One voter, one ballot, also when the requests arrive together; and no ballot lost when everyone votes at once."""

import itertools
import re

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.urls import reverse

from elections.models import SealedBallot, VoteRecord
from elections.officers.results import election_tally
from elections.voting import services
from tests.browser.builders import build_election, user
from tests.concurrency.conftest import run_at_once, simultaneous_connections
from tests.conftest import box_open_now, review_fields

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "steering---2026"
PASSPHRASE = "plum orbit kettle saffron 91"
CANDIDATES = ("amara", "bjorn", "chen", "dolores")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def cast_form(ranks, mode="cast"):
    return {**{f"rank-{c}": str(r) for c, r in ranks.items()}, "step": "cast", "mode": mode,
            "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE, **review_fields(ranks)}


def session_cookie_of(login):
    client = Client()
    client.force_login(user(login), backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def http_cast(base_url, session_key, ranks, browser=None):
    """A browser-like cast over real HTTP: the CSRF token from the ballot page, then the cast.

    Without ``browser``, it opens its own keep-alive connection; with one, it uses that connection (and its
    CSRF cookie) for this voter's requests, as a proxy in front of several voters would.
    """
    vote_url = f"{base_url}{reverse('elections:vote', args=[KEY])}"
    cookies = {settings.SESSION_COOKIE_NAME: session_key}

    def prepare():
        connection = browser or requests.Session()
        page = connection.get(vote_url, cookies=cookies, timeout=30)
        assert page.status_code == 200, page.status_code
        return connection, CSRF_INPUT.search(page.text).group(1)

    def send(prepared):
        connection, token = prepared
        response = connection.post(vote_url, {**cast_form(ranks), "csrfmiddlewaretoken": token}, cookies=cookies,
                                   headers={"Referer": vote_url}, allow_redirects=False, timeout=60)
        if browser is None:
            connection.close()
        return response.status_code

    return prepare, send


def test_fifty_simultaneous_casts_by_one_voter_store_exactly_one_ballot(live_server):
    election = build_election(KEY, voters=("alice",))
    session_key = session_cookie_of("alice")
    rankings = itertools.cycle(itertools.permutations([1, 2, 3, 4]))
    jobs = [http_cast(live_server.url, session_key, dict(zip(CANDIDATES, next(rankings), strict=True)))
            for _ in range(simultaneous_connections())]

    statuses = run_at_once(jobs)

    failures = [s for s in statuses if not isinstance(s, int) or s >= 500]
    assert not failures, f"requests that failed: {failures[:5]}"
    assert sorted(set(statuses)) == [303, 409], statuses
    assert statuses.count(303) == 1
    assert VoteRecord.objects.filter(election=election).count() == 1
    assert SealedBallot.objects.filter(election=election).count() == 1
    # The stored ballot is the one the accepted request sent, and the passphrase opens it.
    view = services.ballot_view(election=election, voter=user("alice"), passphrase=PASSPHRASE)
    assert [b.ranks for b in box_open_now(election)] == [view.ranks]


def test_two_hundred_voters_casting_at_once_give_two_hundred_ballots_and_a_count_of_two_hundred(live_server):
    voters = [f"voter-{n:03d}" for n in range(200)]
    election = build_election(KEY, voters=voters)
    rankings = list(itertools.permutations([1, 2, 3, 4]))
    ballots = {login: dict(zip(CANDIDATES, rankings[n % len(rankings)], strict=True)) for n, login in
               enumerate(voters)}
    sessions = {login: session_cookie_of(login) for login in voters}

    def batch(logins):
        # Up to 50 connections at once, each carrying several voters' casts in a row: the live server gives
        # each connection a thread and a database connection.
        browser = requests.Session()
        casts = [http_cast(live_server.url, sessions[login], ballots[login], browser) for login in logins]

        def prepare():
            return [prepare_one() for prepare_one, _ in casts]

        def send(prepared):
            statuses = [send_one(one) for (_, send_one), one in zip(casts, prepared, strict=True)]
            browser.close()
            return statuses

        return prepare, send

    width = simultaneous_connections()
    results = run_at_once([batch(voters[n::width]) for n in range(width)])

    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, f"connections that failed: {errors[:3]}"
    statuses = [status for batch_statuses in results for status in batch_statuses]
    assert statuses == [303] * 200, sorted(set(statuses))
    assert VoteRecord.objects.filter(election=election).count() == 200
    assert SealedBallot.objects.filter(election=election).count() == 200
    assert len(box_open_now(election)) == 200
    result = election_tally(election)
    assert result.ballots == 200
    # Every ballot counted as cast: the pairwise counts are those of the submitted ballots.
    for a, b in itertools.permutations(CANDIDATES, 2):
        expected = sum(1 for ranks in ballots.values() if ranks[a] < ranks[b])
        assert result.pairwise[a][b] == expected, (a, b)


def test_twenty_simultaneous_changes_by_one_voter_leave_one_ballot_that_opens(settings):
    settings.PASSPHRASE_ATTEMPTS_PER_MINUTE = 100
    election = build_election(KEY, voters=("alice",))
    alice = user("alice")
    services.ballot_cast(election=election, voter=alice, ranks=dict.fromkeys(CANDIDATES, 1), passphrase=PASSPHRASE)
    rankings = list(itertools.permutations([1, 2, 3, 4]))[:20]
    vote_url = reverse("elections:vote", args=[KEY])

    def change(ranks):
        def prepare():
            client = Client()
            client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
            return client

        return prepare, lambda client: client.post(vote_url, cast_form(ranks, mode="change")).status_code

    statuses = run_at_once([change(dict(zip(CANDIDATES, r, strict=True))) for r in rankings])

    assert all(isinstance(s, int) and s < 500 for s in statuses), statuses
    assert statuses.count(303) >= 1
    assert VoteRecord.objects.filter(election=election).count() == 1
    assert SealedBallot.objects.filter(election=election).count() == 1
    viewed = services.ballot_view(election=election, voter=alice, passphrase=PASSPHRASE).ranks
    [stored] = [b.ranks for b in box_open_now(election)]
    assert tuple(stored[c] for c in CANDIDATES) in rankings
    assert viewed == stored
