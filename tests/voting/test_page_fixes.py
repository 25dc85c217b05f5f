"""What voters trip over: revoking next to viewing, the voting window's tense, titles, error pages, the icon."""

import re

import pytest
from django.contrib.staticfiles import finders

from elections.models import SealedBallot
from tests.voting.conftest import PASSPHRASE, cast_data, vote_data

pytestmark = pytest.mark.django_db


def text_of(response):
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def buttons(response):
    return re.findall(r'<button type="submit" name="action" value="(\w+)"', response.content.decode())


@pytest.fixture
def voted(voter_client, running):
    assert voter_client.post(f"/app/elections/{running.key}/vote",
                             cast_data({"alice": 1, "bob": 2, "carol": None})).status_code == 303
    return running


def test_the_ballot_page_offers_viewing_only_and_revoking_on_a_page_of_its_own(voter_client, voted):
    page = voter_client.get(f"/app/elections/{voted.key}/confirmation")
    assert buttons(page) == ["view"]
    assert f'href="/app/elections/{voted.key}/confirmation?revoke"' in page.content.decode()
    revoke_page = voter_client.get(f"/app/elections/{voted.key}/confirmation?revoke")
    assert buttons(revoke_page) == ["revoke"]
    assert "Revoking deletes your ballot:" in text_of(revoke_page)
    assert "Keep my ballot" in text_of(revoke_page)


def test_a_wrong_passphrase_on_the_revoke_page_keeps_the_voter_on_that_page(voter_client, voted):
    response = voter_client.post(f"/app/elections/{voted.key}/confirmation",
                                 {"action": "revoke", "passphrase": "not the passphrase at all"})
    assert response.status_code in (400, 403)
    assert buttons(response) == ["revoke"]
    assert SealedBallot.objects.count() == 1


def test_a_replaced_ballots_receipt_is_titled_as_replaced(voter_client, voted):
    ranks = {"alice": None, "bob": 1, "carol": 2}
    response = voter_client.post(f"/app/elections/{voted.key}/vote",
                                 vote_data(ranks, step="cast", mode="change", passphrase=PASSPHRASE), follow=True)
    assert response.redirect_chain == [(f"/app/elections/{voted.key}/vote/receipt", 303)]
    html = response.content.decode()
    assert "<title>Ballot replaced ·" in html and "Your ballot was replaced" in html
    assert "Ballot cast" not in html


def test_a_completed_election_says_voting_opened_and_closed(voter_client, completed, running, upcoming):
    assert "Voting opened" in text_of(voter_client.get(f"/elections/{completed.key}"))
    assert "Voting closed" in text_of(voter_client.get(f"/elections/{completed.key}"))
    assert "Voting opens" not in text_of(voter_client.get(f"/app/elections/{completed.key}"))
    assert "Voting closes" not in text_of(voter_client.get(f"/app/elections/{completed.key}"))
    running_text = text_of(voter_client.get(f"/app/elections/{running.key}"))
    assert "Voting opened" in running_text and "Voting closes" in running_text
    upcoming_text = text_of(voter_client.get(f"/app/elections/{upcoming.key}"))
    assert "Voting opens" in upcoming_text and "Voting closes" in upcoming_text


def test_the_not_allowed_page_does_not_talk_about_expired_forms(outsider_client, running):
    response = outsider_client.get(f"/app/elections/{running.key}/admin/")
    assert response.status_code == 403
    assert "expire" not in text_of(response)


def test_the_browsers_favicon_request_finds_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    found = finders.find("favicon.svg")
    assert found and "<svg" in open(found, encoding="utf-8").read()
    assert 'rel="icon"' in client.get("/").content.decode()


def test_each_election_appears_once_on_the_dashboard(voter_client, running):
    html = voter_client.get("/app").content.decode()
    assert html.count(f'href="/app/elections/{running.key}"') == 1


def test_a_voter_told_they_already_voted_is_one_link_from_changing_that_ballot(voter_client, voted):
    again = voter_client.post(f"/app/elections/{voted.key}/vote", cast_data({"alice": 2, "bob": 1, "carol": 3}))
    html = again.content.decode()
    assert "You have already voted" in html
    assert f'<a href="/app/elections/{voted.key}/vote">Change my ballot</a>' in html
    assert f'<a href="/app/elections/{voted.key}/confirmation">View or revoke my ballot</a>' in html
    assert SealedBallot.objects.count() == 1


def test_the_ballot_page_says_the_time_of_voting_is_kept_to_the_hour_on_purpose(voter_client, voted):
    page = text_of(voter_client.get(f"/app/elections/{voted.key}/confirmation"))
    assert "kept to the hour only, on purpose" in page


def test_a_ballot_posted_after_the_session_ended_says_so_instead_of_dropping_it_silently(client, running):
    for step in ("review", "cast"):
        data = cast_data({"alice": 1, "bob": 2, "carol": None}) if step == "cast" else vote_data({"alice": 1})
        response = client.post(f"/app/elections/{running.key}/vote", data)
        assert response.status_code == 403
        page = text_of(response)
        assert "Your session ended" in page and "nothing was cast or changed" in page
        assert f'href="/login?next=%2Fapp%2Felections%2F{running.key}%2Fvote"' in response.content.decode()
    assert SealedBallot.objects.count() == 0
    # A GET still goes to the sign-in page.
    assert client.get(f"/app/elections/{running.key}/vote")["Location"] == (
        f"/login?next=/app/elections/{running.key}/vote")
