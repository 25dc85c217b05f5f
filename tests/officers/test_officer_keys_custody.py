"""Threshold mode with officers' own keys (ballot_box: {officers_to_open: K, officer_keys: {...}}): each share is
encrypted with age to its officer's keys when dealt, the officer decrypts it with the age tool and proves it
with the check code, and after the close K officers open the box with their decrypted shares in one form. No
share the server could open is ever stored. Through the officers' pages, as officers use them."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from elections.audit import SHARE_CONFIRM, SHARE_DEAL, SHARES_COMBINE
from elections.ballot_box.custody import custody_of, custody_sync
from elections.ballot_box.key_shares import check_code_in
from elections.models import AuditEvent, Ballot, BallotBox, Election, KeyShare, SealedBallot
from tests.browser.builders import build_election, user
from tests.officer_keys import officer_identities, pinned
from tests.security.conftest import PASSPHRASE

OFFICERS = ("olivia", "oscar", "otto")
SHARE_LINE = re.compile(r"^[\w-]+ share \d+ of \d+: [A-Z2-7]{4}(?:-[A-Z2-7]{4}){7}$", re.MULTILINE)


def signed_in(login):
    client = Client()
    client.force_login(user(login), backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def identities(tmp_path):
    """olivia and otto have age keys, oscar an SSH ed25519 key, as GitHub publishes it."""
    return officer_identities(tmp_path, OFFICERS, ssh=("oscar",))


def threshold_election(identities, key="board---2026", *, status="upcoming", needed=2):
    election = build_election(key, status=status, officers=OFFICERS, officers_to_open=needed,
                              officer_keys=pinned(identities))
    with transaction.atomic():
        warnings = custody_sync(election=election)
    assert warnings == [f"{election.path}/election.yaml: ballot_box: not yet confirmed with their check code: "
                        "olivia, oscar, otto (each downloads their share from the officers' page, decrypts it with "
                        f"age and enters its check code; {needed} must be able to)"]
    return election


def download(election, login):
    response = signed_in(login).get(reverse("officers:key_share_download", args=[election.key]))
    assert response.status_code == 200, response.content[:300]
    return response


def decrypted(election, identities, login):
    """What ``login`` reads after ``age -d -i THEIR_KEY <election>-share-<n>.age``."""
    return identities[login].decrypt(download(election, login).content.decode("ascii"))


def close(election):
    Election.objects.filter(pk=election.pk).update(end_datetime=timezone.now() - timedelta(seconds=1))
    election.refresh_from_db()


@pytest.mark.django_db
def test_the_deal_stores_each_share_encrypted_to_its_officer_and_no_usable_key(identities):
    election = threshold_election(identities)
    box = BallotBox.objects.get(election=election)
    assert (box.custody, box.threshold, box.wrapped_private_key) == (BallotBox.OFFICER_KEYS, 2, None)
    rows = list(KeyShare.objects.filter(box=box).order_by("number"))
    assert [(r.number, r.holder) for r in rows] == [(1, "olivia"), (2, "oscar"), (3, "otto")]
    for row in rows:
        assert row.sealed_share.startswith("-----BEGIN AGE ENCRYPTED FILE-----")
        assert (row.held, row.entered, row.confirmed_at) == (None, None, None)
    assert rows[1].recipients[0].startswith("SHA256:") and rows[0].recipients[0].startswith("age1")
    event = AuditEvent.objects.get(action=SHARE_DEAL, election=election)
    assert event.detail["keys"] == {r.holder: r.recipients for r in rows}


@pytest.mark.django_db
def test_each_officer_downloads_their_share_and_decrypts_it_with_age_and_their_own_key(identities):
    election = threshold_election(identities)
    response = download(election, "oscar")
    assert response["Content-Disposition"] == 'attachment; filename="board---2026-share-2.age"'
    text = identities["oscar"].decrypt(response.content.decode("ascii"))
    assert SHARE_LINE.search(text).group().startswith("board---2026 share 2 of 3: ")
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", check_code_in(text))
    with pytest.raises(AssertionError, match="no identity matched"):
        identities["olivia"].decrypt(response.content.decode("ascii"))
    assert "board---2026 share 1 of 3: " in decrypted(election, identities, "olivia")
    page = signed_in("oscar").get(reverse("officers:key_share", args=[election.key])).content.decode()
    assert "age -d -i ~/.ssh/id_ed25519 board---2026-share-2.age" in page
    assert KeyShare.objects.get(holder="oscar").recipients[0] in page


@pytest.mark.django_db
def test_an_outsider_and_an_operator_download_no_share(identities):
    election = threshold_election(identities)
    assert signed_in("mallory").get(reverse("officers:key_share_download", args=[election.key])).status_code == 403
    root = user("root")
    root.is_superuser = root.is_staff = True
    root.save()
    response = signed_in("root").get(reverse("officers:key_share_download", args=[election.key]))
    assert response.status_code == 403 and "You hold no share" in response.content.decode()


@pytest.mark.django_db
def test_the_check_code_proves_an_officer_can_decrypt_and_the_page_warns_until_k_have(identities):
    election = threshold_election(identities)
    overview = reverse("officers:overview", args=[election.key])
    page = signed_in("olivia").get(overview).content.decode()
    assert "Only 0 officers have shown that they can decrypt their share; 2 are needed" in page
    assert "Not yet confirmed with their check code: olivia, oscar, otto." in page
    url = reverse("officers:key_share", args=[election.key])
    codes = {login: check_code_in(decrypted(election, identities, login)) for login in OFFICERS}

    def confirm(login, code):
        return [str(m) for m in signed_in(login).post(url, {"code": code}, follow=True).context["messages"]]

    assert any("does not match your share 1" in m for m in confirm("olivia", "AAAA-BBBB-CCCC"))
    assert any("That is the check code of oscar's share" in m for m in confirm("olivia", codes["oscar"]))
    assert not AuditEvent.objects.filter(action=SHARE_CONFIRM).exists()
    assert any("Share 1 is confirmed" in m for m in confirm("olivia", codes["olivia"].lower().replace("-", " ")))
    # The whole decrypted file pasted works too.
    assert any("Share 2 is confirmed" in m for m in confirm("oscar", decrypted(election, identities, "oscar")))
    page = signed_in("olivia").get(overview).content.decode()
    assert "Only" not in page and "Not yet confirmed with their check code: otto." in page
    assert custody_of(election).not_confirmed == ["otto"]
    event = AuditEvent.objects.filter(action=SHARE_CONFIRM).order_by("at").first()
    assert (event.actor, event.detail) == ("olivia", {"share": 1})
    assert not any(codes["olivia"] in str(e.detail) for e in AuditEvent.objects.all())


@pytest.fixture
def closed_with_ballots(identities):
    """A 2-of-3 election; two voters voted; now closed. Returns the election and each officer's decrypted file."""
    election = threshold_election(identities, status="running")
    for login, ranks in (("alice", {"amara": 1, "bjorn": 2, "chen": 3, "dolores": 4}),
                         ("bob", {"amara": 2, "bjorn": 1, "chen": 3, "dolores": 4})):
        form = {f"rank-{c}": str(r) for c, r in ranks.items()}
        form.update(step="cast", mode="cast", passphrase=PASSPHRASE,
                    passphrase_again=PASSPHRASE)
        assert signed_in(login).post(reverse("elections:vote", args=[election.key]), form).status_code == 303
    files = {login: decrypted(election, identities, login) for login in OFFICERS}
    close(election)
    return election, files


