"""The secret ballot against an attacker who copies the database's raw files while an election runs.

Voters cast, change, revoke and view ballots through the site; then the test copies the files the database keeps
on disk (see tests/security/storage.py: the SQLite image; InnoDB's .ibd files, redo log, system tablespace and
binary logs; PostgreSQL's table files and write-ahead log) and searches every byte for each receipt handed out
and for each candidate ID next to a rank. The candidate IDs carry a random tag of this run, so nothing else on
the server (other databases share the logs) can hold them. tests/security/test_storage_copies.py proves that the
same copies and search find what is written in plain text.
"""

import random
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from elections.ballot_box.box import BallotBoxRefused, ballot_box_open
from elections.ballot_box.custody import custody_of, custody_sync
from elections.ballot_box.key_shares import check_code_in, share_decode
from elections.counting.tally import count
from elections.models import Ballot, BallotBox, Election, KeyShare, SealedBallot
from elections.officers.results import election_tally
from elections.voting.views import ranks_grouped
from tests.browser.builders import build_election, user
from tests.officer_keys import officer_identities, pinned
from tests.officers.legacy_custody import legacy_deal
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
    identities: dict = field(default_factory=dict)  # officer -> their own key (threshold mode)

    def needles(self):
        needles = {f"receipt {r}": receipt_needle(r) for r in self.receipts}
        for ranks in self.cast_ranks:
            for candidate_id, rank in ranks.items():
                if rank is not None:
                    needles[f"{candidate_id} ranked {rank}"] = rank_needle(candidate_id, rank)
        return needles


def random_ranks(rng, candidates):
    """A full ranking, ties allowed, at least one candidate first."""
    ranks = {c: rng.randint(1, len(candidates)) for c in candidates}
    ranks[rng.choice(candidates)] = 1
    return ranks


@pytest.fixture
def campaign(transactional_db, client_for, request, tmp_path_factory):
    """24 voters cast; 6 change their ballot, 4 revoke it (2 of them vote again), 3 view it."""
    tag = secrets.token_hex(4)
    candidates = [f"{tag}-{name.split()[0].lower()}" for name in NAMES]
    officers = getattr(request, "param", {}).get("officers", ("olivia",))
    fields = dict(getattr(request, "param", {}).get("fields", {}))
    identities = {}
    if fields.get("officers_to_open") and not getattr(request, "param", {}).get("legacy"):
        # Each officer's own key: an SSH ed25519 key for oscar, age keys for the others.
        identities = officer_identities(tmp_path_factory.mktemp("officer-keys"), officers, ssh=("oscar",))
        fields["officer_keys"] = pinned(identities)
    election = build_election(f"storage---{tag}", voters=VOTERS, candidates=list(zip(candidates, NAMES, strict=True)),
                              officers=officers, **fields)
    if getattr(request, "param", {}).get("legacy"):
        legacy_deal(election)  # a box dealt before officers' keys, its shares held by the server
    elif election.officers_to_open:
        with transaction.atomic():  # what the import does: deal the shares before anyone votes
            custody_sync(election=election)
    rng = random.Random(tag)
    done = Campaign(election=election, candidates=candidates, identities=identities)
    url = reverse("elections:vote", args=[election.key])

    def cast(login, mode="cast"):
        ranks = random_ranks(rng, candidates)
        client = done.clients.setdefault(login, client_for(user(login)))
        # The whole flow: the ranks go to the review page and the receipt to its page in the browser's cookies.
        review = client.post(url, vote_form(ranks), follow=True)
        assert review.redirect_chain == [(f"{url}/review", 303)] and review.context["ranked"]
        response = client.post(url, vote_form(ranks, step="cast", mode=mode), follow=True)
        assert response.redirect_chain == [(f"{url}/receipt", 303)], response.content[:300]
        assert response.context["changing"] is (mode == "change")
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


# --- opening the box after the close ---------------------------------------------------------------------------


def close(election):
    Election.objects.filter(pk=election.pk).update(end_datetime=timezone.now() - timedelta(seconds=1))
    election.refresh_from_db()


def assert_count_equals_the_ballots_cast(campaign):
    """The opened box holds exactly the standing ballots, and the count is the count of the ranks cast."""
    election = campaign.election
    opened = list(Ballot.objects.filter(election=election).values_list("receipt", "ranks"))
    assert sorted(receipt for receipt, _ in opened) == sorted(receipt for receipt, _ in campaign.standing.values())
    assert not SealedBallot.objects.filter(election=election).exists()
    ballots = [ranks for _, ranks in campaign.standing.values()]
    expected = count(sorted(campaign.candidates), ballots, seats=election.no_winners, tie_break=election.tie_break)
    assert election_tally(election).to_dict() == expected.to_dict()
    assert expected.ballots == len(VOTERS) - 2


