"""The review and the receipt are pages of their own, reached by a 303 after the form's POST; what they show travels
in short-lived encrypted cookies that only the browser holds, never in the database, the session or the cache."""

import base64
import io
import json
import re
import sys
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.test import Client
from django.views.debug import ExceptionReporter

from elections.models import Candidate, SealedBallot, VoteRecord
from elections.voting import ballot_cookies
from tests.voting.conftest import PASSPHRASE, cast_data, make_election, vote_data

GOOD = {"alice": 1, "bob": 2, "carol": None}
REVIEW, RECEIPT = ballot_cookies.REVIEW, ballot_cookies.RECEIPT


def vote_url(election, page=""):
    return f"/app/elections/{election.key}/vote" + (f"/{page}" if page else "")


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def suggestion_of(response):
    return re.search(r'id="suggested-passphrase"[^>]*>([^<]+)<', response.content.decode()).group(1)


def test_posting_the_ranks_redirects_to_a_review_page_that_reads_them_from_the_cookie(voter_client, running):
    posted = voter_client.post(vote_url(running), vote_data(GOOD))
    assert posted.status_code == 303 and posted["Location"] == vote_url(running, "review")
    assert posted.content == b""
    review = voter_client.get(posted["Location"])
    assert review.status_code == 200
    assert review.context["ranked"] == [("1st", ["Alice"]), ("2nd", ["Bob"])]
    assert review.context["no_opinion"] == ["Carol"]
    html = review.content.decode()
    # The cast still posts the ranks in the form itself.
    assert '<input type="hidden" name="rank-alice" value="1">' in html
    assert '<input type="hidden" name="rank-carol" value="no-opinion">' in html
    # Reloading shows the same ranking and the same suggested passphrase: the voter may have copied it.
    again = voter_client.get(posted["Location"])
    assert again.context["ranked"] == review.context["ranked"]
    assert suggestion_of(again) == suggestion_of(review)
    assert SealedBallot.objects.count() == 0 and VoteRecord.objects.count() == 0


def test_the_cookie_shows_nothing_of_the_ballot_in_clear(voter_client, running):
    voter_client.post(vote_url(running), vote_data({"alice": 3, "bob": 1, "carol": 2}))
    value = voter_client.cookies[REVIEW].value
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    for clear in (b"alice", b"bob", b"carol", running.key.encode()):
        assert clear not in raw
    # Its length depends on the candidates only, not on the ranks.
    voter_client.post(vote_url(running), vote_data({"alice": 1, "bob": None, "carol": ""}))
    assert len(voter_client.cookies[REVIEW].value) == len(value)


def test_a_hundred_candidates_with_long_ids_fit_far_under_four_kilobytes(client, user_factory, now):
    ids = [f"candidate-with-a-rather-long-github-login-{n:03d}" for n in range(100)]
    election = make_election("big---2026", start=now - timedelta(days=1), end=now + timedelta(days=1),
                             voters=["big-voter"], candidates=ids)
    client.force_login(user_factory("big-voter"))
    ranks = {candidate_id: 1 + n % 100 for n, candidate_id in enumerate(ids)}
    review = client.post(vote_url(election), vote_data(ranks), follow=True)
    assert review.status_code == 200 and len(review.context["ranked"]) == 100
    assert len(client.cookies[REVIEW].value) < 1024
    receipt = client.post(vote_url(election), cast_data(ranks), follow=True)
    assert receipt.status_code == 200 and receipt.context["receipt"]
    assert len(client.cookies[RECEIPT].value) < 1024


