"""Ranking, reviewing and casting a ballot: every rule is checked on the server."""

import re
from datetime import timedelta

import pytest

from elections.models import Ballot, Candidate, EligibleVoter, SealedBallot, VoteRecord
from tests.conftest import box_open_now, canonical_key_order
from tests.voting.conftest import PASSPHRASE, cast_data, make_election, vote_data

GOOD = {"alice": 1, "bob": 2, "carol": None}


def vote_url(election):
    return f"/app/elections/{election.key}/vote"


def test_the_ballot_form_starts_every_candidate_unranked_with_no_opinion_as_a_separate_choice(voter_client, running):
    response = voter_client.get(vote_url(running))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<select name="rank-') == 3
    ballot = html.split("<fieldset>")[1].split("</fieldset>")[0]
    assert "selected" not in ballot.replace('value="" selected', "")
    assert ballot.count('<option value="" selected>Not ranked (counts last)</option>') == 3
    assert ballot.count('<option value="no-opinion">No opinion</option>') == 3
    assert ballot.count('<option value="3">3rd</option>') == 3
    assert "A candidate you leave unranked counts below every candidate you rank" in html


def test_without_no_opinion_the_ballot_offers_only_ranks_and_unranked(voter_client, running):
    running.allow_no_opinion = False
    running.save()
    html = voter_client.get(vote_url(running)).content.decode()
    assert 'value="no-opinion"' not in html and "“No opinion”" not in html
    assert html.count('<option value="" selected>Not ranked (counts last)</option>') == 3


def test_candidate_order_is_random_per_voter_but_stable_for_each(client, running, user_factory):
    # Six candidates give 720 orders; with several voters at least two orders must differ.
    for candidate_id in ("dan", "erin", "frank"):
        Candidate.objects.create(election=running, candidate_id=candidate_id, name=candidate_id.title())
    orders = set()
    for index in range(6):
        user = user_factory(f"voter-{index}")
        EligibleVoter.objects.create(election=running, login=user.username)
        client.force_login(user)
        first = client.get(vote_url(running)).context["form"].candidates
        second = client.get(vote_url(running)).context["form"].candidates
        assert [c.candidate_id for c in first] == [c.candidate_id for c in second]
        orders.add(tuple(c.candidate_id for c in first))
    assert len(orders) > 1


def test_review_shows_the_ballot_grouped_by_rank_before_anything_is_cast(voter_client, running):
    posted = voter_client.post(vote_url(running), vote_data({"alice": 1, "bob": 1, "carol": None}))
    assert posted.status_code == 303
    assert posted["Location"] == f"{vote_url(running)}/review"
    response = voter_client.get(posted["Location"])
    assert response.status_code == 200
    assert response.context["ranked"] == [("1st, tied", ["Alice", "Bob"])]
    assert response.context["no_opinion"] == ["Carol"]
    html = response.content.decode()
    assert "1st, tied:" in html and "No opinion:" in html
    assert '<input type="hidden" name="rank-alice" value="1">' in html
    assert SealedBallot.objects.count() == 0 and VoteRecord.objects.count() == 0


def test_casting_stores_one_sealed_ballot_and_one_vote_record_and_shows_the_receipt(voter_client, voter, running):
    response = voter_client.post(vote_url(running), cast_data(GOOD))
    assert response.status_code == 303
    assert response["Location"] == f"{vote_url(running)}/receipt"
    sealed = SealedBallot.objects.get()
    assert Ballot.objects.count() == 0  # nothing readable while the election runs
    record = VoteRecord.objects.get()
    assert record.voter == voter and record.election == running
    assert str(sealed.id) not in bytes(record.sealed_link).decode("latin-1")
    assert (record.voted_at.minute, record.voted_at.second, record.voted_at.microsecond) == (0, 0, 0)
    [ballot] = box_open_now(running)
    assert ballot.ranks == {"alice": 1, "bob": 2, "carol": None}
    receipt_page = voter_client.get(response["Location"])
    assert receipt_page.status_code == 200
    assert ballot.receipt in receipt_page.content.decode()
    assert "Your ballot was cast" in receipt_page.content.decode()


