"""The offline opening: ``manage.py export_sealed_box KEY`` writes the sealed ballots alone, K officers open that
file on their own machine with ``python -m elections.ballot_box.open_sealed_box`` (no Django, no database, no settings),
and ``manage.py load_ballots KEY ballots.csv`` stores the ballots as the opened box, counted exactly once."""

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from elections.audit import BOX_EXPORT, BOX_OPEN
from elections.ballot_box.custody import custody_sync
from elections.counting.tally import count
from elections.models import AuditEvent, Ballot, BallotBox, Election, KeyShare, SealedBallot
from elections.officers.results import election_tally
from tests.browser.builders import build_election, user
from tests.conftest import REPO_ROOT
from tests.officer_keys import officer_identities, pinned
from tests.security.conftest import PASSPHRASE

OFFICERS = ("olivia", "oscar", "otto")
BALLOTS = {"alice": {"amara": 1, "bjorn": 2, "chen": 3, "dolores": 4},
           "bob": {"amara": 2, "bjorn": 1, "chen": 3, "dolores": 4},
           "carol": {"amara": 3, "bjorn": 1, "chen": 2, "dolores": None}}


@pytest.fixture
def closed(tmp_path):
    """A closed 2-of-3 election in which alice, bob and carol voted; each officer's decrypted share file."""
    identities = officer_identities(tmp_path / "keys", OFFICERS, ssh=("oscar",))
    election = build_election("board---2026", officers=OFFICERS, officers_to_open=2, officer_keys=pinned(identities))
    with transaction.atomic():
        custody_sync(election=election)
    for login, ranks in BALLOTS.items():
        client = Client()
        client.force_login(user(login), backend="django.contrib.auth.backends.ModelBackend")
        form = {f"rank-{c}": "no-opinion" if r is None else str(r) for c, r in ranks.items()}
        form.update(step="cast", mode="cast", passphrase=PASSPHRASE,
                    passphrase_again=PASSPHRASE)
        assert client.post(reverse("elections:vote", args=[election.key]), form).status_code == 303
    shares = {}
    for row in KeyShare.objects.filter(box__election=election):
        path = tmp_path / f"{row.holder}-share.txt"
        path.write_text(identities[row.holder].decrypt(row.sealed_share))
        shares[row.holder] = path
    Election.objects.filter(pk=election.pk).update(end_datetime=timezone.now() - timedelta(seconds=1))
    election.refresh_from_db()
    return election, shares


def open_offline(export, *shares, output):
    """The documented command, in a process of its own with no Django settings; it must not import Django."""
    arguments = [str(export), *(a for share in shares for a in ("--share", str(share))), "--output", str(output)]
    program = ("import sys; from elections.ballot_box.open_sealed_box import main; code = main(sys.argv[1:]); "
               "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'Django was imported'; "
               "sys.exit(code)")
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    return subprocess.run([sys.executable, "-c", program, *arguments], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.django_db
def test_k_officers_open_the_exported_box_offline_and_load_ballots_counts_it_once(closed, tmp_path):
    election, shares = closed
    export = tmp_path / "box.json"
    call_command("export_sealed_box", election.key, "--output", str(export))
    document = json.loads(export.read_text())
    assert len(document["sealed"]) == 3 and document["officers_to_open"] == 2
    text = export.read_text()
    assert not any(login in text for login in BALLOTS), "the export names a voter"
    assert AuditEvent.objects.get(action=BOX_EXPORT).detail == {"ballots": 3}

    one = open_offline(export, shares["olivia"], output=tmp_path / "one.csv")
    assert one.returncode == 1 and "1 share(s) given; 2 are needed to open the box" in one.stderr
    assert not (tmp_path / "one.csv").exists()
    line = [ln for ln in shares["oscar"].read_text().splitlines() if " share 2 of 3: " in ln][0]
    done = open_offline(export, shares["olivia"], line, output=tmp_path / "ballots.csv")
    assert done.returncode == 0, done.stderr
    assert "Opened 3 ballots of board---2026" in done.stdout

    call_command("load_ballots", election.key, str(tmp_path / "ballots.csv"))
    box = BallotBox.objects.get(election=election)
    assert box.opened_at is not None and box.shared_private_key is None
    assert not SealedBallot.objects.filter(election=election).exists()
    assert Ballot.objects.filter(election=election).count() == 3
    assert AuditEvent.objects.get(action=BOX_OPEN).detail["offline"] is True
    expected = count(sorted(["amara", "bjorn", "chen", "dolores"]), BALLOTS.values())
    assert election_tally(election).to_dict() == expected.to_dict()
    # Counted exactly once: neither a second load nor an opening on the site adds to it.
    with pytest.raises(CommandError, match="already has ballots"):
        call_command("load_ballots", election.key, str(tmp_path / "ballots.csv"))
    with pytest.raises(CommandError):
        call_command("export_sealed_box", election.key, "--output", str(tmp_path / "again.json"))
    assert Ballot.objects.filter(election=election).count() == 3


@pytest.mark.django_db
def test_a_file_that_is_not_the_box_opened_is_refused_and_nothing_is_loaded(closed, tmp_path):
    election, _shares = closed
    wrong = tmp_path / "ballots.csv"
    wrong.write_text("amara,bjorn,chen,dolores,receipt\n1,2,3,4,AAAA-BBBB\n")
    with pytest.raises(CommandError, match="holds 1 ballots, but the sealed box of board---2026 holds 3"):
        call_command("load_ballots", election.key, str(wrong))
    assert SealedBallot.objects.filter(election=election).count() == 3
    assert not Ballot.objects.filter(election=election).exists()
    assert BallotBox.objects.get(election=election).opened_at is None


@pytest.mark.django_db
def test_the_sealed_box_is_exported_only_after_the_close(closed, tmp_path):
    election, _shares = closed
    Election.objects.filter(pk=election.pk).update(end_datetime=timezone.now() + timedelta(days=1))
    with pytest.raises(CommandError, match="exported only after the close"):
        call_command("export_sealed_box", election.key, "--output", str(tmp_path / "box.json"))
    assert not (tmp_path / "box.json").exists()
    assert not AuditEvent.objects.filter(action=BOX_EXPORT).exists()


def test_the_opener_is_a_documented_module_command():
    done = subprocess.run([sys.executable, "-m", "elections.ballot_box.open_sealed_box", "--help"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "export_sealed_box" in done.stdout


def test_the_opener_answers_at_its_address_of_earlier_releases_too():
    done = subprocess.run([sys.executable, "-m", "elections.open_sealed_box", "--help"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "export_sealed_box" in done.stdout
