"""Viewing, revoking and changing a cast ballot with its passphrase; the attempt limit; destroyed links."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from elections.audit import LINKS_DESTROY
from elections.models import AuditEvent, PassphraseAttempt, SealedBallot, VoteRecord
from elections.voting.services import ballot_links_destroy
from tests.conftest import box_open_now, review_fields
from tests.voting.conftest import PASSPHRASE, cast_data, vote_data

GOOD = {"alice": 1, "bob": 2, "carol": None}


def url(election, page):
    return f"/app/elections/{election.key}/{page}"


def manage(client, election, action, passphrase):
    return client.post(url(election, "confirmation"), {"action": action, "passphrase": passphrase})


@pytest.fixture
def cast(voter_client, running):
    response = voter_client.post(url(running, "vote"), cast_data(GOOD), follow=True)
    assert response.redirect_chain == [(url(running, "vote/receipt"), 303)]
    return response.context["receipt"]


def test_the_right_passphrase_shows_the_ballot_and_its_receipt(voter_client, running, cast):
    response = manage(voter_client, running, "view", PASSPHRASE)
    assert response.status_code == 200
    assert response.context["receipt"] == cast
    assert response.context["ranked"] == [("1st", ["Alice"]), ("2nd", ["Bob"])]
    assert response.context["no_opinion"] == ["Carol"]


def test_a_wrong_passphrase_says_so_and_changes_nothing(voter_client, running, cast):
    for action in ("view", "revoke"):
        response = manage(voter_client, running, action, "wrong-passphrase")
        assert response.status_code == 403
        assert "does not open your ballot" in response.content.decode()
    change = vote_data({"alice": 3, "bob": 2, "carol": 1}, step="cast", mode="change", passphrase="wrong-passphrase")
    assert voter_client.post(url(running, "vote"), change).status_code == 403
    assert VoteRecord.objects.count() == 1
    assert [(b.receipt, b.ranks) for b in box_open_now(running)] == [(cast, GOOD)]


def test_revoking_deletes_the_ballot_and_the_record_so_the_voter_may_vote_again(voter_client, running, cast):
    response = manage(voter_client, running, "revoke", PASSPHRASE)
    assert response.status_code == 302
    assert SealedBallot.objects.count() == 0 and VoteRecord.objects.count() == 0
    assert voter_client.get(url(running, "confirmation")).status_code == 404
    again = voter_client.post(url(running, "vote"), cast_data({"alice": 2, "bob": 1, "carol": None}))
    assert again.status_code == 303
    assert SealedBallot.objects.count() == 1
    assert [b.ranks for b in box_open_now(running)] == [{"alice": 2, "bob": 1, "carol": None}]


def test_changing_replaces_the_ballot_in_one_step_with_a_new_id_and_receipt(voter_client, running, cast):
    old = SealedBallot.objects.get()
    page = voter_client.get(url(running, "vote"))
    assert page.context["changing"] is True
    new_ranks = {"alice": None, "bob": 1, "carol": 1}
    review = voter_client.post(url(running, "vote"), vote_data(new_ranks), follow=True)
    assert review.status_code == 200 and 'value="change"' in review.content.decode()
    # Bob and Carol tied, Alice "No opinion": a ballot that prefers no one, which its review says before it is cast.
    assert 'name="prefers_no_one" value="yes"' in review.content.decode()
    response = voter_client.post(
        url(running, "vote"),
        vote_data(new_ranks, step="cast", mode="change", passphrase=PASSPHRASE, **review_fields(new_ranks)),
        follow=True
    )
    assert response.redirect_chain == [(url(running, "vote/receipt"), 303)]
    assert response.status_code == 200 and response.context["changing"] is True
    new = SealedBallot.objects.get()
    assert new.id != old.id
    assert response.context["receipt"] != cast
    # The same passphrase still opens it, and shows the new ranks.
    view = manage(voter_client, running, "view", PASSPHRASE)
    assert view.context["receipt"] == response.context["receipt"]
    assert view.context["ranked"] == [("1st, tied", ["Bob", "Carol"])] and view.context["no_opinion"] == ["Alice"]
    [opened] = box_open_now(running)
    assert (opened.ranks, opened.receipt) == (new_ranks, response.context["receipt"])
    assert opened.id not in (old.id, new.id)


def test_passphrase_attempts_are_limited_per_voter_and_election(voter_client, running, cast, settings):
    settings.PASSPHRASE_ATTEMPTS_PER_MINUTE = 3
    for _ in range(3):
        response = manage(voter_client, running, "view", "guess-guess-guess")
        assert response.status_code == 403
    # Even the right passphrase is refused until a minute has passed.
    response = manage(voter_client, running, "view", PASSPHRASE)
    assert response.status_code == 429
    assert "Wait two minutes" in response.content.decode()
    assert manage(voter_client, running, "revoke", PASSPHRASE).status_code == 429
    assert VoteRecord.objects.count() == 1
    PassphraseAttempt.objects.update(attempted_at=timezone.now() - timedelta(minutes=2))
    response = manage(voter_client, running, "view", PASSPHRASE)
    assert response.status_code == 200


def test_the_attempt_limit_of_one_voter_does_not_block_another(client, running, user_factory, settings):
    from elections.models import EligibleVoter

    settings.PASSPHRASE_ATTEMPTS_PER_MINUTE = 1
    users = [user_factory("first-voter"), user_factory("second-voter")]
    for user in users:
        EligibleVoter.objects.create(election=running, login=user.username)
        client.force_login(user)
        assert client.post(url(running, "vote"), cast_data(GOOD)).status_code == 303
        assert manage(client, running, "view", PASSPHRASE).status_code == 200


def test_view_and_revoke_are_refused_after_voting_closes(voter_client, running, cast, now):
    running.end_datetime = now - timedelta(seconds=1)
    running.save()
    for action in ("view", "revoke"):
        response = manage(voter_client, running, action, PASSPHRASE)
        assert response.status_code == 403
    assert voter_client.get(url(running, "vote")).status_code == 403
    assert VoteRecord.objects.count() == 1 and SealedBallot.objects.count() == 1


def test_view_without_a_ballot_is_404_and_an_unknown_action_is_400(voter_client, running):
    assert manage(voter_client, running, "view", PASSPHRASE).status_code == 404
    voter_client.post(url(running, "vote"), cast_data(GOOD))
    assert manage(voter_client, running, "steal", PASSPHRASE).status_code == 400


def test_a_stale_change_after_a_revoke_is_refused(voter_client, running, cast):
    manage(voter_client, running, "revoke", PASSPHRASE)
    stale = vote_data(GOOD, step="cast", mode="change", passphrase=PASSPHRASE)
    response = voter_client.post(url(running, "vote"), stale)
    assert response.status_code == 404
    assert SealedBallot.objects.count() == 0


# --- delete_after ---------------------------------------------------------------------------------


def close(election):
    election.end_datetime = timezone.now() - timedelta(seconds=1)
    election.save()


def test_destroying_links_empties_them_only_for_completed_delete_after_elections(voter_client, running, cast):
    running.delete_after = True
    running.save()
    assert ballot_links_destroy() == []  # still running
    close(running)
    assert [(e.key, n) for e, n in ballot_links_destroy(dry_run=True)] == [(running.key, 1)]
    assert bytes(VoteRecord.objects.get().sealed_link)
    done = ballot_links_destroy()
    assert [(e.key, n) for e, n in done] == [(running.key, 1)]
    record = VoteRecord.objects.get()
    assert bytes(record.sealed_link) == b"" and bytes(record.salt) == b""
    running.refresh_from_db()
    assert running.links_destroyed_at is not None
    assert SealedBallot.objects.count() == 1  # the ballot still counts
    assert AuditEvent.objects.filter(action=LINKS_DESTROY, election=running, actor="system").count() == 1
    assert ballot_links_destroy() == []  # idempotent


def test_elections_without_delete_after_keep_their_links(voter_client, running, cast):
    close(running)
    assert ballot_links_destroy() == []
    assert bytes(VoteRecord.objects.get().sealed_link)


def test_the_command_reports_and_supports_dry_run(voter_client, running, cast, capsys):
    running.delete_after = True
    running.save()
    close(running)
    call_command("destroy_ballot_links", "--dry-run")
    assert f"Would destroy the ballot links of 1 voter(s) in {running.key}." in capsys.readouterr().out
    assert bytes(VoteRecord.objects.get().sealed_link)
    call_command("destroy_ballot_links")
    assert f"Destroyed the ballot links of 1 voter(s) in {running.key}." in capsys.readouterr().out
    call_command("destroy_ballot_links")
    assert "nothing to do" in capsys.readouterr().out


def test_after_links_are_destroyed_the_voter_is_told_no_passphrase_can_reveal_the_ballot(
    voter_client, running, cast
):
    running.delete_after = True
    running.save()
    close(running)
    ballot_links_destroy()
    page = voter_client.get(url(running, "confirmation"))
    assert page.status_code == 200
    assert "no passphrase can reveal your ballot" in page.content.decode()
    response = manage(voter_client, running, "view", PASSPHRASE)
    assert response.status_code == 410
    assert "no passphrase can reveal a ballot" in response.content.decode()