def open_with(election, login, fields, files=None):
    data = dict(fields)
    data.update(files or {})
    response = signed_in(login).post(reverse("officers:key_shares_open", args=[election.key]), data, follow=True)
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def share_of(text):
    return SHARE_LINE.search(text).group()


def nothing_written(election):
    assert not Ballot.objects.filter(election=election).exists()
    assert SealedBallot.objects.filter(election=election).count() == 2
    assert BallotBox.objects.get(election=election).opened_at is None
    assert not KeyShare.objects.filter(box__election=election, entered__isnull=False).exists()
    assert not AuditEvent.objects.filter(action=SHARES_COMBINE).exists()


@pytest.mark.django_db
def test_k_officers_open_the_box_with_their_decrypted_shares_in_one_form(closed_with_ballots):
    election, files = closed_with_ballots
    before = {r.pk: (r.sealed_share, bytes(r.digest)) for r in KeyShare.objects.filter(box__election=election)}
    messages = open_with(election, "otto", {"share-1": share_of(files["olivia"])},
                         {"file-3": SimpleUploadedFile("board---2026-share-3", files["otto"].encode())})
    assert any("The ballot box is open: 2 ballots were read." in m for m in messages), messages
    assert Ballot.objects.filter(election=election).count() == 2
    assert not SealedBallot.objects.filter(election=election).exists()
    box = BallotBox.objects.get(election=election)
    assert box.opened_at is not None and box.shared_private_key is None and box.opened_by == "otto"
    # Nothing given on the form was written: the share rows are as dealt.
    after = {r.pk: (r.sealed_share, bytes(r.digest)) for r in KeyShare.objects.filter(box__election=election)}
    assert after == before
    event = AuditEvent.objects.get(action=SHARES_COMBINE)
    assert (event.actor, event.detail) == ("otto", {"shares": [1, 3], "holders": ["olivia", "otto"]})
    assert signed_in("olivia").get(reverse("officers:results", args=[election.key])).status_code == 200


