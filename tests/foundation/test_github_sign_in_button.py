"""The sign-in page's GitHub button starts the OAuth flow (social-auth accepts only POST there)."""

import re
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.django_db


def test_the_github_button_posts_to_the_oauth_start_and_is_sent_to_github(client, settings):
    settings.SOCIAL_AUTH_GITHUB_KEY = "client-id-123"
    settings.SOCIAL_AUTH_GITHUB_SECRET = "client-secret"
    page = client.get("/login?next=/app/elections").content.decode()
    form = re.search(r'<form method="post" action="(/oauth/login/github/)">(.*?)</form>', page, re.S)
    assert form, "the GitHub button is a POST form"
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert 'name="next" value="/app/elections"' in form.group(2)

    response = client.post(form.group(1), {"next": "/app/elections"})
    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "github.com", "/login/oauth/authorize")
    assert parse_qs(target.query)["client_id"] == ["client-id-123"]


def test_without_an_oauth_app_the_sign_in_page_offers_no_github_button_and_says_why(client, settings):
    settings.SOCIAL_AUTH_GITHUB_KEY = ""
    settings.SOCIAL_AUTH_GITHUB_SECRET = ""
    settings.DEBUG = True
    settings.ELEKTO_DEV_LOGIN = True
    page = client.get("/login").content.decode()
    assert "Sign in with GitHub" not in page
    assert "/oauth/login/github/" not in page
    assert "not set up on this site" in page
    # The demo's development login is still there.
    assert 'action="/login/dev"' in page
