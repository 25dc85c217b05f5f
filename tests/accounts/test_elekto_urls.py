"""A community moving from Elekto keeps its GitHub OAuth app and its links: Elekto's paths still lead somewhere."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from tests.browser.builders import build_election, user

pytestmark = pytest.mark.django_db

KEY = "steering---2026"


def test_sign_in_completes_at_elektos_callback_path_when_the_oauth_app_names_it(github, settings):
    settings.GITHUB_REDIRECT = "/oauth/github/callback"
    client = Client()
    start = client.post("/oauth/login/github/", {"next": "/app"})
    # GitHub is told to come back to Elekto's callback, which the OAuth app has registered.
    assert parse_qs(urlparse(start["Location"]).query)["redirect_uri"] == ["http://testserver/oauth/github/callback"]

    response = github(client, "Olivia", 9001)

    assert response.status_code == 302 and response["Location"] == "/app"
    assert client.get("/app").wsgi_request.user.username == "olivia"
    # The token request names the same redirect_uri, as GitHub requires.
    assert github.fake.token_requests[-1]["redirect_uri"] == "http://testserver/oauth/github/callback"


def test_by_default_github_comes_back_to_this_sites_own_callback(github):
    client = Client()
    start = client.post("/oauth/login/github/", {"next": "/app"})
    assert parse_qs(urlparse(start["Location"]).query)["redirect_uri"] == ["http://testserver/oauth/complete/github/"]
    assert github(client, "olivia", 9001)["Location"] == "/app"


def test_an_unsupported_callback_path_is_refused_at_start_up(tmp_path):
    from tests.foundation.test_settings import production_env, run_manage

    result = run_manage(tmp_path, "check", **production_env(GITHUB_REDIRECT="/auth/callback"))
    assert result.returncode != 0
    assert "elekto.E000" in result.stderr and "GITHUB_REDIRECT" in result.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (f"/app/elections/{KEY}/vote/view", f"/app/elections/{KEY}/confirmation"),
        (f"/app/elections/{KEY}/vote/edit", f"/app/elections/{KEY}/vote"),
        (f"/app/elections/{KEY}/results/", f"/app/elections/{KEY}/results"),
        (f"/app/elections/{KEY}/admin/exception/3", f"/app/elections/{KEY}/admin/"),
        (f"/app/elections/{KEY}/admin/download", f"/app/elections/{KEY}/admin/export/ballots.csv"),
        ("/oauth/github/login", "/login"),
    ],
)
def test_elektos_paths_redirect_to_their_pages_here(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    # A form posted to Elekto's path becomes a plain visit of the new page.
    posted = client.post(old, {"password": "not-used"})
    assert posted.status_code in (301, 303) and posted["Location"] == new


def test_a_voter_following_elektos_links_reaches_the_pages(voter_client_for):
    build_election(KEY, voters=("vera",))
    client = voter_client_for("vera")
    assert client.get(f"/app/elections/{KEY}/vote/edit", follow=True).status_code == 200
    for path in (f"/app/elections/{KEY}", f"/app/elections/{KEY}/candidates/amara", "/app", "/app/elections",
                 "/elections", f"/elections/{KEY}", "/login"):
        assert client.get(path).status_code == 200, path


def test_elektos_admin_paths_lead_an_officer_to_the_officer_pages(voter_client_for):
    build_election(KEY, officers=("olivia",))
    client = voter_client_for("olivia")
    assert client.get(f"/app/elections/{KEY}/admin/").status_code == 200
    assert client.get(f"/app/elections/{KEY}/admin/exception/1", follow=True).status_code == 200


@pytest.fixture
def voter_client_for():
    def make(login):
        client = Client()
        client.force_login(user(login), backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make
