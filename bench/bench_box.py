"""Benchmark of opening a ballot box: 100,000 sealed ballots decrypted and stored as opened ballots.

For each database (a SQLite file in a temporary folder, and MariaDB when one answers at ``BENCH_BOX_DATABASE_URL``,
default ``mysql://root@127.0.0.1:3306/elekto_bench_box``, dropped and re-created), a child process migrates a
fresh database, makes one election with 6 candidates and its ballot box, seals 100,000 random ballots to it (2,000
with ``--quick``), closes the election and times ``ballot_box_open``: reading the sealed rows, decrypting each,
writing the plaintext ballots in a random order, deleting the sealed rows, destroying the key, in one
transaction. Target (issue 11): <= 30 s for 100,000 ballots.

    .venv/bin/python bench/bench_box.py           # the full run (a few minutes, most of it sealing)
    .venv/bin/python bench/bench_box.py --quick   # a smoke run (seconds)
"""

import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "mysql://root@127.0.0.1:3306/elekto_bench_box"
CANDIDATES = [f"candidate-{n}" for n in range(6)]
FULL, QUICK = 100_000, 2_000
TARGET_SECONDS = 30


# --- the child process --------------------------------------------------------------------------------


def child_main(number):
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from elections.ballot_box import crypto
    from elections.ballot_box.box import ballot_box_open
    from elections.ballot_box.services import ballot_box_ensure
    from elections.models import Ballot, Candidate, Election, SealedBallot
    from elections.voting import secrecy

    call_command("migrate", verbosity=0)
    now = timezone.now()
    election = Election.objects.create(key="bench---box", path="bench/box", name="Bench box",
                                       start_datetime=now - timedelta(days=2), end_datetime=now + timedelta(days=1))
    Candidate.objects.bulk_create(Candidate(election=election, candidate_id=c, name=c) for c in CANDIDATES)
    box = ballot_box_ensure(election=election)
    public_key = bytes(box.public_key)
    rng = random.Random(11)
    sealing_started = time.perf_counter()
    rows = []
    for _ in range(number):
        ranks = {c: rng.choice([None, *range(1, len(CANDIDATES) + 1)]) for c in CANDIDATES}
        ranks[CANDIDATES[rng.randrange(len(CANDIDATES))]] = 1
        rows.append(SealedBallot(election=election, sealed=crypto.ballot_seal(
            public_key, ranks=ranks, receipt=secrecy.receipt_generate())))
        if len(rows) == 5000:
            SealedBallot.objects.bulk_create(rows, batch_size=1000)
            rows = []
    SealedBallot.objects.bulk_create(rows, batch_size=1000)
    sealing = time.perf_counter() - sealing_started
    Election.objects.filter(pk=election.pk).update(end_datetime=timezone.now() - timedelta(seconds=1))
    election.refresh_from_db()
    started = time.perf_counter()
    outcome = ballot_box_open(election=election, actor="bench")
    opening = time.perf_counter() - started
    assert outcome.ballots == number == Ballot.objects.filter(election=election).count()
    assert not SealedBallot.objects.exists()
    print(json.dumps({"opening": opening, "sealing": sealing, "ballots": number}))


# --- the parent process -------------------------------------------------------------------------------


def _env(database_url):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "ELEKTO_")) and key not in ("DATABASE_URL", "DEBUG")}
    import base64

    env.update({
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "BALLOT_BOX_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "PASSPHRASE_PEPPER": secrets.token_urlsafe(32),
        "DJANGO_SETTINGS_MODULE": "elekto_site.settings",
        "PYTHONPATH": str(REPO_ROOT),
    })
    return env


def _mariadb_url():
    """The MariaDB URL, its database dropped and re-created; None when no server answers."""
    import MySQLdb

    sys.path.insert(0, str(REPO_ROOT))
    from bench.bench_http import _recreate_database

    url = os.environ.get("BENCH_BOX_DATABASE_URL", DEFAULT_DATABASE_URL)
    try:
        _recreate_database(url)
    except MySQLdb.OperationalError:
        return None
    return url


def _child(database_url, number):
    result = subprocess.run([PYTHON, str(Path(__file__).resolve()), "child", str(number)], cwd=REPO_ROOT,
                            env=_env(database_url), capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise RuntimeError(f"bench_box child failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(quick=False):
    number = QUICK if quick else FULL
    figures = []
    with tempfile.TemporaryDirectory(prefix="elekto-bench-box-") as folder:
        databases = [("SQLite", f"sqlite:///{Path(folder) / 'box.sqlite3'}")]
        mariadb = _mariadb_url()
        if mariadb:
            databases.append(("MariaDB", mariadb))
        for label, url in databases:
            timing = _child(url, number)
            figures.append({
                "name": f"Opening a ballot box of {number:,} sealed ballots ({label})",
                "value": round(timing["opening"], 2),
                # One run: sealing the ballots beforehand is the long part, so run_all does not repeat it.
                "samples": [round(timing["opening"], 2)],
                "unit": "s",
                "target": f"<= {TARGET_SECONDS}" if number == FULL else None,
                "note": (f"Decrypt, shuffle, write the ballots, delete the sealed rows, in one transaction; sealing "
                         f"them took {timing['sealing']:.1f} s beforehand."),
            })
    return figures


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "child":
        child_main(int(sys.argv[2]))
    else:
        for figure in run(quick="--quick" in sys.argv):
            print(f"{figure['name']}: {figure['value']} {figure['unit']} (target {figure['target']})")
