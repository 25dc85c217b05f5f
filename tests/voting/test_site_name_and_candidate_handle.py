"""Elekto parity: the candidate page names and links the candidate's GitHub login; APP_NAME names the site."""

from elections.models import Candidate


def test_the_candidate_page_shows_and_links_the_candidates_github_login(voter_client, running):
    html = voter_client.get(f"/app/elections/{running.key}/candidates/alice").content.decode()
    assert 'GitHub: <a href="https://github.com/alice" rel="noopener noreferrer">@alice</a>' in html


def test_an_id_that_cannot_be_a_github_login_is_shown_but_not_linked(voter_client, running):
    Candidate.objects.create(election=running, candidate_id="not_a-login-", name="Odd")
    html = voter_client.get(f"/app/elections/{running.key}/candidates/not_a-login-").content.decode()
    assert "ID: not_a-login-" in html
    assert "github.com/not_a-login-" not in html


def test_app_name_names_the_site_in_titles_the_header_and_the_officers_admin(
        settings, client, voter_client, running, officer):
    settings.APP_NAME = "CNCF Elections"
    html = voter_client.get(f"/app/elections/{running.key}/candidates/alice").content.decode()
    assert "<title>Alice · Steering 2026 · CNCF Elections</title>" in html
    assert '<a class="brand" href="/">CNCF Elections</a>' in html
    assert "Elekto" not in html
    client.force_login(officer)
    admin = client.get("/admin/").content.decode()
    assert "CNCF Elections election officers" in admin and "| CNCF Elections officers" in admin


def test_the_site_is_called_elekto_by_default(client, db):
    html = client.get("/").content.decode()
    assert '<a class="brand" href="/">Elekto</a>' in html and "· Elekto</title>" in html


def test_the_expired_form_page_carries_the_site_name_too(settings, db):
    from django.test import Client

    settings.APP_NAME = "CNCF Elections"
    response = Client(enforce_csrf_checks=True).post("/login")
    assert response.status_code == 403
    assert "· CNCF Elections</title>" in response.content.decode()
