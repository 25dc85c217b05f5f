"""Accounts follow GitHub's numeric user id through the real sign-in pipeline: renames keep the user, a login
registered again by someone else gets a new one, and nothing (votes, requests, flags) changes hands."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from social_django.models import UserSocialAuth

from elections.audit import ACCOUNT_RENAME
from elections.models import AuditEvent, ExceptionRequest, VoteRecord
from elections.voting import services
from tests.browser.builders import build_election

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSPHRASE = "plum orbit kettle saffron 91"
RANKS = {"amara": 1, "bjorn": 2, "chen": 3, "dolores": 4}


def signed_in_user(client):
    response = client.get("/app")
    assert response.status_code == 200, "the client is not signed in"
    return response.wsgi_request.user


def history_of(user, election):
    """What the person did: their vote record, their exception request (with its e-mail) and their flags."""
    return {
        "voted": VoteRecord.objects.filter(election=election, voter=user).exists(),
        "requests": list(ExceptionRequest.objects.filter(requester=user).values_list("email", flat=True)),
        "superuser": User.objects.get(pk=user.pk).is_superuser,
    }


@pytest.fixture
def alice_with_history(github):
    """GitHub account 1001, signed in as "alice": a superuser who voted and asked for an exception elsewhere."""
    client = Client()
    assert github(client, "Alice", 1001).status_code == 302
    alice = signed_in_user(client)
    User.objects.filter(pk=alice.pk).update(is_superuser=True, is_staff=True)
    election = build_election("steering---2026", voters=("alice", "alice-2"))
    services.ballot_cast(election=election, voter=alice, ranks=RANKS, passphrase=PASSPHRASE)
    other = build_election("code-of-conduct---2026", voters=())
    ExceptionRequest.objects.create(election=other, requester=alice, name="Alice", email="alice@example.org",
                                    contributions="Reviews")
    return alice, election


def test_a_new_account_is_created_under_its_lower_cased_login_and_linked_by_id(github):
    client = Client()
    response = github(client, "New-Comer", 777)
    assert response.status_code == 302 and response["Location"] == "/app"
    user = signed_in_user(client)
    assert user.username == "new-comer"
    link = UserSocialAuth.objects.get(user=user)
    assert (link.provider, link.uid) == ("github", "777")
    assert link.extra_data == {"id": 777, "login": "New-Comer"}  # the access token is not kept


def test_a_renamed_github_account_keeps_its_user_under_the_new_login(github, alice_with_history):
    alice, election = alice_with_history
    client = Client()
    github(client, "alice-2", 1001)

    user = signed_in_user(client)
    assert user.pk == alice.pk
    assert user.username == "alice-2"
    assert not User.objects.filter(username="alice").exists()
    assert history_of(user, election) == {"voted": True, "requests": ["alice@example.org"], "superuser": True}
    rename = AuditEvent.objects.get(action=ACCOUNT_RENAME)
    assert rename.detail["from"] == "alice" and rename.detail["to"] == "alice-2"
    # The voter roll is matched with the login GitHub reports now.
    assert client.get(f"/app/elections/{election.key}/vote").status_code == 200


def test_a_login_registered_again_by_another_account_gets_a_new_user_and_nothing_of_the_old(
        github, alice_with_history):
    alice, election = alice_with_history
    # Alice renamed her GitHub account and has not signed in since; someone else registered "alice".
    newcomer_client = Client()
    github(newcomer_client, "alice", 2002)

    newcomer = signed_in_user(newcomer_client)
    assert newcomer.pk != alice.pk
    assert newcomer.username == "alice"
    assert history_of(newcomer, election) == {"voted": False, "requests": [], "superuser": False}
    assert not newcomer.is_staff
    # The newcomer does not reach Alice's ballot or her request.
    assert newcomer_client.get(f"/app/elections/{election.key}/confirmation").status_code == 404
    assert newcomer_client.get("/admin/").status_code != 200

    # Alice's user was moved aside under a name no GitHub login can take, with everything it holds.
    alice.refresh_from_db()
    assert alice.username == "alice+github-1001"
    assert history_of(alice, election) == {"voted": True, "requests": ["alice@example.org"], "superuser": True}

    # When Alice signs in under her new login, she gets her own user back, under that login.
    alice_client = Client()
    github(alice_client, "alice-2", 1001)
    assert signed_in_user(alice_client).pk == alice.pk
    alice.refresh_from_db()
    assert alice.username == "alice-2"
    assert history_of(alice, election)["voted"] is True
    # And the newcomer still signs in as the newcomer.
    github(Client(), "alice", 2002)
    assert User.objects.get(username="alice").pk == newcomer.pk


def test_an_account_renamed_onto_a_login_held_by_an_unlinked_user_does_not_inherit_it(github):
    # "erin" was made an operator with createsuperuser before ever signing in; GitHub account 3003, which had
    # its own user as "frank", renames itself to "erin".
    erin = User.objects.create(username="erin", is_superuser=True, is_staff=True)
    github(Client(), "frank", 3003)
    frank = User.objects.get(username="frank")

    client = Client()
    github(client, "erin", 3003)

    user = signed_in_user(client)
    assert user.pk == frank.pk and user.username == "erin"
    assert not user.is_superuser and not user.is_staff
    erin.refresh_from_db()
    assert erin.username == f"erin+user-{erin.pk}" and erin.is_superuser


def test_a_user_created_before_ids_were_used_is_linked_at_its_next_sign_in(github):
    carol = User.objects.create(username="carol", is_superuser=True)
    election = build_election("steering---2026", voters=("carol",))
    services.ballot_cast(election=election, voter=carol, ranks=RANKS, passphrase=PASSPHRASE)

    client = Client()
    github(client, "Carol", 4004)

    assert signed_in_user(client).pk == carol.pk
    assert UserSocialAuth.objects.get(user=carol).uid == "4004"
    assert history_of(carol, election) == {"voted": True, "requests": [], "superuser": True}
    # From now on the login alone no longer reaches this user: another account taking "carol" gets its own.
    github(Client(), "carol", 5005)
    carol.refresh_from_db()
    assert carol.username == "carol+github-4004"
    assert User.objects.get(username="carol").pk != carol.pk


def test_a_user_linked_by_login_is_re_linked_by_id_at_its_next_sign_in(github):
    dave = User.objects.create(username="dave")
    UserSocialAuth.objects.create(user=dave, provider="github", uid="dave", extra_data={"login": "dave"})

    client = Client()
    github(client, "dave", 6006)

    assert signed_in_user(client).pk == dave.pk
    assert list(UserSocialAuth.objects.filter(user=dave).values_list("uid", flat=True)) == ["6006"]
    github(Client(), "dave-renamed", 6006)
    dave.refresh_from_db()
    assert dave.username == "dave-renamed"


def test_signing_in_as_another_account_replaces_the_signed_in_user_without_linking_them(github):
    client = Client()
    github(client, "first", 7007)
    github(client, "second", 8008)

    assert signed_in_user(client).username == "second"
    first, second = User.objects.get(username="first"), User.objects.get(username="second")
    assert list(UserSocialAuth.objects.filter(user=first).values_list("uid", flat=True)) == ["7007"]
    assert list(UserSocialAuth.objects.filter(user=second).values_list("uid", flat=True)) == ["8008"]


def test_a_github_answer_without_a_numeric_id_signs_nobody_in(github):
    client = Client()
    response = github(client, "mallory", "mallory")
    assert response.status_code == 302 and response["Location"].startswith("/login")
    assert not User.objects.exists()
    assert client.get("/app").status_code == 302


def test_a_voter_who_renamed_their_account_during_the_election_still_opens_their_ballot(github, alice_with_history):
    alice, election = alice_with_history
    client = Client()
    github(client, "alice-2", 1001)

    view = client.post(f"/app/elections/{election.key}/confirmation", {"action": "view", "passphrase": PASSPHRASE})
    assert view.status_code == 200
    # Changing the ballot seals it again, under the new login; it opens afterwards too.
    renamed = User.objects.get(pk=alice.pk)
    changed = {"amara": 4, "bjorn": 3, "chen": 2, "dolores": 1}
    services.ballot_change(election=election, voter=renamed, passphrase=PASSPHRASE, ranks=changed)
    assert services.ballot_view(election=election, voter=renamed, passphrase=PASSPHRASE).ranks == changed
    wrong = client.post(f"/app/elections/{election.key}/confirmation", {"action": "view", "passphrase": "wrong " * 3})
    assert wrong.status_code == 403
