"""GitHub, faked at its HTTP edge only: the real social-auth pipeline signs people in through the site's views."""

import json
from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
import requests

ACCESS_TOKEN_URL = "https://github.com/login/oauth/access_token"
USER_URL = "https://api.github.com/user"


class FakeGitHub:
    """Answers social-auth's HTTP requests as GitHub does: a token for the code, then the account's profile."""

    def __init__(self):
        self.profile = None
        self.token_requests = []

    def __call__(self, method, url, **kwargs):
        if url == ACCESS_TOKEN_URL:
            self.token_requests.append(kwargs.get("data") or {})
            body = {"access_token": "gho_not_kept", "token_type": "bearer", "scope": ""}
        elif url == USER_URL:
            body = self.profile
        elif url == f"{USER_URL}/emails":
            body = []
        else:
            raise AssertionError(f"unexpected request to {url}")
        response = requests.Response()
        response.status_code = 200
        response.headers["Content-Type"] = "application/json"
        response._content = json.dumps(body).encode()
        response.url = url
        return response


@pytest.fixture
def github(settings):
    """``github(client, login, github_id)`` signs ``client`` in as that GitHub account, as GitHub reports it."""
    settings.SOCIAL_AUTH_GITHUB_KEY = "client-id"
    settings.SOCIAL_AUTH_GITHUB_SECRET = "client-secret"
    settings.SOCIAL_AUTH_REDIRECT_IS_HTTPS = False
    fake = FakeGitHub()

    def sign_in(client, login, github_id, *, callback=None, name="A Person"):
        start = client.post("/oauth/login/github/", {"next": "/app"})
        assert start.status_code == 302, start.status_code
        authorize = urlparse(start["Location"])
        assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == "https://github.com/login/oauth/authorize"
        query = parse_qs(authorize.query)
        # GitHub sends the browser back to the redirect_uri it was given.
        callback = callback or urlparse(query["redirect_uri"][0]).path
        fake.profile = {"login": login, "id": github_id, "name": name, "email": None}
        with mock.patch("social_core.backends.base.requests.request", side_effect=fake):
            return client.get(callback, {"code": "the-code", "state": query["state"][0]})

    sign_in.fake = fake
    return sign_in
