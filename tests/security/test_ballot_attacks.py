"""Attempts to cast, view or revoke ballots outside the rules: each is refused with a real status, nothing is stored,
and nothing is revealed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from elections.models import Election, PassphraseAttempt, SealedBallot, VoteRecord
from tests.browser.builders import build_election, user
from tests.conftest import box_open_now
from tests.security.conftest import KEY, PASSPHRASE, vote_form

FULL = {"amara": 1, "bjorn": 2, "chen": 3, "dolores": 4}


def cast(client, ranks=FULL, key=KEY, **kwargs):
    return client.post(reverse("elections:vote", args=[key]), vote_form(ranks, step="cast", **kwargs))


def move_window(election, status):
    now = timezone.now()
    if status == "upcoming":
        start, end = now + timedelta(hours=1), now + timedelta(days=1)
    else:
        start, end = now - timedelta(days=2), now - timedelta(seconds=1)
    Election.objects.filter(pk=election.pk).update(start_datetime=start, end_datetime=end)


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["upcoming", "completed"])
def test_nobody_votes_outside_the_window(client_for, election, alice, status):
    move_window(election, status)
    client = client_for(alice)
    assert client.get(reverse("elections:vote", args=[KEY])).status_code == 403
    assert client.post(reverse("elections:vote", args=[KEY]), vote_form(FULL)).status_code == 403
    assert cast(client).status_code == 403
    assert not SealedBallot.objects.exists() and not VoteRecord.objects.exists()


@pytest.mark.django_db
def test_a_second_ballot_is_refused_and_the_first_stands(client_for, election, alice):
    client = client_for(alice)
    assert cast(client).status_code == 303
    second = cast(client, {"amara": 4, "bjorn": 3, "chen": 2, "dolores": 1})
    assert second.status_code == 409
    assert VoteRecord.objects.count() == 1
    assert [b.ranks for b in box_open_now(election)] == [FULL]


@pytest.mark.django_db
@pytest.mark.parametrize("ranks", [
    {**FULL, "zed": 1},
    {"amara": 1, "bjorn": 2, "chen": 3, "mallory": 4},
    {"amara": 1, "bjorn": 2, "chen": 3, "dolores": 4, "../amara": 1},
], ids=["extra-unknown", "replaced-unknown", "path-like"])
def test_a_ballot_naming_an_unknown_candidate_is_refused(client_for, election, alice, ranks):
    response = cast(client_for(alice), ranks)
    assert response.status_code == 400
    assert not SealedBallot.objects.exists() and not VoteRecord.objects.exists()


@pytest.mark.django_db
def test_a_ballot_naming_a_candidate_of_another_election_is_refused(client_for, election, alice):
    build_election("other---2026", candidates=(("zed", "Zed"),), voters=("alice",))
    response = cast(client_for(alice), {"amara": 1, "bjorn": 2, "chen": 3, "zed": 4})
    assert response.status_code == 400
    assert not SealedBallot.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["0", "5", "-1", "1.5", "abc", "1e3", "99999999999999999999", "1; DROP TABLE", "٣"])
def test_a_rank_out_of_range_or_not_a_whole_number_is_refused(client_for, election, alice, bad):
    response = cast(client_for(alice), {**FULL, "chen": bad})
    assert response.status_code == 400
    assert not SealedBallot.objects.exists() and not VoteRecord.objects.exists()


@pytest.mark.django_db
def test_a_ballot_without_any_rank_is_refused(client_for, election, alice):
    response = cast(client_for(alice), dict.fromkeys(FULL))
    assert response.status_code == 400
    assert not SealedBallot.objects.exists()


@pytest.mark.django_db
def test_a_candidate_left_out_of_the_post_counts_last_and_no_opinion_is_refused_where_not_offered(
        client_for, election, alice):
    Election.objects.filter(pk=election.pk).update(allow_no_opinion=False)
    client = client_for(alice)
    assert cast(client, {**FULL, "dolores": None}).status_code == 400
    assert not SealedBallot.objects.exists()
    assert cast(client, {"amara": 1, "bjorn": 2, "chen": 3}).status_code == 303
    assert [b.ranks for b in box_open_now(election)] == [FULL]


@pytest.mark.django_db
def test_a_withdrawn_candidate_cannot_be_ranked(client_for, election, alice):
    election.candidates.filter(candidate_id="dolores").update(withdrawn=True)
    response = cast(client_for(alice), FULL)
    assert response.status_code == 400
    assert not SealedBallot.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("login", ["mallory", "olivia"])
def test_someone_off_the_voter_roll_cannot_vote_officers_included(client_for, election, login):
    client = client_for(user(login))
    assert client.get(reverse("elections:vote", args=[KEY])).status_code == 403
    assert cast(client).status_code == 403
    assert not SealedBallot.objects.exists() and not VoteRecord.objects.exists()


@pytest.mark.django_db
def test_signed_out_visitors_cannot_vote(client, election):
    response = cast(client)
    # Refused with the way to sign in (a ballot posted after the session ended is told so, not dropped).
    assert response.status_code == 403
    assert f'href="{reverse("accounts:login")}?next=' in response.content.decode()
    assert not SealedBallot.objects.exists()


@pytest.mark.django_db
def test_a_cast_without_a_usable_passphrase_stores_nothing(client_for, election, alice):
    client = client_for(alice)
    response = client.post(reverse("elections:vote", args=[KEY]),
                           {**vote_form(FULL, step="cast"), "passphrase": "short", "passphrase_again": "short"})
    assert response.status_code == 400
    response = client.post(reverse("elections:vote", args=[KEY]),
                           {**vote_form(FULL, step="cast"), "passphrase_again": "something else entirely"})
    assert response.status_code == 400
    assert not SealedBallot.objects.exists() and not VoteRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["view", "revoke"])
def test_after_the_window_a_ballot_can_be_neither_viewed_nor_revoked(client_for, election, alice, action):
    client = client_for(alice)
    receipt = _receipt_of(client, cast(client))
    move_window(election, "completed")
    response = client.post(reverse("elections:confirmation", args=[KEY]), {"action": action, "passphrase": PASSPHRASE})
    assert response.status_code == 403
    assert receipt not in response.content.decode()
    assert SealedBallot.objects.count() == 1 and VoteRecord.objects.count() == 1


def _receipt_of(client, response):
    assert response.status_code == 303
    return client.get(response["Location"]).context["receipt"]


def _view(client, passphrase):
    return client.post(reverse("elections:confirmation", args=[KEY]), {"action": "view", "passphrase": passphrase})


@pytest.mark.django_db
def test_guessing_the_passphrase_hits_the_rate_limit_and_even_the_right_one_waits(client_for, election, alice,
                                                                                  settings):
    settings.PASSPHRASE_ATTEMPTS_PER_MINUTE = 5
    client = client_for(alice)
    receipt = _receipt_of(client, cast(client))
    statuses = [_view(client, f"wrong guess number {n}").status_code for n in range(5)]
    assert statuses == [403] * 5
    limited = _view(client, PASSPHRASE)
    assert limited.status_code == 429
    assert receipt not in limited.content.decode()
    revoke = client.post(reverse("elections:confirmation", args=[KEY]), {"action": "revoke", "passphrase": PASSPHRASE})
    assert revoke.status_code == 429
    assert SealedBallot.objects.count() == 1

    # Two minutes later the voter gets in with the right passphrase.
    PassphraseAttempt.objects.update(attempted_at=timezone.now() - timedelta(minutes=2))
    opened = _view(client, PASSPHRASE)
    assert opened.status_code == 200
    assert receipt in opened.content.decode()


@pytest.mark.django_db
def test_the_rate_limit_of_one_voter_does_not_lock_out_another(client_for, election, alice, settings):
    settings.PASSPHRASE_ATTEMPTS_PER_MINUTE = 5
    alice_client, bob_client = client_for(alice), client_for(user("bob"))
    cast(alice_client)
    bob_receipt = _receipt_of(bob_client, cast(bob_client))
    for n in range(6):
        _view(alice_client, f"wrong guess number {n}")
    assert _view(alice_client, PASSPHRASE).status_code == 429
    assert bob_receipt in _view(bob_client, PASSPHRASE).content.decode()


@pytest.mark.django_db
def test_a_wrong_passphrase_cannot_revoke_or_replace_a_ballot(client_for, election, alice):
    client = client_for(alice)
    cast(client)
    revoke = client.post(reverse("elections:confirmation", args=[KEY]),
                         {"action": "revoke", "passphrase": "not my passphrase at all"})
    assert revoke.status_code == 403
    change = cast(client, {"amara": 4, "bjorn": 3, "chen": 2, "dolores": 1}, mode="change",
                  passphrase="not my passphrase at all")
    assert change.status_code == 403
    assert [b.ranks for b in box_open_now(election)] == [FULL]
