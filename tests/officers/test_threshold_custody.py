"""Legacy threshold mode (boxes dealt before officers' keys, still running until they close): officers take their
key shares once, enter them after the close, and the box opens only when K are in. Through the officers' pages,
as officers use them. The boxes are the rows that dealing wrote (tests/officers/legacy_custody.py)."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from elections.audit import SHARE_DEAL, SHARE_ENTER, SHARE_TAKE
from elections.ballot_box.custody import custody_of, custody_sync
from elections.models import AuditEvent, Ballot, BallotBox, Election, KeyShare, SealedBallot
from tests.browser.builders import build_election, user
from tests.officers.legacy_custody import legacy_deal

OFFICERS = ("olivia", "oscar", "otto")
SHARE = re.compile(r"[\w-]+ share \d+ of \d+: [A-Z2-7]{4}(?:-[A-Z2-7]{4}){7}")


def signed_in(login):
    client = Client()
    client.force_login(user(login), backend="django.contrib.auth.backends.ModelBackend")
    return client


def threshold_election(key="board---2026", *, status="upcoming", needed=2, officers=OFFICERS):
    election = build_election(key, status=status, officers=officers, officers_to_open=needed)
    legacy_deal(election)
    return election


def take(election, login):
    response = signed_in(login).post(reverse("officers:key_share", args=[election.key]))
    assert response.status_code == 200, response.content[:400]
    return SHARE.search(response.content.decode()).group()


def close(election):
    Election.objects.filter(pk=election.pk).update(end_datetime=timezone.now() - timedelta(seconds=1))
    election.refresh_from_db()


def enter(election, login, text):
    response = signed_in(login).post(reverse("officers:key_share_enter", args=[election.key]), {"share": text},
                                     follow=True)
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_the_import_deals_one_share_per_officer_and_stores_no_usable_key():
    election = threshold_election()
    box = BallotBox.objects.get(election=election)
    assert (box.custody, box.threshold, box.wrapped_private_key) == (BallotBox.THRESHOLD, 2, None)
    shares = list(KeyShare.objects.filter(box=box).order_by("number"))
    assert [(s.number, s.holder) for s in shares] == [(1, "olivia"), (2, "oscar"), (3, "otto")]
    assert all(s.held and s.taken_at is None for s in shares)
    assert AuditEvent.objects.filter(action=SHARE_DEAL, election=election).count() == 1


@pytest.mark.django_db
def test_an_officer_takes_their_share_once_and_the_server_forgets_it():
    election = threshold_election()
    page = signed_in("oscar").get(reverse("officers:key_share", args=[election.key]))
    assert "shows your share once" in page.content.decode()
    assert "1 share may be lost" in page.content.decode()
    text = take(election, "oscar")
    assert text.startswith("board---2026 share 2 of 3: ")
    row = KeyShare.objects.get(box__election=election, holder="oscar")
    assert row.held is None and row.taken_at is not None
    again = signed_in("oscar").post(reverse("officers:key_share", args=[election.key]))
    assert again.status_code == 410
    assert "kept no copy" in again.content.decode()
    assert SHARE.search(again.content.decode()) is None
    event = AuditEvent.objects.get(action=SHARE_TAKE, election=election)
    assert (event.actor, event.detail) == ("oscar", {"share": 2})
    code = text.split(": ")[1]
    assert not any(code in str(e.detail) for e in AuditEvent.objects.all())


@pytest.mark.django_db
def test_the_share_page_is_never_cached():
    election = threshold_election()
    response = signed_in("olivia").post(reverse("officers:key_share", args=[election.key]))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_an_outsider_gets_no_share_and_an_operator_holds_none():
    election = threshold_election()
    assert signed_in("mallory").post(reverse("officers:key_share", args=[election.key])).status_code == 403
    root = user("root")
    root.is_superuser = root.is_staff = True
    root.save()
    response = signed_in("root").post(reverse("officers:key_share", args=[election.key]))
    assert response.status_code == 403
    assert "You hold no share" in response.content.decode()
    assert KeyShare.objects.filter(held__isnull=True).count() == 0


@pytest.mark.django_db
def test_the_officers_page_warns_before_voting_opens_who_has_not_taken_a_share():
    election = threshold_election()
    take(election, "olivia")
    page = signed_in("olivia").get(reverse("officers:overview", args=[election.key])).content.decode()
    assert "Ballot box key: 2 of 3 officers open it" in page
    assert "Not every officer has taken their share:</strong>" not in page  # the text continues with names
    assert "Not every officer has taken their share: oscar, otto." in page
    assert "take the shares before then" in page
    assert "1 share may be lost. If more are lost, the election can never be counted" in page
    take(election, "oscar")
    take(election, "otto")
    page = signed_in("olivia").get(reverse("officers:overview", args=[election.key])).content.decode()
    assert "Not every officer has taken their share" not in page


@pytest.mark.django_db
def test_entering_a_share_before_the_close_is_refused():
    election = threshold_election(status="running")
    text = take(election, "olivia")
    messages = enter(election, "olivia", text)
    assert any("Shares are entered after the close" in m for m in messages), messages
    assert not KeyShare.objects.filter(entered__isnull=False).exists()
    assert not AuditEvent.objects.filter(action=SHARE_ENTER).exists()


@pytest.fixture
def closed_with_ballots(client):
    """A 2-of-3 election in which every officer took a share and two voters voted; now closed."""
    election = threshold_election(status="running")
    shares = {login: take(election, login) for login in OFFICERS}
    for login, ranks in (("alice", {"amara": 1, "bjorn": 2, "chen": 3, "dolores": 4}),
                         ("bob", {"amara": 2, "bjorn": 1, "chen": 3, "dolores": 4})):
        form = {f"rank-{c}": str(r) for c, r in ranks.items()}
        form.update(step="cast", mode="cast", passphrase="plum orbit kettle saffron 91",
                    passphrase_again="plum orbit kettle saffron 91")
        assert signed_in(login).post(reverse("elections:vote", args=[election.key]), form).status_code == 303
    close(election)
    return election, shares


@pytest.mark.django_db
def test_k_minus_one_shares_do_not_open_the_box_and_the_page_says_how_many_are_missing(closed_with_ballots):
    election, shares = closed_with_ballots
    messages = enter(election, "otto", shares["otto"])
    assert "Share 3 is in. 1 more share is needed to open the box." in messages
    assert SealedBallot.objects.filter(election=election).count() == 2
    assert not Ballot.objects.filter(election=election).exists()
    page = signed_in("olivia").get(reverse("officers:overview", args=[election.key])).content.decode()
    assert "1 shares entered; 1 more needed to open the box." in page or "1 more needed" in page
    assert custody_of(election).still_needed == 1
    event = AuditEvent.objects.get(action=SHARE_ENTER)
    assert (event.actor, event.detail) == ("otto", {"share": 3})


@pytest.mark.django_db
def test_the_kth_share_opens_the_box_and_every_held_share_is_destroyed(closed_with_ballots):
    election, shares = closed_with_ballots
    enter(election, "olivia", shares["olivia"])
    messages = enter(election, "oscar", shares["oscar"])
    assert any("the ballot box is open, 2 ballots were read" in m for m in messages), messages
    assert Ballot.objects.filter(election=election).count() == 2
    assert not SealedBallot.objects.filter(election=election).exists()
    box = BallotBox.objects.get(election=election)
    assert box.opened_at is not None and box.shared_private_key is None
    assert not KeyShare.objects.filter(box=box, entered__isnull=False).exists()
    assert not KeyShare.objects.filter(box=box, held__isnull=False).exists()
    results = signed_in("olivia").get(reverse("officers:results", args=[election.key]))
    assert results.status_code == 200
    late = enter(election, "otto", shares["otto"])
    assert any("already open" in m for m in late), late


@pytest.mark.parametrize("mistake", ["typo", "swap", "truncated", "another officer's", "another election's",
                                     "dealt before", "not a share", "relabelled"])
@pytest.mark.django_db
def test_a_wrong_share_is_refused_and_named_and_opens_nothing(closed_with_ballots, mistake):
    election, shares = closed_with_ballots
    mine = shares["olivia"]
    position = len(mine) - 3
    other_symbol = "A" if mine[position] != "A" else "B"
    if mistake == "relabelled":
        # The share's own text with another label (the election's folder was renamed since): still the share.
        assert "Share 1 is in." in enter(election, "olivia", mine.replace("board---2026", "board---old"))[0]
        return
    if mistake == "dealt before":
        # A well-formed share of this election that is not the one dealt (say, kept from before a re-deal).
        from elections.ballot_box.key_shares import Share, share_encode

        box = BallotBox.objects.get(election=election)
        wrong = share_encode(Share(1, bytes(16)), election_key=election.key, holders=3, binding=box.public_key)
    else:
        wrong = {
            "typo": mine[:position] + other_symbol + mine[position + 1:],
            "swap": mine[:-2] + mine[-1] + mine[-2] if mine[-1] != mine[-2] else mine[:-3] + "AB" + mine[-1],
            "truncated": mine[:-2],
            "another officer's": shares["oscar"],
            "another election's": take(threshold_election("board---2025", status="running"), "olivia"),
            "not a share": "my share is in my password manager",
        }[mistake]
    expected = {
        "typo": "Share 1 does not check out",
        "swap": "Share 1 does not check out",
        "truncated": "Share 1: its code must be 32 letters",
        "another officer's": "That is share 2, dealt to oscar. Yours is share 1",
        "another election's": "This share is for the election board---2025, not board---2026",
        "dealt before": "Share 1 is well formed but is not the share dealt for this box",
        "not a share": "This is not a key share",
    }[mistake]
    messages = enter(election, "olivia", wrong)
    assert any(expected in m for m in messages), messages
    assert not KeyShare.objects.filter(entered__isnull=False).exists()
    assert not Ballot.objects.filter(election=election).exists()
    # The right share still goes in afterwards.
    assert "Share 1 is in. 1 more share is needed to open the box." in enter(election, "olivia", mine)


@pytest.mark.django_db
def test_an_operator_cannot_open_a_threshold_box_alone(closed_with_ballots):
    election, _ = closed_with_ballots
    with pytest.raises(CommandError, match="only with the shares of 2 officers"):
        call_command("open_ballot_box", election.key)
    assert not Ballot.objects.filter(election=election).exists()


@pytest.mark.django_db
def test_the_command_shows_who_holds_legacy_shares(capsys):
    election = threshold_election()
    take(election, "olivia")
    call_command("ballot_box_shares", election.key)
    out = capsys.readouterr().out
    assert "2 of 3 officers open the ballot box (1 share(s) may be lost)" in out
    assert "share 1: olivia, taken" in out and "share 2: oscar, NOT TAKEN" in out
    assert "Not taken yet: oscar, otto" in out


@pytest.mark.django_db
def test_a_legacy_box_keeps_its_shares_once_voting_has_begun():
    election = threshold_election(status="running")
    box = BallotBox.objects.get(election=election)
    with transaction.atomic():
        assert custody_sync(election=election) == []
    election.officers.create(login="ursula")
    with transaction.atomic():
        warnings = custody_sync(election=election)
    assert "voting has begun" in warnings[0] and "olivia, oscar, otto" in warnings[0]
    after = BallotBox.objects.get(election=election)
    assert (after.custody, bytes(after.public_key)) == (BallotBox.THRESHOLD, bytes(box.public_key))


@pytest.mark.django_db
def test_the_officers_page_says_what_a_copy_of_a_legacy_box_database_is_exposed_to():
    election = threshold_election(status="running")
    page = signed_in("olivia").get(reverse("officers:overview", args=[election.key])).content.decode()
    assert "This box was dealt before officers' keys:" in page
    assert "with enough of them can read every ballot" in page
