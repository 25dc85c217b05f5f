"""Signing in (GitHub, mocked at its HTTP edge; and the development login) and a voter's whole journey."""

import re
from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model
from social_django.models import UserSocialAuth

from elections.models import SealedBallot, VoteRecord
from tests.conftest import box_open_now

GITHUB = "social_core.backends.github.GithubOAuth2"


@pytest.fixture
def github(settings):
    settings.SOCIAL_AUTH_GITHUB_KEY = "client-id"
    settings.SOCIAL_AUTH_GITHUB_SECRET = "client-secret"
    settings.SOCIAL_AUTH_REDIRECT_IS_HTTPS = False
    token = {"access_token": "gho_secret_token", "token_type": "bearer", "scope": ""}

    def sign_in(client, login, *, next_url="/app", github_id=4242):
        # social-auth starts the flow by POST only (a cross-site GET cannot sign anyone in).
        start = client.post("/oauth/login/github/", {"next": next_url})
        assert start.status_code == 302 and start["Location"].startswith("https://github.com/login/oauth/authorize")
        state = parse_qs(urlparse(start["Location"]).query)["state"][0]
        profile = {"login": login, "id": github_id, "name": "Vera", "email": "vera@example.org"}
        with mock.patch(f"{GITHUB}.request_access_token", return_value=token), \
             mock.patch(f"{GITHUB}.user_data", return_value=profile):
            return client.get("/oauth/complete/github/", {"code": "the-code", "state": state})

    return sign_in


def test_github_sign_in_uses_the_lower_cased_login_and_keeps_no_token(client, github, db):
    response = github(client, "Vera-Voter")
    assert response.status_code == 302 and response["Location"] == "/app"
    user = get_user_model().objects.get()
    assert user.username == "vera-voter"
    social = UserSocialAuth.objects.get(user=user)
    assert "access_token" not in social.extra_data
    assert "gho_secret_token" not in str(social.extra_data)
    assert client.get("/app").status_code == 200


def test_github_sign_in_with_another_case_is_the_same_person(client, github, db, voter):
    github(client, "VERA-VOTER", github_id=4242)
    client.post("/logout")
    github(client, "vera-Voter", github_id=4242)
    assert list(get_user_model().objects.values_list("username", flat=True)) == [voter.username]


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/phish", "javascript:alert(1)"])
def test_github_sign_in_never_redirects_off_site(client, github, db, target):
    response = github(client, "vera-voter", next_url=target)
    assert response.status_code == 302
    assert "evil.example" not in response["Location"] and "javascript" not in response["Location"]


def test_github_sign_in_returns_to_the_page_the_voter_came_from(client, github, running):
    response = github(client, "vera-voter", next_url=f"/app/elections/{running.key}")
    assert response["Location"] == f"/app/elections/{running.key}"


def test_logout_by_get_asks_for_confirmation_and_only_post_signs_out(voter_client):
    page = voter_client.get("/logout")
    assert page.status_code == 200
    main = page.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert main.count("<button") == 1 and 'method="post" action="/logout"' in main
    assert 'Sign out <span class="login">vera-voter</span></button>' in main
    assert voter_client.get("/app").status_code == 200  # still signed in after the GET
    assert voter_client.post("/logout").status_code == 302
    assert voter_client.get("/app").status_code == 302


def hidden_inputs(html):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def test_a_voter_signs_in_ranks_reviews_casts_views_revokes_and_votes_again(client, settings, running):
    settings.DEBUG = True
    settings.ELEKTO_DEV_LOGIN = True
    detail_url = f"/app/elections/{running.key}"

    # Sign in, and land back on the election.
    assert "Development login" in client.get("/login", {"next": detail_url}).content.decode()
    response = client.post("/login/dev", {"username": "Vera-Voter", "next": detail_url})
    assert response.status_code == 302 and response["Location"] == detail_url
    detail = client.get(detail_url).content.decode()
    assert '<span class="badge eligible">Eligible</span>' in detail

    # Rank: the form names one select per candidate.
    form = client.get(f"{detail_url}/vote").content.decode()
    names = re.findall(r'<select name="(rank-[^"]+)"', form)
    assert sorted(names) == ["rank-alice", "rank-bob", "rank-carol"]
    ranks = {"rank-alice": "2", "rank-bob": "1", "rank-carol": ""}

    # Review: the ballot as it will be counted; the ranks ride along in hidden fields.
    review = client.post(f"{detail_url}/vote", {**ranks, "step": "review"}, follow=True)
    assert review.redirect_chain == [(f"{detail_url}/vote/review", 303)]
    html = review.content.decode()
    assert re.search(r"1st:</span> Bob</li>.*2nd:</span> Alice</li>", html, re.S)
    assert "Not ranked, counts last:</span> Carol" in html
    assert SealedBallot.objects.count() == 0
    passphrase = re.search(r'<code id="suggested-passphrase"[^>]*>([^<]+)</code>', html).group(1)
    fields = hidden_inputs(html)
    fields.pop("csrfmiddlewaretoken")

    # Cast with the suggested passphrase, and see the receipt.
    cast = client.post(f"{detail_url}/vote",
                       {**fields, "step": "cast", "passphrase": passphrase, "passphrase_again": passphrase},
                       follow=True)
    assert cast.redirect_chain == [(f"{detail_url}/vote/receipt", 303)]
    receipt = re.search(r'<code id="receipt" class="receipt">([^<]+)</code>', cast.content.decode()).group(1)
    assert SealedBallot.objects.count() == 1
    assert "✓ Voted" in client.get(detail_url).content.decode()

    # View with the passphrase.
    view = client.post(f"{detail_url}/confirmation", {"action": "view", "passphrase": passphrase})
    assert receipt in view.content.decode() and "1st:</span> Bob" in view.content.decode()
    assert "2nd:</span> Alice" in view.content.decode()

    # Revoke, then vote again with a passphrase of one's own.
    revoke = client.post(f"{detail_url}/confirmation", {"action": "revoke", "passphrase": passphrase}, follow=True)
    assert "Your ballot was revoked" in revoke.content.decode()
    assert SealedBallot.objects.count() == 0 and VoteRecord.objects.count() == 0
    mine = "my own long passphrase"
    again = client.post(f"{detail_url}/vote", {"rank-alice": "1", "rank-bob": "1", "rank-carol": "2", "step": "cast",
                                               "mode": "cast", "passphrase": mine, "passphrase_again": mine})
    assert again.status_code == 303
    assert [b.ranks for b in box_open_now(running)] == [{"alice": 1, "bob": 1, "carol": 2}]


def test_a_cancelled_github_sign_in_returns_to_the_sign_in_page_with_a_message(client, github, db):
    response = client.get("/oauth/complete/github/", {"error": "access_denied"}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/login")
    assert response.status_code == 200
    assert "canceled" in response.content.decode().lower()
    assert not response.wsgi_request.user.is_authenticated
