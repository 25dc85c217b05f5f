"""The secret ballot against an attacker who copies the database's raw files while an election runs.

Voters cast, change, revoke and view ballots through the site; then the test copies the files the database keeps
on disk (see tests/security/storage.py: the SQLite image, or InnoDB's .ibd files, redo log, system tablespace and
binary logs) and searches every byte for each receipt handed out and for each candidate ID next to a rank. The
candidate IDs carry a random tag of this run, so nothing else on the server (other databases share the redo
log) can hold them. A canary written in plain text proves that the search reads what was written.
"""

import random
import re
import secrets
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.urls import reverse

from elections.audit import audit_record
from elections.views import ranks_grouped
from tests.browser.builders import build_election, user
from tests.security.conftest import PASSPHRASE, vote_form
from tests.security.storage import find_needles, raw_copies

VOTERS = [f"storage-voter-{n:02d}" for n in range(24)]
NAMES = ("Amara Okafor", "Björn Lindqvist", "Chen Wei", "Dolores Ruiz")


def receipt_needle(receipt):
    """The receipt as shown, or with its dashes dropped, in either case."""
    compact = receipt.replace("-", "")
    return re.compile(re.escape(receipt.encode()) + b"|" + re.escape(compact.encode()), re.IGNORECASE)


def rank_needle(candidate_id, rank):
    """A candidate ID next to a rank, as JSON (``"id": 2``, ``"id":2``) or ``id=2`` / ``id: 2`` would write it."""
    return re.compile(re.escape(candidate_id.encode()) + rb"[\"']?\s{0,2}[:=]\s{0,2}" + str(rank).encode()
                      + rb"(?![0-9])")


@dataclass
class Campaign:
    """What the voters did, and everything that must not be readable in the files while voting runs."""

    election: object
    candidates: list
    clients: dict = field(default_factory=dict)
    receipts: list = field(default_factory=list)
    cast_ranks: list = field(default_factory=list)
    standing: dict = field(default_factory=dict)  # voter -> (receipt, ranks) of the ballot that counts

    def needles(self):
        needles = {f"receipt {r}": receipt_needle(r) for r in self.receipts}
        for ranks in self.cast_ranks:
            for candidate_id, rank in ranks.items():
                if rank is not None:
                    needles[f"{candidate_id} ranked {rank}"] = rank_needle(candidate_id, rank)
        return needles


def random_ranks(rng, candidates):
    ranks = {c: rng.randint(1, len(candidates)) for c in candidates}
    ranks[rng.choice(candidates)] = None if rng.random() < 0.5 else 1
    return ranks


@pytest.fixture
def campaign(transactional_db, client_for, request):
    """24 voters cast; 6 change their ballot, 4 revoke it (2 of them vote again), 3 view it."""
    tag = secrets.token_hex(4)
    candidates = [f"{tag}-{name.split()[0].lower()}" for name in NAMES]
    officers = getattr(request, "param", {}).get("officers", ("olivia",))
    fields = getattr(request, "param", {}).get("fields", {})
    election = build_election(f"storage---{tag}", voters=VOTERS, candidates=list(zip(candidates, NAMES, strict=True)),
                              officers=officers, **fields)
    rng = random.Random(tag)
    done = Campaign(election=election, candidates=candidates)
    url = reverse("elections:vote", args=[election.key])

    def cast(login, mode="cast"):
        ranks = random_ranks(rng, candidates)
        client = done.clients.setdefault(login, client_for(user(login)))
        response = client.post(url, vote_form(ranks, step="cast", mode=mode))
        assert response.status_code == (201 if mode == "cast" else 200), response.content[:300]
        receipt = response.context["receipt"]
        done.receipts.append(receipt)
        done.cast_ranks.append(ranks)
        done.standing[login] = (receipt, ranks)

    for login in VOTERS:
        cast(login)
    for login in VOTERS[:6]:
        cast(login, mode="change")
    for login in VOTERS[6:10]:
        response = done.clients[login].post(reverse("elections:confirmation", args=[election.key]),
                                            {"action": "revoke", "passphrase": PASSPHRASE})
        assert response.status_code == 302
        del done.standing[login]
    for login in VOTERS[6:8]:
        cast(login)
    return done


def view_ballot(campaign, login):
    return campaign.clients[login].post(reverse("elections:confirmation", args=[campaign.election.key]),
                                        {"action": "view", "passphrase": PASSPHRASE})


def test_the_voter_still_views_their_own_ballot_while_voting_runs(campaign):
    candidates = list(campaign.election.candidates.all())
    for login in (VOTERS[0], VOTERS[7], VOTERS[12]):
        response = view_ballot(campaign, login)
        assert response.status_code == 200
        receipt, ranks = campaign.standing[login]
        assert response.context["receipt"] == receipt
        assert (response.context["ranked"], response.context["no_opinion"]) == ranks_grouped(ranks, candidates)


def test_a_copy_of_the_raw_files_while_voting_runs_holds_no_receipt_and_no_rank(campaign, tmp_path):
    # The voters' own views happen while voting runs too: whatever they leave behind is in the copy.
    for login in VOTERS[10:13]:
        assert view_ballot(campaign, login).status_code == 200
    files = raw_copies(tmp_path)
    assert files and sum(len(f.content) for f in files) > 0
    needles = campaign.needles()
    assert len(needles) >= len(campaign.receipts) + 8
    found = find_needles(files, needles)
    per_file = {name: sum(1 for f in found if f.file == name) for name in sorted({f.file for f in found})}
    assert not found, (f"{len(found)} readable receipts or ranks in the raw files of a running election "
                       f"(per file: {per_file}), e.g. " + "; ".join(map(str, found[:4])))


def test_the_search_finds_a_receipt_and_a_rank_written_in_plain_text(transactional_db, tmp_path):
    """The canary: the same search over the same copies finds what was written without sealing."""
    tag = secrets.token_hex(4)
    receipt = "-".join(secrets.token_hex(2).upper() for _ in range(6))
    canary = {f"{tag}-canary": 3}
    election = build_election(f"canary---{tag}")
    with transaction.atomic():
        audit_record(actor="canary", action="canary", election=election,
                     detail={"receipt": receipt, "ranks": canary})
    needles = {"receipt": receipt_needle(receipt), "rank": rank_needle(f"{tag}-canary", 3)}
    found = find_needles(raw_copies(tmp_path), needles)
    assert {f.needle for f in found} == {"receipt", "rank"}
    where = {f.file for f in found}
    if transaction.get_connection().vendor == "mysql":
        assert "elections_auditevent.ibd" in where, where
        assert any(name.startswith("ib_logfile") for name in where), f"the redo log was not searched: {where}"