def test_the_cookies_reach_only_the_elections_vote_pages_and_no_script(voter_client, running):
    posted = voter_client.post(vote_url(running), vote_data(GOOD))
    cookie = posted.cookies[REVIEW]
    assert cookie["path"] == vote_url(running)
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 30 * 60
    assert not cookie["secure"]
    cast = voter_client.post(vote_url(running), cast_data(GOOD))
    receipt = cast.cookies[RECEIPT]
    assert (receipt["path"], receipt["httponly"], receipt["samesite"]) == (vote_url(running), True, "Lax")
    assert receipt["max-age"] == 10 * 60
    # Casting deletes the ranks under review.
    assert cast.cookies[REVIEW].value == "" and cast.cookies[REVIEW]["max-age"] == 0
    assert cast.cookies[REVIEW]["path"] == vote_url(running)


def path_matches(request_path, cookie_path):
    """RFC 6265, 5.1.4: whether a browser sends a cookie of ``cookie_path`` with a request for ``request_path``."""
    return request_path == cookie_path or request_path.startswith(cookie_path) and (
        cookie_path.endswith("/") or request_path[len(cookie_path)] == "/")


def test_a_key_with_a_semicolon_still_gets_its_cookies_back_on_its_vote_pages(client, user_factory, now):
    election = make_election("sig;chairs---2026", start=now - timedelta(days=1), end=now + timedelta(days=1),
                             voters=["semi-voter"])
    client.force_login(user_factory("semi-voter"))
    ballot = client.get(vote_url(election))
    assert ballot.status_code == 200
    posted = client.post(vote_url(election), vote_data(GOOD))
    assert posted.status_code == 303
    cookie = posted.cookies[REVIEW]
    # The header holds no attribute the key could have made up, and the browser sends the cookie back to the
    # vote pages as it asks for them (with the ";" as it is).
    assert ";" not in cookie["path"]
    for page in ("", "review", "receipt"):
        assert path_matches(vote_url(election, page), cookie["path"])
    assert client.get(posted["Location"]).context["ranked"] == [("1st", ["Alice"]), ("2nd", ["Bob"])]
    cast = client.post(vote_url(election), cast_data(GOOD))
    assert path_matches(vote_url(election, "receipt"), cast.cookies[RECEIPT]["path"])
    assert client.get(cast["Location"]).context["receipt"]


@pytest.mark.parametrize("how", ["https request", "secure session cookie"])
def test_the_cookies_are_https_only_when_the_request_or_the_session_cookie_is(voter_client, running, settings, how):
    secure = how == "https request"
    settings.SESSION_COOKIE_SECURE = not secure
    posted = voter_client.post(vote_url(running), vote_data(GOOD), secure=secure)
    assert posted.cookies[REVIEW]["secure"] is True
    cast = voter_client.post(vote_url(running), cast_data(GOOD), secure=secure)
    assert cast.cookies[RECEIPT]["secure"] is True


def test_the_receipt_page_shows_the_ranking_cast_once_and_the_receipt_alone_on_reload(voter_client, running):
    cast = voter_client.post(vote_url(running), cast_data(GOOD))
    assert cast.status_code == 303 and cast["Location"] == vote_url(running, "receipt")
    first = voter_client.get(cast["Location"])
    again = voter_client.get(cast["Location"])
    assert first.status_code == again.status_code == 200
    assert first.context["receipt"] and again.context["receipt"] == first.context["receipt"]
    assert first.context["ranked"] == [("1st", ["Alice"]), ("2nd", ["Bob"])]
    assert "Your ballot was cast" in first.content.decode()
    assert 'no-store' in first["Cache-Control"]
    # Reload, Back or another tab: the receipt and how to check it, never the ballot again.
    assert "ranked" not in again.context and "no_opinion" not in again.context
    html = again.content.decode()
    assert "Alice" not in html and "Bob" not in html
    assert "anonymised list of ballots shows each ballot with its receipt" in " ".join(html.split())
    assert "shown once, right after you voted" in html