@pytest.mark.django_db
def test_opening_before_the_close_is_refused(identities):
    election = threshold_election(identities, status="running")
    files = {login: decrypted(election, identities, login) for login in OFFICERS}
    messages = open_with(election, "olivia", {"share-1": files["olivia"], "share-2": files["oscar"]})
    assert any("The box is opened after the close" in m for m in messages), messages
    assert BallotBox.objects.get(election=election).opened_at is None


@pytest.mark.parametrize("mistake", ["too few", "typo", "another officer's field", "another election's",
                                     "dealt before", "not a share"])
@pytest.mark.django_db
def test_a_wrong_or_missing_share_is_named_and_nothing_is_written(closed_with_ballots, identities, mistake):
    election, files = closed_with_ballots
    olivia, oscar = share_of(files["olivia"]), share_of(files["oscar"])
    if mistake == "dealt before":
        from elections.ballot_box.key_shares import Share, share_encode

        box = BallotBox.objects.get(election=election)
        wrong = share_encode(Share(2, bytes(16)), election_key=election.key, holders=3, binding=box.public_key)
    elif mistake == "another election's":
        other = threshold_election(identities, "board---2025", status="running")
        wrong = share_of(decrypted(other, identities, "oscar"))
    else:
        position = len(oscar) - 3
        wrong = {"too few": "", "typo": oscar[:position] + ("A" if oscar[position] != "A" else "B")
                 + oscar[position + 1:], "another officer's field": olivia, "not a share": "in my password manager",
                 }[mistake]
    expected = {
        "too few": "1 share given; 2 are needed to open the box. Nothing was opened.",
        "typo": "The share of oscar: Share 2 does not check out",
        "another officer's field": "The share in the field of oscar is share 1, dealt to olivia",
        "another election's": "The share of oscar: This share is for the election board---2025, not board---2026",
        "dealt before": "The share of oscar is well formed but is not the share dealt for this box",
        "not a share": "The share of oscar: This is not a key share",
    }[mistake]
    messages = open_with(election, "olivia", {"share-1": olivia, "share-2": wrong})
    assert any(expected in m for m in messages), messages
    nothing_written(election)
    assert any("2 ballots were read" in m for m in open_with(election, "olivia", {"share-1": olivia,
                                                                                   "share-2": oscar}))


