"""What voters see: dashboard, lists, election and candidate pages, results; bounded query counts."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from elections.models import Candidate, EligibleVoter, ExceptionRequest, Officer
from elections.voting.services import ballot_cast
from tests.voting.conftest import PASSPHRASE, make_election


def test_the_dashboard_lists_running_elections_those_i_may_vote_in_and_those_i_voted_in(
    voter_client, voter, running, upcoming, completed, now
):
    other = make_election("other---2026", start=now - timedelta(days=1), end=now + timedelta(days=1))
    ballot_cast(election=running, voter=voter, ranks={"alice": 1, "bob": 2, "carol": 3}, passphrase=PASSPHRASE)
    response = voter_client.get("/app")
    assert response.status_code == 200
    keys = {name: [e.key for e in response.context[name]] for name in ("running", "may_vote", "voted")}
    # Each election once: the running one this voter voted in under "voted in" only, the other running one
    # (not on its roll) under "running now".
    assert keys["running"] == [other.key]
    assert keys["may_vote"] == [upcoming.key]
    assert keys["voted"] == [running.key]
    html = response.content.decode()
    assert "✓ Voted" in html and "Not eligible" in html


def test_the_list_filters_by_status_and_refuses_an_unknown_filter(voter_client, running, upcoming, completed):
    for status, election in (("running", running), ("upcoming", upcoming), ("completed", completed)):
        response = voter_client.get(f"/app/elections?status={status}")
        assert [e.key for e in response.context["elections"]] == [election.key]
    assert len(voter_client.get("/app/elections").context["elections"]) == 3
    assert voter_client.get("/app/elections?status=everything").status_code == 400


def test_the_election_page_shows_badge_window_eligibility_description_and_candidates(voter_client, running):
    response = voter_client.get(f"/app/elections/{running.key}")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="badge eligible">Eligible</span>' in html
    assert "Running" in html
    start = running.start_datetime.astimezone(__import__("datetime").UTC)
    assert f'<time class="js-local-time" datetime="{start:%Y-%m-%dT%H:%M:%SZ}">' in html
    assert " UTC</time>" in html
    assert "Contributors with 50 or more contributions." in html
    # The description's own headings sit below the page's title, which stays the only <h1>.
    assert "<h2>The steering election</h2>" in html and "<strong>three</strong>" in html
    assert html.count("<h1") == 1 and "<h2>About this election</h2>" not in html
    for name in ("Alice", "Bob", "Carol"):
        assert name in html
    assert f'href="/app/elections/{running.key}/vote"' in html
    assert "local-time.js" in html


def test_the_election_page_badges_a_voter_who_voted_and_an_outsider(client, voter, outsider, running):
    ballot_cast(election=running, voter=voter, ranks={"alice": 1, "bob": 2, "carol": 3}, passphrase=PASSPHRASE)
    client.force_login(voter)
    html = client.get(f"/app/elections/{running.key}").content.decode()
    assert "✓ Voted" in html and "View or revoke my ballot" in html
    client.force_login(outsider)
    html = client.get(f"/app/elections/{running.key}").content.decode()
    assert "Not eligible" in html and "Request an exception" in html
    assert f'href="/app/elections/{running.key}/vote"' not in html


def test_pages_use_no_inline_scripts_styles_or_handlers(voter_client, running):
    import re

    for page in ("", "/vote", "/candidates/alice"):
        html = voter_client.get(f"/app/elections/{running.key}{page}").content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert " style=" not in html and not re.search(r"\son[a-z]+=", html)


def test_an_unknown_election_or_candidate_is_404(voter_client, running):
    assert voter_client.get("/app/elections/missing").status_code == 404
    assert voter_client.get(f"/app/elections/{running.key}/candidates/nobody").status_code == 404
    assert voter_client.get("/elections/missing").status_code == 404
    assert "There is no such page" in voter_client.get("/app/elections/missing").content.decode()


def test_signed_in_pages_send_anonymous_visitors_to_sign_in(client, running):
    for page in ("/app", "/app/elections", f"/app/elections/{running.key}",
                 f"/app/elections/{running.key}/candidates/alice", f"/app/elections/{running.key}/confirmation",
                 f"/app/elections/{running.key}/exception"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith("/login?next=")


def test_the_candidate_page_shows_the_chosen_info_fields_and_the_bio(voter_client, running):
    Candidate.objects.filter(candidate_id="alice").update(info={"employer": "ACME", "twitter": "@hidden"},
                                                          bio="## Why me\n\n* experience")
    html = voter_client.get(f"/app/elections/{running.key}/candidates/alice").content.decode()
    assert "ACME" in html and "@hidden" not in html
    assert "slack" in html and "not provided" in html
    assert "<h3>Why me</h3>" in html and "<li>experience</li>" in html


@pytest.mark.parametrize("fields", [[], [None], [None, ""]])
def test_the_candidate_page_copes_without_info_fields_and_without_bio(voter_client, running, fields):
    running.show_candidate_fields = fields
    running.save()
    Candidate.objects.filter(candidate_id="bob").update(bio="", info={"employer": "X"})
    response = voter_client.get(f"/app/elections/{running.key}/candidates/bob")
    assert response.status_code == 200
    html = response.content.decode()
    assert "No profile submitted." in html and "not provided" not in html


def test_the_public_pages_are_read_only_and_need_no_sign_in(client, running):
    response = client.get("/elections")
    assert response.status_code == 200 and running.name in response.content.decode()
    response = client.get(f"/elections/{running.key}")
    html = response.content.decode()
    assert response.status_code == 200 and "Sign in to vote" in html
    assert '<select name="rank-' not in html and "Eligible" not in html
    assert client.post(f"/elections/{running.key}").status_code == 405


def test_results_render_the_published_markdown_once_the_election_has_completed(client, completed, running):
    response = client.get(f"/app/elections/{completed.key}/results")
    assert response.status_code == 200
    html = response.content.decode()
    # The page's heading names the results; the document's own title ("# Results") is not said again.
    assert "<p>Alice and Bob won.</p>" in html and "<h2>Results</h2>" not in html
    assert html.count("<h1") == 1
    completed.results = "# Results of the election\n\n## How we counted\n\n| a | b |\n| - | - |\n| 1 | 2 |\n"
    completed.save()
    html = client.get(f"/app/elections/{completed.key}/results").content.decode()
    assert "Results of the election" not in html and "<h3>How we counted</h3>" in html
    # A wide table scrolls in a box of its own that the keyboard reaches.
    assert '<div class="table-scroll" tabindex="0"><table>' in html
    response = client.get(f"/app/elections/{running.key}/results")
    assert response.status_code == 403
    assert "Results are published after voting closes" in response.content.decode()
    completed.results = ""
    completed.save()
    assert "have not published the results yet" in client.get(
        f"/app/elections/{completed.key}/results").content.decode()


def test_list_pages_use_a_number_of_queries_independent_of_voters_and_candidates(
    client, voter, running, completed, django_assert_max_num_queries, user_factory, now
):
    client.force_login(voter)

    def measure():
        # Each page twice: first with nothing rendered yet (as after an import), then as it is served after.
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from elections.voting import listing

        listing.forget()
        counts = {}
        for page in ("/app", "/app/elections", f"/app/elections/{running.key}", "/elections",
                     f"/elections/{running.key}", f"/app/elections/{running.key}/vote"):
            for kept in (False, True):
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(page).status_code == 200
                counts[page, kept] = len(queries)
        return counts

    before = measure()
    for index in range(30):
        EligibleVoter.objects.create(election=running, login=f"roll-{index}")
        Candidate.objects.create(election=running, candidate_id=f"c{index:02}", name=f"Candidate {index}")
        user = user_factory(f"requester-{index}")
        ExceptionRequest.objects.create(election=running, requester=user, name="n", email="n@example.org",
                                        contributions="x")
        make_election(f"extra---{index}", start=now - timedelta(days=1), end=now + timedelta(days=1),
                      voters=[voter.username], candidates=("a", "b"))
    after = measure()
    assert after == before
    with django_assert_max_num_queries(12):
        client.get("/app")


def described_by_ids_missing_from(html):
    """The ids named in aria-describedby attributes that no element of the page carries."""
    named = {name for value in re.findall(r'aria-describedby="([^"]*)"', html) for name in value.split()}
    present = set(re.findall(r'\sid="([^"]*)"', html))
    return named - present


def test_the_ballot_opens_candidate_pages_in_a_new_tab_so_the_chosen_ranks_stay(voter_client, running):
    html = voter_client.get(f"/app/elections/{running.key}/vote").content.decode()
    assert html.count('target="_blank" rel="noopener"') == 3
    assert html.count("(opens in a new tab)") == 3
    assert "1 seat to fill" in html
    # The ballot says how the count (elections.counting.tally) reads it: unranked is last, "No opinion" is no
    # preference.
    assert ("A candidate you leave unranked counts below every candidate you rank, while “No opinion” counts "
            "neither for nor against that candidate.") in " ".join(html.split())


def test_the_review_tells_unranked_candidates_from_no_opinion_ones(voter_client, running):
    data = {"rank-alice": "1", "rank-bob": "", "rank-carol": "no-opinion", "step": "review"}
    html = voter_client.post(f"/app/elections/{running.key}/vote", data, follow=True).content.decode()
    assert "1st:</span> Alice" in html
    assert "Not ranked, counts last:</span> Bob" in html
    assert "No opinion:</strong> Carol" in html
    assert "counts below every candidate you rank" in html
    # The old sentence ended in a garbled "..., against anyone".
    assert "against anyone" not in html


def test_exception_request_errors_carry_the_ids_their_fields_point_to(outsider_client, running):
    response = outsider_client.post(f"/app/elections/{running.key}/exception", {"email": "not-an-email"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Your request was not sent yet" in html and "Enter a valid email address." in html
    assert described_by_ids_missing_from(html) == set()


def test_passphrase_errors_carry_the_ids_their_fields_point_to(voter_client, running):
    response = voter_client.post(f"/app/elections/{running.key}/vote",
                                 {"rank-alice": "1", "rank-bob": "", "rank-carol": "", "step": "cast",
                                  "mode": "cast", "passphrase": "short", "passphrase_again": "short"})
    html = response.content.decode()
    assert response.status_code == 400 and 'aria-invalid="true"' in html
    assert described_by_ids_missing_from(html) == set()
    assert "the passphrase fields were emptied" in html


def test_the_review_page_names_the_election_and_says_a_lost_passphrase_keeps_the_ballot(voter_client, running):
    response = voter_client.post(f"/app/elections/{running.key}/vote",
                                 {"rank-alice": "1", "rank-bob": "2", "rank-carol": "", "step": "review"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and response.redirect_chain[-1][1] == 303
    assert f"In <strong>{running.name}</strong>" in html
    assert "If you lose it, your ballot still counts as cast" in html


def test_a_refusal_names_the_election_and_shows_its_voting_window(voter_client, upcoming):
    response = voter_client.get(f"/app/elections/{upcoming.key}/vote")
    html = response.content.decode()
    assert response.status_code in (403, 409)
    assert f'<h2 id="refused-election-title">{upcoming.name}</h2>' in html
    assert f'datetime="{upcoming.start_datetime:%Y-%m-%dT%H:%M:%SZ}"' in html and "local-time.js" in html


def test_the_dashboard_says_when_an_upcoming_election_opens_and_a_running_one_closes(voter_client, running, upcoming):
    text = " ".join(voter_client.get("/app").content.decode().split())
    opens, closes = upcoming.start_datetime, running.end_datetime
    assert f'voting opens <time class="js-local-time" datetime="{opens:%Y-%m-%dT%H:%M:%SZ}"' in text
    assert f'voting closes <time class="js-local-time" datetime="{closes:%Y-%m-%dT%H:%M:%SZ}"' in text


def test_the_candidate_page_puts_the_bio_under_a_profile_heading(voter_client, running):
    html = voter_client.get(f"/app/elections/{running.key}/candidates/alice").content.decode()
    assert '<h2 id="profile-title">Profile</h2>' in html
    assert html.index("<h1>") < html.index('id="profile-title"') < html.index("I am alice.")


def test_messages_sit_in_a_live_region_that_keeps_the_list_a_list(voter_client, voter, running):
    ballot_cast(election=running, voter=voter, ranks={"alice": 1, "bob": None, "carol": None}, passphrase=PASSPHRASE)
    response = voter_client.post(f"/app/elections/{running.key}/confirmation",
                                 {"action": "revoke", "passphrase": PASSPHRASE}, follow=True)
    html = response.content.decode()
    assert '<div role="status"> <ul class="messages">' in " ".join(html.split())
    assert '<ul class="messages" role="status">' not in html


def test_a_form_sent_without_its_csrf_token_says_nothing_was_saved_and_how_to_recover(voter, running):
    client = Client(enforce_csrf_checks=True)
    client.force_login(voter)
    response = client.post(f"/app/elections/{running.key}/vote", {"rank-alice": "1", "step": "review"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "This form has expired" in html and "Nothing was saved" in html and "reload the page" in html


def test_the_public_pages_word_the_window_and_the_sign_in_by_the_election_state(client, running, upcoming, completed):
    text = " ".join(client.get("/elections").content.decode().split())
    assert f'Voting opens <time class="js-local-time" datetime="{upcoming.start_datetime:%Y-%m-%dT%H:%M:%SZ}"' in text
    assert f'Voting closed <time class="js-local-time" datetime="{completed.end_datetime:%Y-%m-%dT%H:%M:%SZ}"' in text
    assert f'Voting closes <time class="js-local-time" datetime="{running.end_datetime:%Y-%m-%dT%H:%M:%SZ}"' in text
    assert "Sign in to vote" not in client.get(f"/elections/{completed.key}").content.decode()
    assert "Sign in to vote" in client.get(f"/elections/{upcoming.key}").content.decode()


def test_the_dashboard_links_an_officer_to_the_elections_they_run(client, officer, running):
    client.force_login(officer)
    page = client.get("/app").content.decode()
    assert "Elections you are an officer of" in page
    assert f'href="/app/elections/{running.key}/admin/"' in page


def test_the_dashboard_shows_no_officer_section_to_a_voter(voter_client, running):
    assert "Elections you are an officer of" not in voter_client.get("/app").content.decode()


def test_the_election_page_of_a_voter_reads_the_session_user_version_and_standing_only(
    client, voter, running, user_factory
):
    """The signed-in election page costs four queries for a voter who never asked for an exception, and one more,
    showing the request, for one who did."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(voter)
    url = f"/app/elections/{running.key}"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == 4, [query["sql"] for query in queries]

    requester = user_factory("not-on-the-roll")
    ExceptionRequest.objects.create(election=running, requester=requester, name="N", email="n@example.org",
                                    contributions="Docs.", status=ExceptionRequest.DENIED)
    client.force_login(requester)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    assert len(queries) == 5
    assert "Your exception request is <strong>denied</strong>" in html