def test_opening_the_box_before_the_close_is_refused(campaign):
    with pytest.raises(BallotBoxRefused, match="opened only after the close"):
        ballot_box_open(election=campaign.election, actor="olivia")
    assert not Ballot.objects.filter(election=campaign.election).exists()
    assert SealedBallot.objects.filter(election=campaign.election).count() == len(campaign.standing)


def test_after_the_close_the_box_opens_and_the_count_equals_the_ranks_cast(campaign):
    close(campaign.election)
    outcome = ballot_box_open(election=campaign.election, actor="olivia")
    assert outcome.ballots == len(campaign.standing)
    assert_count_equals_the_ballots_cast(campaign)


THRESHOLD = {"officers": ("olivia", "oscar", "otto"), "fields": {"officers_to_open": 2}}


def officer_post(login, name, election, data=None):
    client = Client()
    client.force_login(user(login), backend="django.contrib.auth.backends.ModelBackend")
    return client.post(reverse(name, args=[election.key]), data or {}, follow=True)


def decrypted_share_files(campaign):
    """Each officer's share file as they read it with ``age -d -i THEIR_KEY`` (the age tool)."""
    rows = KeyShare.objects.filter(box__election=campaign.election)
    return {row.holder: (row.number, campaign.identities[row.holder].decrypt(row.sealed_share)) for row in rows}


def share_needles(campaign, files):
    """Each share as text (with or without dashes), as its 16 raw bytes, and each check code."""
    box_key = BallotBox.objects.get(election=campaign.election).public_key
    needles = {}
    for login, (_number, text) in files.items():
        line = SHARE_LINE.search(text).group()
        code = line.split(": ")[1]
        needles[f"{login}'s share"] = re.compile(re.escape(code.encode()) + b"|"
                                                 + re.escape(code.replace("-", "").encode()))
        value = share_decode(line, election_key=campaign.election.key, binding=box_key).value
        needles[f"{login}'s share, raw"] = re.compile(re.escape(value))
        check = check_code_in(text)
        needles[f"{login}'s check code"] = re.compile(re.escape(check.encode()) + b"|"
                                                      + re.escape(check.replace("-", "").encode()))
    return needles


SHARE_LINE = re.compile(r"storage---[0-9a-f]+ share \d+ of \d+: [A-Z2-7-]+")


@pytest.mark.parametrize("campaign", [THRESHOLD], indirect=True)
def test_with_officers_keys_no_ballot_and_no_share_is_readable_and_k_officers_open_the_box(campaign, tmp_path):
    election = campaign.election
    files = decrypted_share_files(campaign)
    # The officers confirm their check codes before the close, as the officers' page asks.
    for login, (_number, text) in files.items():
        officer_post(login, "officers:key_share", election, {"code": check_code_in(text)})
    assert custody_of(election).not_confirmed == []
    needles = {**campaign.needles(), **share_needles(campaign, files)}
    found = find_needles(raw_copies(tmp_path / "voting"), needles)
    assert not found, "; ".join(map(str, found[:8]))

    shares = {login: SHARE_LINE.search(text).group() for login, (_number, text) in files.items()}
    response = officer_post("otto", "officers:key_shares_open", election, {"share-3": shares["otto"]})
    assert "The box is opened after the close" in response.content.decode()
    close(election)
    response = officer_post("otto", "officers:key_shares_open", election, {"share-3": shares["otto"]})
    assert "1 share given; 2 are needed" in response.content.decode()
    assert not Ballot.objects.filter(election=election).exists(), "one share of two opened the box"
    wrong = shares["olivia"][:-1] + ("A" if shares["olivia"][-1] != "A" else "B")
    response = officer_post("otto", "officers:key_shares_open", election, {"share-1": wrong, "share-3": shares["otto"]})
    assert "Share 1 does not check out" in response.content.decode()
    assert not Ballot.objects.filter(election=election).exists()
    response = officer_post("otto", "officers:key_shares_open", election,
                            {"share-1": files["olivia"][1], "share-3": shares["otto"]})
    assert "The ballot box is open" in response.content.decode()
    assert_count_equals_the_ballots_cast(campaign)
    # After the opening too, nothing given on the form is anywhere in the files.
    found = find_needles(raw_copies(tmp_path / "opened"), share_needles(campaign, files))
    assert not found, "; ".join(map(str, found[:8]))