def test_a_weak_chosen_passphrase_is_refused_with_a_clear_message(voter_client, running):
    for weak in ("aaaaaaaaaaaaaaaa", "qwertyuiop123456", "password12345678", "abcdefghijklmnop"):
        response = voter_client.post(vote_url(running), cast_data(GOOD, passphrase=weak))
        assert response.status_code == 400
        assert "too easy to guess" in response.content.decode()
    assert SealedBallot.objects.count() == 0 and VoteRecord.objects.count() == 0
    assert voter_client.post(vote_url(running), cast_data(GOOD, passphrase="my dog ate the bus timetable")
                             ).status_code == 303


@pytest.mark.parametrize("weak", ["Summer2026!!", "steering2026", "correcthorsebatterystaple",
                                  "Correct-Horse-Battery-Staple-2026", "vera-voter-steering-2026",
                                  "Steering 2026 Elekto"])
def test_a_guessable_chosen_passphrase_is_refused_with_the_generated_one_offered(voter_client, running, weak):
    review = voter_client.post(vote_url(running), vote_data(GOOD), follow=True)
    suggested = re.search(r'name="suggestion" value="([a-z0-9-]+)"', review.content.decode()).group(1)

    response = voter_client.post(vote_url(running), cast_data(GOOD, passphrase=weak))

    assert response.status_code == 400
    html = response.content.decode()
    assert "too easy to guess" in html
    assert f"Use the passphrase generated for you, {suggested}, or a longer one of your own." in html
    assert SealedBallot.objects.count() == 0 and VoteRecord.objects.count() == 0
    # The suggestion it offers casts the ballot.
    assert voter_client.post(vote_url(running), cast_data(GOOD, passphrase=suggested)).status_code == 303
    assert VoteRecord.objects.count() == 1


def test_a_passphrase_of_any_length_gets_an_answer_never_a_server_error(voter_client, running):
    for passphrase in ("steering2026" * 40, "plum orbit kettle saffron " * 8):
        response = voter_client.post(vote_url(running), cast_data(GOOD, passphrase=passphrase))
        assert response.status_code in (303, 400)
    long_strong = "plum orbit kettle saffron 91, " + "z" * 150
    assert voter_client.post(vote_url(running), cast_data(GOOD, passphrase=long_strong)).status_code == 303


def test_the_edit_button_returns_to_the_form_with_the_ranks_kept(voter_client, running):
    posted = voter_client.post(vote_url(running), vote_data(GOOD, step="edit"))
    assert posted.status_code == 303 and posted["Location"] == vote_url(running)
    response = voter_client.get(posted["Location"])
    assert response.status_code == 200
    assert response.templates[0].name == "elections/vote.html"
    assert '<option value="1" selected>' in response.content.decode()


