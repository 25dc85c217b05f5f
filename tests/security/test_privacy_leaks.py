"""Where a ballot's secrets could leak besides the database: logs, caches, headers, the admin."""

import logging

import pytest
from django.urls import NoReverseMatch, reverse

from tests.security.conftest import KEY, PASSPHRASE, vote_form

RANKS = {"amara": 1, "bjorn": 2, "chen": 3, "dolores": 4}


@pytest.fixture
def cast_and_view(client_for, election, alice):
    client = client_for(alice)
    review = client.post(reverse("elections:vote", args=[KEY]), vote_form(RANKS), follow=True)
    assert review.redirect_chain == [(reverse("elections:vote_review", args=[KEY]), 303)]
    cast = client.post(reverse("elections:vote", args=[KEY]), vote_form(RANKS, step="cast"), follow=True)
    assert cast.redirect_chain == [(reverse("elections:vote_receipt", args=[KEY]), 303)]
    view = client.post(reverse("elections:confirmation", args=[KEY]), {"action": "view", "passphrase": PASSPHRASE})
    assert view.status_code == 200
    return review, cast, view


@pytest.mark.django_db
def test_no_log_line_holds_a_passphrase_a_receipt_or_a_ranking(client_for, election, alice, caplog):
    with caplog.at_level(logging.DEBUG):
        client = client_for(alice)
        client.post(reverse("elections:vote", args=[KEY]), vote_form(RANKS), follow=True)
        cookies = [client.cookies["ballot_review"].value]
        cast = client.post(reverse("elections:vote", args=[KEY]), vote_form(RANKS, step="cast"), follow=True)
        cookies.append(client.cookies["ballot_receipt"].value)
        client.post(reverse("elections:confirmation", args=[KEY]), {"action": "view", "passphrase": PASSPHRASE})
        client.post(reverse("elections:confirmation", args=[KEY]), {"action": "view", "passphrase": "wrong guess!!"})
    receipt = cast.context["receipt"]
    logged = "\n".join(record.getMessage() + str(record.__dict__) for record in caplog.records)
    assert caplog.records, "the requests were not logged at all: this test would prove nothing"
    for secret in (PASSPHRASE, "wrong guess!!", receipt, "rank-amara", '"amara": 1', *cookies):
        assert secret not in logged, f"{secret!r} appears in the logs"


@pytest.mark.django_db
def test_pages_showing_a_receipt_or_a_ballot_are_never_cached(cast_and_view):
    for response in cast_and_view:
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, cache_control


@pytest.mark.django_db
def test_every_page_forbids_framing_sniffing_and_foreign_scripts(client_for, alice, election, cast_and_view):
    client = client_for(alice)
    responses = [client.get(reverse("elections:detail", args=[KEY])), client.get(reverse("elections:public_list")),
                 *cast_and_view]
    for response in responses:
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")


@pytest.mark.django_db
def test_the_session_cookie_is_out_of_reach_of_scripts_and_other_sites(client_for, alice, settings):
    settings.DEBUG = True
    settings.ELEKTO_DEV_LOGIN = True
    client = client_for()
    client.post(reverse("accounts:dev_login"), {"username": "alice"})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] in ("Lax", "Strict")


@pytest.mark.parametrize("name", ["ballot", "voterecord"])
def test_no_admin_page_exists_for_ballots_or_who_voted_with_what(name):
    for view in ("changelist", "change", "add"):
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:elections_{name}_{view}", args=[1] if view == "change" else [])


@pytest.mark.django_db
def test_signing_out_ends_the_session_for_good(client_for, alice, election):
    client = client_for(alice)
    assert client.get(reverse("elections:vote", args=[KEY])).status_code == 200
    client.post(reverse("accounts:logout"))
    response = client.get(reverse("elections:vote", args=[KEY]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