def test_the_officer_admin_link_shows_for_officers_of_a_current_election_on_every_kind_of_page(
    client, voter, running, user_factory, now
):
    """The link is worked out by each page's own query (ballot pages, lists) or by one of its own: an officer of
    any current election sees it everywhere, a voter never, nor the officer of an archived election only."""
    Officer.objects.create(election=running, login="voting-officer")
    EligibleVoter.objects.create(election=running, login="voting-officer")
    archived = make_election("old---2020", start=now - timedelta(days=900), end=now - timedelta(days=800),
                             officers=["former-officer"], archived=True)
    EligibleVoter.objects.create(election=running, login="former-officer")
    assert archived.archived
    pages = ["/app", "/app/elections", f"/app/elections/{running.key}", f"/app/elections/{running.key}/vote",
             f"/app/elections/{running.key}/candidates/alice"]
    for login, shown in (("voting-officer", True), (voter.username, False), ("former-officer", False)):
        account = voter if login == voter.username else user_factory(login)
        client.force_login(account)
        for page in pages:
            html = client.get(page).content.decode()
            assert ('href="/admin/"' in html) == shown, (login, page)


def test_the_ballot_page_reads_the_session_user_election_standing_and_candidates_only(voter_client, running):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/app/elections/{running.key}/vote"
    voter_client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert voter_client.get(url).status_code == 200
    assert len(queries) == 4, [query["sql"][:80] for query in queries]