@pytest.mark.parametrize(
    "ranks, message",
    [
        ({"alice": 4, "bob": 1, "carol": 2}, "Choose a rank from 1 to 3"),
        ({"alice": 0, "bob": 1, "carol": 2}, "Choose a rank from 1 to 3"),
        ({"alice": "x", "bob": 1, "carol": 2}, "Choose a rank from 1 to 3"),
        ({"alice": "1.5", "bob": 1, "carol": 2}, "Choose a rank from 1 to 3"),
        ({"alice": 1, "bob": 2, "carol": 3, "mallory": 1}, "not standing in this election"),
        ({"alice": None, "bob": None, "carol": None}, "Rank at least one candidate"),
    ],
)
def test_it_rejects_an_invalid_ballot_with_a_clear_message(voter_client, running, ranks, message):
    for step in ("review", "cast"):
        data = vote_data(ranks, step=step, mode="cast", passphrase=PASSPHRASE, passphrase_again=PASSPHRASE)
        response = voter_client.post(vote_url(running), data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert SealedBallot.objects.count() == 0 and VoteRecord.objects.count() == 0


@pytest.mark.parametrize("left", [{"alice": "", "bob": "", "carol": ""}, {}])
def test_a_ballot_left_at_its_defaults_is_cast_after_a_review_that_says_it_prefers_no_one(voter_client, running,
                                                                                          left):
    from elections.officers.results import election_tally

    review = voter_client.post(vote_url(running), vote_data(left), follow=True)

    assert review.status_code == 200 and review.templates[0].name == "elections/review.html"
    html = review.content.decode()
    assert "This ballot prefers no one" in html
    assert "counts toward turnout (it is one of the votes cast) but prefers no candidate to any other" in html
    assert 'name="prefers_no_one" value="yes"' in html
    cast = voter_client.post(vote_url(running), cast_data({"alice": "", "bob": "", "carol": ""}))
    assert cast.status_code == 303 and cast["Location"] == vote_url(running) + "/receipt"
    [ballot] = box_open_now(running)
    # As Elekto stores it: every candidate at the lowest rank.
    assert ballot.ranks == {"alice": 3, "bob": 3, "carol": 3}
    result = election_tally(running)
    assert result.ballots == 1 and all(v == 0 for row in result.pairwise.values() for v in row.values())


def test_a_ballot_that_prefers_no_one_is_never_cast_without_its_review(voter_client, running):
    all_tied_first = vote_data({"alice": 1, "bob": 1, "carol": 1}, step="cast", mode="cast", passphrase=PASSPHRASE,
                               passphrase_again=PASSPHRASE)

    response = voter_client.post(vote_url(running), all_tied_first)

    assert response.status_code == 303 and response["Location"] == vote_url(running) + "/review"
    assert SealedBallot.objects.count() == 0 and VoteRecord.objects.count() == 0
    assert "This ballot prefers no one" in voter_client.get(response["Location"]).content.decode()


def test_a_ballot_that_ranks_someone_has_no_such_notice(voter_client, running):
    review = voter_client.post(vote_url(running), vote_data(GOOD), follow=True)
    assert "prefers no one" not in review.content.decode()


def test_a_candidate_of_another_election_is_refused(voter_client, running, now, voter):
    other = make_election("other---2026", start=now - timedelta(days=1), end=now + timedelta(days=1),
                          voters=[voter.username], candidates=("zed",))
    assert other.candidates.count() == 1
    response = voter_client.post(vote_url(running), cast_data({**GOOD, "zed": 1}))
    assert response.status_code == 400
    assert SealedBallot.objects.count() == 0


def test_withdrawn_candidates_are_not_on_the_ballot_and_cannot_be_ranked(voter_client, running):
    Candidate.objects.create(election=running, candidate_id="walt", name="Walt", withdrawn=True)
    assert "Walt" not in voter_client.get(vote_url(running)).content.decode().split("<fieldset>")[1]
    response = voter_client.post(vote_url(running), cast_data({**GOOD, "walt": 3}))
    assert response.status_code == 400
    assert SealedBallot.objects.count() == 0


def test_without_no_opinion_an_unranked_candidate_counts_last_and_no_opinion_is_refused(voter_client, running):
    running.allow_no_opinion = False
    running.save()
    response = voter_client.post(vote_url(running), cast_data(GOOD))
    assert response.status_code == 400
    assert "Choose a rank from 1 to 3 for Carol" in response.content.decode()
    assert voter_client.post(vote_url(running), cast_data({"alice": 1, "bob": 2, "carol": ""})).status_code == 303
    assert [b.ranks for b in box_open_now(running)] == [{"alice": 1, "bob": 2, "carol": 3}]


def test_the_stored_ranks_do_not_reveal_the_voters_candidate_order(voter_client, running):
    for candidate_id in ("zoe", "dan", "mia"):
        Candidate.objects.create(election=running, candidate_id=candidate_id, name=candidate_id.title())
    ranks = {"zoe": 1, "mia": 2, "dan": 3, "carol": 4, "bob": 5, "alice": 6}
    assert voter_client.post(vote_url(running), cast_data(ranks)).status_code == 303
    assert list(box_open_now(running)[0].ranks) == canonical_key_order(ranks)


def test_a_short_or_mistyped_passphrase_is_refused_and_nothing_is_cast(voter_client, running):
    short = vote_data(GOOD, step="cast", mode="cast", passphrase="short", passphrase_again="short")
    response = voter_client.post(vote_url(running), short)
    assert response.status_code == 400
    assert "at least 12 characters" in response.content.decode()
    mismatch = vote_data(GOOD, step="cast", mode="cast", passphrase=PASSPHRASE, passphrase_again=PASSPHRASE + "x")
    response = voter_client.post(vote_url(running), mismatch)
    assert response.status_code == 400
    assert "The two passphrases differ." in response.content.decode()
    assert SealedBallot.objects.count() == 0 and VoteRecord.objects.count() == 0


def test_a_second_cast_is_refused_with_409_and_keeps_the_first_ballot(voter_client, running):
    assert voter_client.post(vote_url(running), cast_data(GOOD)).status_code == 303
    response = voter_client.post(vote_url(running), cast_data({"alice": 3, "bob": 2, "carol": 1}))
    assert response.status_code == 409
    assert "already voted" in response.content.decode()
    assert SealedBallot.objects.count() == 1
    assert [b.ranks for b in box_open_now(running)] == [{"alice": 1, "bob": 2, "carol": None}]


def test_an_ineligible_user_cannot_open_or_submit_the_ballot(outsider_client, running):
    assert outsider_client.get(vote_url(running)).status_code == 403
    response = outsider_client.post(vote_url(running), cast_data(GOOD))
    assert response.status_code == 403
    assert "is not on this election" in response.content.decode()
    assert SealedBallot.objects.count() == 0


def test_voter_roll_logins_match_case_insensitively(client, running, user_factory):
    EligibleVoter.objects.create(election=running, login="mixedcase")
    client.force_login(user_factory("mixedcase"))
    assert client.post(vote_url(running), cast_data(GOOD)).status_code == 303


def test_it_rejects_a_ballot_before_the_window_opens(voter_client, upcoming):
    assert voter_client.get(vote_url(upcoming)).status_code == 403
    response = voter_client.post(vote_url(upcoming), cast_data(GOOD))
    assert response.status_code == 403
    assert "not opened yet" in response.content.decode()


def test_it_rejects_a_ballot_after_the_deadline(voter_client, running, now):
    # The form was opened in time, but the window closed before the ballot was cast.
    review = voter_client.post(vote_url(running), vote_data(GOOD), follow=True)
    assert review.status_code == 200 and review.templates[0].name == "elections/review.html"
    running.end_datetime = now - timedelta(seconds=1)
    running.save()
    response = voter_client.post(vote_url(running), cast_data(GOOD))
    assert response.status_code == 403
    assert "Voting has closed" in response.content.decode()
    assert SealedBallot.objects.count() == 0


def test_an_unknown_or_archived_election_is_404(voter_client, running):
    assert voter_client.get("/app/elections/nope/vote").status_code == 404
    running.archived = True
    running.save()
    assert voter_client.get(vote_url(running)).status_code == 404


def test_the_ballot_needs_a_signed_in_user(client, running):
    response = client.get(vote_url(running))
    assert response.status_code == 302
    assert response["Location"].startswith("/login?next=")


def test_the_ballot_refuses_other_methods(voter_client, running):
    assert voter_client.put(vote_url(running)).status_code == 405


def test_the_ballot_form_needs_a_csrf_token(client, voter, running):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(voter)
    assert strict.post(vote_url(running), cast_data(GOOD)).status_code == 403
    assert SealedBallot.objects.count() == 0
    page = strict.get(vote_url(running)).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_after_a_passphrase_error_the_review_suggests_the_same_passphrase_again(voter_client, running):
    review = voter_client.post(vote_url(running), vote_data(GOOD), follow=True)
    suggested = re.search(r'name="suggestion" value="([a-z0-9-]+)"', review.content.decode()).group(1)
    retry = vote_data(GOOD, step="cast", mode="cast", passphrase="short", passphrase_again="short",
                      suggestion=suggested)
    response = voter_client.post(vote_url(running), retry)
    assert response.status_code == 400
    assert f'id="suggested-passphrase" class="passphrase" aria-labelledby="suggestion-label">{suggested}<' in (
        response.content.decode()
    )


def test_a_tampered_suggestion_is_replaced_not_shown_back(voter_client, running):
    retry = vote_data(GOOD, step="cast", mode="cast", passphrase="short", passphrase_again="short",
                      suggestion="<b>attacker-text</b>")
    response = voter_client.post(vote_url(running), retry)
    assert response.status_code == 400
    assert "attacker-text" not in response.content.decode()
