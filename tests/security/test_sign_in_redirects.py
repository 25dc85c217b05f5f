"""Sign-in cannot be turned into an open redirect, and a forged OAuth callback gets a page, not a crash."""

import html
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from elections.models import ExceptionRequest
from tests.security.conftest import KEY

OFF_SITE = [
    "https://evil.example/phish",
    "//evil.example/phish",
    "/\\evil.example/phish",
    "\\\\evil.example/phish",
    "https:evil.example",
    "http://127.0.0.1.evil.example/",
    "javascript:alert(1)",
    " https://evil.example/",
    "https://testserver@evil.example/",
]


def is_same_site(location):
    return location.startswith("/") and not location.startswith(("//", "/\\"))


@pytest.fixture
def dev_login(settings):
    settings.DEBUG = True
    settings.ELEKTO_DEV_LOGIN = True


@pytest.mark.django_db
@pytest.mark.parametrize("target", OFF_SITE)
def test_the_development_login_never_redirects_off_site(client, dev_login, target):
    response = client.post(reverse("accounts:dev_login"), {"username": "alice", "next": target})
    assert response.status_code == 302
    assert is_same_site(response["Location"]), response["Location"]


@pytest.mark.django_db
def test_the_development_login_follows_a_same_site_next(client, dev_login):
    response = client.post(reverse("accounts:dev_login"), {"username": "alice", "next": f"/app/elections/{KEY}"})
    assert response["Location"] == f"/app/elections/{KEY}"


@pytest.mark.django_db
@pytest.mark.parametrize("target", OFF_SITE)
def test_the_sign_in_page_never_passes_an_off_site_next_along(client, dev_login, target):
    page = client.get(reverse("accounts:login"), {"next": target}).content.decode()
    hidden_nexts = re.findall(r'name="next" value="([^"]*)"', page)
    github_links = re.findall(r'href="(/oauth/login/github/[^"]*)"', page)
    nexts = [html.unescape(value) for value in hidden_nexts] + [
        parse_qs(urlparse(html.unescape(link)).query).get("next", ["/"])[0] for link in github_links
    ]
    assert nexts, "the sign-in page carries no next target"
    assert all(is_same_site(value) for value in nexts), nexts


@pytest.mark.django_db
@pytest.mark.parametrize("target", OFF_SITE)
def test_github_sign_in_never_keeps_an_off_site_next(client, settings, target):
    settings.SOCIAL_AUTH_GITHUB_KEY = "client-id"
    settings.SOCIAL_AUTH_GITHUB_SECRET = "client-secret"
    # social-auth starts the OAuth dance on a POST only (a CSRF-protected form).
    response = client.post(reverse("social:begin", args=["github"]), {"next": target})
    assert response.status_code == 302
    assert response["Location"].startswith("https://github.com/login/oauth/authorize")
    # After GitHub, social-auth sends the user to the ``next`` it kept in the session.
    assert is_same_site(client.session.get("next", "/")), client.session.get("next")


@pytest.mark.django_db
def test_github_sign_in_keeps_a_same_site_next(client, settings):
    settings.SOCIAL_AUTH_GITHUB_KEY = "client-id"
    settings.SOCIAL_AUTH_GITHUB_SECRET = "client-secret"
    client.post(reverse("social:begin", args=["github"]), {"next": f"/app/elections/{KEY}"})
    assert client.session["next"] == f"/app/elections/{KEY}"


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{}, {"code": "stolen-code", "state": "forged-state"}, {"error": "access_denied"}])
def test_a_forged_or_failed_github_callback_gets_a_clear_answer_not_a_server_error(client, settings, query):
    settings.SOCIAL_AUTH_GITHUB_KEY = "client-id"
    settings.SOCIAL_AUTH_GITHUB_SECRET = "client-secret"
    client.raise_request_exception = False
    response = client.get(reverse("social:complete", args=["github"]), query)
    assert response.status_code < 500
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.django_db
@pytest.mark.parametrize("target", OFF_SITE)
def test_the_exception_review_form_never_redirects_off_site(client_for, election, olivia, mallory, target):
    row = ExceptionRequest.objects.create(election=election, requester=mallory, name="M", email="m@example.org",
                                          contributions="Things.")
    response = client_for(olivia).post(
        reverse("officers:review_exception", args=[KEY, row.pk]), {"decision": "deny", "next": target}
    )
    assert response.status_code == 302
    assert is_same_site(response["Location"]), response["Location"]