@pytest.mark.django_db
def test_changing_a_key_before_voting_opens_deals_again_and_after_keeps_the_box(identities, tmp_path):
    election = threshold_election(identities)
    old = bytes(BallotBox.objects.get(election=election).public_key)
    old_file = decrypted(election, identities, "otto")
    fresh = officer_identities(tmp_path / "new", ["otto"])
    Election.objects.filter(pk=election.pk).update(officer_keys=pinned({**identities, **fresh}))
    election.refresh_from_db()
    with transaction.atomic():
        warnings = custody_sync(election=election)
    assert "dealt again" in warnings[0] and "not yet confirmed" in warnings[1]
    box = BallotBox.objects.get(election=election)
    assert bytes(box.public_key) != old
    new_file = fresh["otto"].decrypt(KeyShare.objects.get(box=box, holder="otto").sealed_share)
    assert share_of(new_file) != share_of(old_file)
    Election.objects.filter(pk=election.pk).update(start_datetime=timezone.now() - timedelta(minutes=1),
                                                   officer_keys=pinned(identities))
    election.refresh_from_db()
    with transaction.atomic():
        warnings = custody_sync(election=election)
    assert "voting has begun" in warnings[0]
    assert bytes(BallotBox.objects.get(election=election).public_key) == bytes(box.public_key)


@pytest.mark.django_db
def test_the_command_shows_who_has_not_confirmed_and_deals_again_only_before_voting_opens(identities, capsys):
    election = threshold_election(identities)
    call_command("ballot_box_shares", election.key)
    out = capsys.readouterr().out
    assert "2 of 3 officers open the ballot box (1 share(s) may be lost)" in out
    assert "share 2: oscar, encrypted to SHA256:" in out and "NOT CONFIRMED" in out
    assert "Not confirmed yet: olivia, oscar, otto" in out
    old = bytes(BallotBox.objects.get(election=election).public_key)
    call_command("ballot_box_shares", election.key, "--deal-again")
    assert bytes(BallotBox.objects.get(election=election).public_key) != old
    Election.objects.filter(pk=election.pk).update(start_datetime=timezone.now() - timedelta(minutes=1))
    with pytest.raises(CommandError, match="has begun"):
        call_command("ballot_box_shares", election.key, "--deal-again")


@pytest.mark.django_db
def test_a_cast_into_a_threshold_election_without_officers_keys_is_refused_and_writes_nothing():
    election = build_election("board---2026", officers=OFFICERS, officers_to_open=2)
    form = {"rank-amara": "1", "rank-bjorn": "2", "rank-chen": "3", "rank-dolores": "4", "step": "cast",
            "mode": "cast", "passphrase": PASSPHRASE,
            "passphrase_again": PASSPHRASE}
    response = signed_in("alice").post(reverse("elections:vote", args=[election.key]), form)
    assert response.status_code == 503
    assert "its officers must fix election.yaml" in response.content.decode()
    assert "no usable key for olivia, oscar, otto" in response.content.decode()
    assert not SealedBallot.objects.exists() and not BallotBox.objects.exists()
    assert not election.vote_records.exists()


@pytest.mark.django_db
def test_results_asked_for_before_the_opening_say_that_k_officers_open_the_box(closed_with_ballots):
    election, _files = closed_with_ballots
    response = signed_in("olivia").get(reverse("officers:results", args=[election.key]))
    assert response.status_code == 409
    page = response.content.decode()
    assert "2 officers open the box together, with their shares of its key" in page
    assert "open_ballot_box" not in page


@pytest.mark.django_db
def test_an_uploaded_share_file_is_never_written_to_a_temporary_file(closed_with_ballots, settings):
    """Only the memory upload handler reads the opening form: a file too large for memory is dropped rather than
    spooled to disk, and the form still checks its CSRF token."""
    election, files = closed_with_ballots
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64  # smaller than a share file: Django would spool it to disk
    upload = SimpleUploadedFile("board---2026-share-3", files["otto"].encode())
    messages = open_with(election, "otto", {"share-1": share_of(files["olivia"])}, {"file-3": upload})
    assert any("1 share given; 2 are needed" in m for m in messages), messages
    nothing_written(election)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user("otto"), backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("officers:key_shares_open", args=[election.key]),
                           {"share-1": share_of(files["olivia"]), "share-3": share_of(files["otto"])})
    assert response.status_code == 403
    nothing_written(election)
