"""One roll entry, one ballot: the first ballot cast under a roll login binds the entry to the GitHub account that
cast it, so a login freed by a rename and registered by someone else cannot cast a second one."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from elections.audit import ROLL_REBIND
from elections.models import AuditEvent, ExceptionRequest, RollBinding, VoteRecord
from elections.voting import exception_requests, services
from tests.browser.builders import build_election
from tests.conftest import box_open_now
from tests.security.conftest import PASSPHRASE

pytestmark = pytest.mark.django_db

User = get_user_model()
RANKS = {"amara": 1, "bjorn": 2, "chen": 3, "dolores": 4}
OTHER_RANKS = {"amara": 4, "bjorn": 3, "chen": 2, "dolores": 1}


def signed_in(github, login, github_id):
    client = Client()
    assert github(client, login, github_id).status_code == 302
    return client, User.objects.get(username=login.lower())


@pytest.fixture
def election():
    return build_election("steering---2026", voters=("v08", "v09"), officers=("olivia",))


@pytest.fixture
def v08_voted_then_renamed(github, election):
    """GitHub account 8008 votes as "v08", then renames itself "v08-renamed" and signs in again."""
    _, v08 = signed_in(github, "v08", 8008)
    services.ballot_cast(election=election, voter=v08, ranks=RANKS, passphrase=PASSPHRASE)
    signed_in(github, "v08-renamed", 8008)
    v08.refresh_from_db()
    return v08


def test_the_first_ballot_binds_the_roll_entry_to_the_github_account_that_cast_it(github, election):
    _, v08 = signed_in(github, "V08", 8008)

    services.ballot_cast(election=election, voter=v08, ranks=RANKS, passphrase=PASSPHRASE)

    binding = RollBinding.objects.get(election=election)
    assert (binding.login, binding.voter_id, binding.github_id) == ("v08", v08.pk, "8008")


def test_a_freed_login_registered_by_another_account_cannot_cast_a_second_ballot(github, election,
                                                                                 v08_voted_then_renamed):
    # Someone registers the freed login "v08" on GitHub: a new account, which the roll's "v08" still names.
    client, newcomer = signed_in(github, "v08", 9009)
    assert newcomer.pk != v08_voted_then_renamed.pk

    with pytest.raises(services.RollEntryTaken) as refused:
        services.ballot_cast(election=election, voter=newcomer, ranks=OTHER_RANKS, passphrase=PASSPHRASE)
    assert "election officers" in refused.value.message
    assert "exception request" in refused.value.message

    # The ballot page says the same, and sends them to the exception request form.
    page = client.get(reverse("elections:vote", args=[election.key]))
    assert page.status_code == 409
    assert "another GitHub account already cast a ballot" in page.content.decode()
    assert client.get(reverse("elections:exception", args=[election.key])).status_code == 200

    assert VoteRecord.objects.filter(election=election).count() == 1
    assert len(box_open_now(election)) == 1


def test_the_voter_who_renamed_still_holds_their_entry_and_may_change_their_ballot(election, v08_voted_then_renamed):
    voter = v08_voted_then_renamed
    assert voter.username == "v08-renamed"

    services.ballot_change(election=election, voter=voter, passphrase=PASSPHRASE, ranks=OTHER_RANKS)

    assert [b.ranks for b in box_open_now(election)] == [OTHER_RANKS]


def test_an_exception_the_officers_grant_lets_the_new_holder_of_the_login_vote(github, election,
                                                                               v08_voted_then_renamed):
    _, newcomer = signed_in(github, "v08", 9009)
    request = exception_requests.exception_request_submit(election=election, requester=newcomer, name="New Person",
                                                email="new@example.org", contributions="Docs")
    officer_client, olivia = signed_in(github, "olivia", 7007)

    overview = officer_client.get(reverse("officers:overview", args=[election.key])).content.decode()
    assert "is on the voter roll, but another GitHub account already cast a ballot under that login" in overview

    exception_requests.exception_request_review(request=request, reviewer=olivia, approve=True,
                                                comment="A different person")
    services.ballot_cast(election=election, voter=newcomer, ranks=OTHER_RANKS, passphrase=PASSPHRASE)

    assert len(box_open_now(election)) == 2


def test_an_approved_exception_is_bound_to_its_requesters_account_not_to_the_login(github):
    election = build_election("steering---2026", voters=(), officers=("olivia",))
    _, mallory = signed_in(github, "mallory", 6006)
    ExceptionRequest.objects.create(election=election, requester=mallory, name="Mallory", email="m@example.org",
                                    contributions="Tests", status=ExceptionRequest.APPROVED)
    # Mallory renames; someone else registers "mallory".
    signed_in(github, "mallory-2", 6006)
    _, newcomer = signed_in(github, "mallory", 6116)

    with pytest.raises(services.NotEligible):
        services.ballot_cast(election=election, voter=newcomer, ranks=RANKS, passphrase=PASSPHRASE)
    mallory.refresh_from_db()
    services.ballot_cast(election=election, voter=mallory, ranks=RANKS, passphrase=PASSPHRASE)
    assert VoteRecord.objects.filter(election=election).count() == 1


def test_officers_give_the_entry_of_a_voter_who_renamed_before_voting_to_their_account(github, election):
    # The roll names "v09"; its owner, GitHub account 9090, renamed to "v09-new" before voting.
    voter_client, voter = signed_in(github, "v09-new", 9090)
    with pytest.raises(services.NotEligible):
        services.ballot_cast(election=election, voter=voter, ranks=RANKS, passphrase=PASSPHRASE)
    officer_client, _ = signed_in(github, "olivia", 7007)
    url = reverse("officers:rebind", args=[election.key])

    response = officer_client.post(url, {"login": "v09", "account": "v09-new",
                                         "reason": "Renamed on GitHub; confirmed on the mailing list."}, follow=True)

    assert "The roll entry v09 now belongs to the account v09-new." in response.content.decode()
    binding = RollBinding.objects.get(election=election, login="v09")
    assert (binding.voter_id, binding.github_id) == (voter.pk, "9090")
    event = AuditEvent.objects.get(action=ROLL_REBIND)
    assert event.actor == "olivia"
    assert event.detail["reason"] == "Renamed on GitHub; confirmed on the mailing list."
    assert event.detail["to"]["github_id"] == "9090"
    assert voter_client.get(reverse("elections:vote", args=[election.key])).status_code == 200
    services.ballot_cast(election=election, voter=voter, ranks=RANKS, passphrase=PASSPHRASE)
    # The former owner of the login, whoever holds it now, is refused.
    _, squatter = signed_in(github, "v09", 9999)
    with pytest.raises(services.RollEntryTaken):
        services.ballot_cast(election=election, voter=squatter, ranks=RANKS, passphrase=PASSPHRASE)


@pytest.mark.parametrize(("form", "message"), [
    ({"login": "v09", "account": "v09-new", "reason": " "}, "Give the reason"),
    ({"login": "nobody", "account": "v09-new", "reason": "r"}, "nobody is not on this election"),
    ({"login": "v09", "account": "never-signed-in", "reason": "r"}, "No account named never-signed-in"),
])
def test_a_rebinding_without_reason_roll_line_or_account_is_refused(github, election, form, message):
    signed_in(github, "v09-new", 9090)
    officer_client, _ = signed_in(github, "olivia", 7007)

    response = officer_client.post(reverse("officers:rebind", args=[election.key]), form, follow=True)

    assert message in response.content.decode()
    assert not RollBinding.objects.exists() and not AuditEvent.objects.filter(action=ROLL_REBIND).exists()


def test_an_entry_whose_account_holds_a_ballot_cannot_be_given_to_another(github, election, v08_voted_then_renamed):
    _, newcomer = signed_in(github, "v08", 9009)
    officer_client, _ = signed_in(github, "olivia", 7007)

    response = officer_client.post(reverse("officers:rebind", args=[election.key]),
                                   {"login": "v08", "account": "v08", "reason": "Claims to be v08"}, follow=True)

    assert "the entry would count two ballots" in response.content.decode()
    assert RollBinding.objects.get(login="v08").voter_id == v08_voted_then_renamed.pk
    with pytest.raises(services.RollEntryTaken):
        services.ballot_cast(election=election, voter=newcomer, ranks=RANKS, passphrase=PASSPHRASE)


def test_only_the_elections_officers_may_give_a_roll_entry_and_only_by_post(github, election):
    signed_in(github, "v09-new", 9090)
    outsider_client, _ = signed_in(github, "mallory", 6006)
    officer_client, _ = signed_in(github, "olivia", 7007)
    url = reverse("officers:rebind", args=[election.key])
    form = {"login": "v09", "account": "v09-new", "reason": "r"}

    assert outsider_client.post(url, form).status_code in (403, 404)
    assert officer_client.get(url).status_code == 405
    assert not RollBinding.objects.exists()


def test_a_rebinding_after_the_close_is_refused(github, election):
    signed_in(github, "v09-new", 9090)
    officer_client, _ = signed_in(github, "olivia", 7007)
    election.end_datetime = election.start_datetime + (election.end_datetime - election.start_datetime) / 100
    election.save(update_fields=["end_datetime"])
    assert election.is_completed

    response = officer_client.post(reverse("officers:rebind", args=[election.key]),
                                   {"login": "v09", "account": "v09-new", "reason": "late"}, follow=True)

    assert "Voting has closed in this election, so a roll entry can no longer change hands." in (
        response.content.decode())
    assert not RollBinding.objects.exists()


def test_the_election_page_shows_who_may_vote_as_the_ballot_page_does(github, election, v08_voted_then_renamed):
    newcomer_client, _ = signed_in(github, "v08", 9009)
    renamed_client, _ = signed_in(github, "v08-renamed", 8008)
    detail_url = reverse("elections:detail", args=[election.key])

    newcomer_page = newcomer_client.get(detail_url)
    renamed_page = renamed_client.get(detail_url)

    assert newcomer_page.status_code == renamed_page.status_code == 200
    # The newcomer is offered the exception request; the voter who renamed still holds their ballot.
    assert not newcomer_page.context["eligible"] and newcomer_page.context["can_request_exception"]
    assert renamed_page.context["eligible"] and renamed_page.context["can_manage_ballot"]