def test_the_receipt_cookie_rewritten_after_showing_the_ranking_ends_when_the_first_one_would(
    voter_client, voter, running
):
    voter_client.cookies[RECEIPT] = ballot_cookies.receipt_seal(
        voter=voter, election=running, receipt="ABCD-EFGH-JKLM", ranks=GOOD, changing=False,
        issued_at=time.time() - 9 * 60)
    VoteRecord.objects.create(election=running, voter=voter, sealed_link=b"x")
    shown = voter_client.get(vote_url(running, "receipt"))
    assert shown.context["ranked"]
    rewritten = ballot_cookies.receipt_open(shown.cookies[RECEIPT].value, voter=voter, election=running,
                                            candidate_ids=list(GOOD))
    assert (rewritten.receipt, rewritten.ranks) == ("ABCD-EFGH-JKLM", None)
    assert time.time() - rewritten.issued_at >= 9 * 60


def test_signing_out_clears_the_sites_cookies_and_keeps_the_language_chosen(voter_client, running):
    voter_client.post(vote_url(running), vote_data(GOOD))
    voter_client.cookies["django_language"] = "de"
    response = voter_client.post("/logout")
    assert response["Clear-Site-Data"] == '"cookies"'
    assert response.status_code == 302 and response["Location"] == "/signed-out?language=de"
    landing = voter_client.get(response["Location"])
    assert landing["Location"] == "/elections" and landing.cookies["django_language"].value == "de"
    assert "Clear-Site-Data" not in landing


def test_signing_out_with_no_language_chosen_lands_on_the_elections(voter_client, running):
    response = voter_client.post("/logout")
    assert response["Clear-Site-Data"] == '"cookies"' and response["Location"] == "/elections"
    # Only a language of the site is set again.
    assert "django_language" not in voter_client.get("/signed-out?language=xx").cookies


def test_a_replaced_ballots_receipt_says_so(voter_client, running):
    voter_client.post(vote_url(running), cast_data(GOOD))
    change = vote_data({"alice": 2, "bob": 1, "carol": 3}, step="cast", mode="change", passphrase=PASSPHRASE)
    page = voter_client.post(vote_url(running), change, follow=True)
    assert page.context["changing"] is True
    assert "Your ballot was replaced" in page.content.decode()


def test_without_its_cookie_the_receipt_page_says_where_the_receipt_is_found_again(voter_client, running):
    voter_client.post(vote_url(running), cast_data(GOOD))
    voter_client.cookies.pop(RECEIPT)
    page = voter_client.get(vote_url(running, "receipt"))
    assert page.status_code == 200 and page.context["receipt"] is None
    html = page.content.decode()
    assert "shown here only for a few minutes" in html
    assert f'href="/app/elections/{running.key}/confirmation"' in html


def test_the_receipt_page_of_a_voter_who_has_not_voted_leads_to_the_ballot(voter_client, running):
    response = voter_client.get(vote_url(running, "receipt"))
    assert response.status_code == 302 and response["Location"] == vote_url(running)


def test_back_to_the_review_after_casting_shows_the_receipt_and_casts_nothing_more(voter_client, running):
    voter_client.post(vote_url(running), vote_data(GOOD))
    receipt = voter_client.post(vote_url(running), cast_data(GOOD), follow=True).context["receipt"]
    back = voter_client.get(vote_url(running, "review"), follow=True)
    assert back.redirect_chain == [(vote_url(running, "receipt"), 302)]
    assert back.context["receipt"] == receipt
    assert SealedBallot.objects.count() == 1


def test_the_edit_button_and_back_from_the_review_keep_the_ranking_on_the_ballot(voter_client, running):
    voter_client.post(vote_url(running), vote_data({"alice": 2, "bob": 1, "carol": None}))
    form = voter_client.get(vote_url(running)).context["form"]
    assert {name: form[name].value() for name in form.fields} == {
        "rank-alice": "2", "rank-bob": "1", "rank-carol": "no-opinion"}


def assert_rank_again(response, election, message="has expired or cannot be read"):
    assert response.redirect_chain[-1] == (vote_url(election), 302), response.redirect_chain
    assert response.status_code == 200 and response.templates[0].name == "elections/vote.html"
    assert any(message in m for m in messages_of(response)), messages_of(response)


@pytest.mark.parametrize("value", ["", "x", "!!!!", "AAAA", "é" * 10, "A" * 5000, None])
def test_a_missing_or_garbled_cookie_sends_the_voter_back_to_rank_again(voter_client, running, value):
    if value is not None:
        voter_client.cookies[REVIEW] = value
    assert_rank_again(voter_client.get(vote_url(running, "review"), follow=True), running)


def test_a_tampered_cookie_is_refused(voter_client, running):
    voter_client.post(vote_url(running), vote_data(GOOD))
    value = voter_client.cookies[REVIEW].value
    for position in (0, 5, 12, len(value) // 2, len(value) - 2):
        flipped = value[:position] + ("A" if value[position] != "A" else "B") + value[position + 1:]
        voter_client.cookies[REVIEW] = flipped
        assert_rank_again(voter_client.get(vote_url(running, "review"), follow=True), running)


def test_another_voters_cookie_is_refused(voter_client, running, user_factory):
    voter_client.post(vote_url(running), vote_data(GOOD))
    other = Client()
    other.force_login(user_factory("another-voter"))
    other.cookies[REVIEW] = voter_client.cookies[REVIEW].value
    assert_rank_again(other.get(vote_url(running, "review"), follow=True), running)
    voter_client.post(vote_url(running), cast_data(GOOD))
    other.cookies[RECEIPT] = voter_client.cookies[RECEIPT].value
    assert other.get(vote_url(running, "receipt")).status_code == 302  # not voted: no receipt to show


def test_a_cookie_of_another_election_with_the_same_candidates_is_refused(voter_client, voter, running, now):
    other = make_election("other---2026", start=now - timedelta(days=1), end=now + timedelta(days=1),
                          voters=[voter.username])
    voter_client.post(vote_url(running), vote_data(GOOD))
    assert_rank_again(voter_client.get(vote_url(other, "review"), follow=True), other)
    voter_client.post(vote_url(running), cast_data(GOOD))
    voter_client.post(vote_url(other), cast_data(GOOD))
    mine = voter_client.post(vote_url(running), vote_data(GOOD, step="cast", mode="change",
                                                          passphrase=PASSPHRASE)).cookies[RECEIPT].value
    voter_client.cookies[RECEIPT] = mine
    assert voter_client.get(vote_url(other, "receipt")).context["receipt"] is None


@pytest.mark.parametrize("minutes", [31, -5])
def test_a_review_cookie_past_its_lifetime_or_from_the_future_is_refused(voter_client, voter, running, minutes):
    value = ballot_cookies.review_seal(voter=voter, election=running, ranks={"alice": 1, "bob": 2, "carol": 3},
                                       suggestion="", issued_at=time.time() - minutes * 60)
    voter_client.cookies[REVIEW] = value
    assert_rank_again(voter_client.get(vote_url(running, "review"), follow=True), running)
    fresh = ballot_cookies.review_seal(voter=voter, election=running, ranks={"alice": 1, "bob": 2, "carol": 3},
                                       suggestion="", issued_at=time.time() - 29 * 60)
    voter_client.cookies[REVIEW] = fresh
    assert voter_client.get(vote_url(running, "review")).status_code == 200


def test_a_receipt_cookie_past_its_lifetime_shows_no_receipt(voter_client, voter, running):
    voter_client.post(vote_url(running), cast_data(GOOD))
    voter_client.cookies[RECEIPT] = ballot_cookies.receipt_seal(
        voter=voter, election=running, receipt="OLD0-RECE-IPT0", ranks=GOOD, changing=False,
        issued_at=time.time() - 11 * 60)
    page = voter_client.get(vote_url(running, "receipt"))
    assert page.context["receipt"] is None and "OLD0-RECE-IPT0" not in page.content.decode()


def test_a_change_of_candidates_after_the_ranking_asks_to_rank_again(voter_client, running):
    voter_client.post(vote_url(running), vote_data(GOOD))
    Candidate.objects.create(election=running, candidate_id="dave", name="Dave")
    assert_rank_again(voter_client.get(vote_url(running, "review"), follow=True), running,
                      message="The candidates standing in this election changed")
    assert ballot_cookies.REVIEW not in voter_client.cookies or not voter_client.cookies[REVIEW].value


def test_the_review_page_refuses_a_voter_off_the_roll_and_other_methods(outsider_client, running):
    assert outsider_client.get(vote_url(running, "review")).status_code == 403
    assert outsider_client.post(vote_url(running, "review")).status_code == 405
    assert outsider_client.post(vote_url(running, "receipt")).status_code == 405


def test_the_review_and_receipt_pages_need_a_signed_in_user(client, running):
    for page in ("review", "receipt"):
        response = client.get(vote_url(running, page))
        assert response.status_code == 302 and response["Location"].startswith("/login?next=")


def test_no_rank_and_no_receipt_is_stored_in_any_row_session_or_cache_after_review_and_cast(voter, now):
    tag = "zq7w"
    ids = [f"{tag}-{name}" for name in ("amara", "bjorn", "chen")]
    election = make_election(f"stored---{tag}", start=now - timedelta(days=1), end=now + timedelta(days=1),
                             voters=[voter.username], candidates=ids)
    client = Client()
    client.force_login(voter)
    ranks = dict(zip(ids, (3, 1, 2), strict=True))
    assert client.post(vote_url(election), vote_data(ranks), follow=True).status_code == 200
    page = client.post(vote_url(election), cast_data(ranks), follow=True)
    receipt = page.context["receipt"]
    assert receipt and page.context["ranked"] == [("1st", [ids[1].title()]), ("2nd", [ids[2].title()]),
                                                  ("Not ranked, counts last", [ids[0].title()])]
    client.get(vote_url(election, "receipt"))

    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    stored = [dump.getvalue()]
    stored += [json.dumps(session.get_decoded()) for session in Session.objects.all()]
    cache = caches["default"]
    if isinstance(cache, LocMemCache):
        stored += [repr(value) for value in cache._cache.values()]
    text = "\n".join(stored)
    assert Session.objects.exists() and tag in text  # the search reads the candidates' rows
    for needle in (receipt, receipt.replace("-", "")):
        assert needle.lower() not in text.lower()
    for candidate_id, rank in ranks.items():
        assert not re.search(re.escape(candidate_id) + rf"[\"']?\s{{0,2}}[:=]\s{{0,2}}{rank}(?![0-9])", text)


def test_error_reports_hide_the_voting_cookies_and_the_cookie_header(voter_client, running):
    voter_client.post(vote_url(running), vote_data(GOOD))
    review = voter_client.cookies[REVIEW].value
    voter_client.post(vote_url(running), cast_data(GOOD))
    receipt = voter_client.cookies[RECEIPT].value
    voter_client.cookies[REVIEW] = review
    failed = []

    def keep(sender, request, **kwargs):
        failed.append((request, sys.exc_info()))

    got_request_exception.connect(keep)
    try:
        with mock.patch("elections.voting.views.candidates_for_voter", side_effect=RuntimeError("boom")):
            with pytest.raises(RuntimeError):
                voter_client.get(vote_url(running, "review"))
    finally:
        got_request_exception.disconnect(keep)
    [(request, exc_info)] = failed
    assert request.COOKIES[REVIEW] == review and request.COOKIES[RECEIPT] == receipt
    reporter = ExceptionReporter(request, *exc_info)
    for report in (reporter.get_traceback_text(), reporter.get_traceback_html()):
        assert "boom" in report and RECEIPT in report and "HTTP_COOKIE" in report
        for value in (review, receipt):
            assert value not in report and value[-24:] not in report
        assert voter_client.cookies["sessionid"].value not in report
