"""The secret ballot, checked where an insider would look: a full dump of the database.

Sixteen voters cast distinguishable ballots in a known order. While the election runs, the dump (SQLite's
``iterdump()``, mysqldump on MariaDB, pg_dump on PostgreSQL) holds no receipt and no rank anywhere: only sealed
ballots of one length. Once the box is opened, no ballot row holds a login, a user id or a time; no row outside
the ballot table, sessions included, holds a ballot's id or receipt; and the order of the ballot rows does not
follow the order of voting.
"""

import itertools
import re
import shutil
import subprocess

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse

from elections.models import Ballot, SealedBallot, VoteRecord
from elections.voting import services
from tests.browser.builders import build_election, user
from tests.conftest import box_open_now, canonical_key_order
from tests.security.conftest import PASSPHRASE, vote_form

VOTERS = [f"voter-{n:02d}" for n in range(16)]
CANDIDATES = ("amara", "bjorn", "chen", "dolores")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


def distinct_ballots():
    """Sixteen different rankings, so each ballot in the dump tells which voter (by order) cast it."""
    rankings = itertools.permutations([1, 2, 3, 4])
    return [dict(zip(CANDIDATES, next(rankings), strict=True)) for _ in VOTERS]


def dump_lines():
    if connection.vendor == "sqlite":
        return list(connection.connection.iterdump())
    if connection.vendor == "postgresql":
        return pg_dump_lines()
    if not shutil.which("mysqldump"):
        pytest.fail("mysqldump is needed to dump the MariaDB test database (apt-get install mariadb-client)")
    params = connection.settings_dict
    # Binary columns (salts, sealed links) as hex, so the dump is text; their raw bytes are checked separately.
    command = ["mysqldump", "--skip-extended-insert", "--compact", "--skip-comments", "--single-transaction",
               "--hex-blob",
               f"--host={params['HOST'] or '127.0.0.1'}", f"--port={params['PORT'] or 3306}",
               f"--user={params['USER']}", params["NAME"]]
    env = {"MYSQL_PWD": params["PASSWORD"] or "", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=True)
    return result.stdout.splitlines()


def pg_dump_lines():
    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump is needed to dump the PostgreSQL test database (apt-get install postgresql-client)")
    params = connection.settings_dict
    command = ["pg_dump", "--data-only", "--inserts", "--no-comments",
               f"--host={params['HOST'] or '127.0.0.1'}", f"--port={params['PORT'] or 5432}",
               f"--username={params['USER']}", params["NAME"]]
    env = {"PGPASSWORD": params["PASSWORD"] or "", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=True)
    return result.stdout.splitlines()


def rows_of(lines, table):
    return [line for line in lines if re.match(rf"INSERT INTO (?:public\.)?[`\"]?{table}[`\"]? ", line)]


@pytest.fixture
def cast_in_known_order(transactional_db, client_for):
    election = build_election("steering---2026", voters=VOTERS)
    ballots = distinct_ballots()
    receipts = []
    for login, ranks in zip(VOTERS, ballots, strict=True):
        # Through the site, so that whatever a request leaves behind (sessions, logs) is in the dump too.
        client = client_for(user(login))
        assert client.post(reverse("elections:vote", args=[election.key]), vote_form(ranks)).status_code == 303
        response = client.post(reverse("elections:vote", args=[election.key]), vote_form(ranks, step="cast"),
                               follow=True)
        assert response.redirect_chain == [(reverse("elections:vote_receipt", args=[election.key]), 303)]
        receipts.append(response.context["receipt"])
    return election, ballots, receipts


def test_the_ballot_table_has_no_column_that_could_identify_a_voter_or_a_time(transactional_db):
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, Ballot._meta.db_table)}
    assert columns == {"id", "election_id", "ranks", "receipt"}


def test_while_the_election_runs_a_dump_holds_no_receipt_and_no_rank(cast_in_known_order):
    election, ballots, receipts = cast_in_known_order
    lines = dump_lines()
    assert not rows_of(lines, Ballot._meta.db_table)
    sealed_rows = rows_of(lines, SealedBallot._meta.db_table)
    assert len(sealed_rows) == len(VOTERS)
    leaks = [(r, line[:120]) for r in receipts for line in lines if r in line]
    assert not leaks, f"receipts readable while the election runs: {leaks[:3]}"
    assert not any(f'"{c}"' in line for c in CANDIDATES for line in sealed_rows)
    for row in sealed_rows:
        assert not any(login in row for login in VOTERS), row
        assert not ISO_TIME.search(row), f"a sealed ballot row carries a time: {row}"
    # Every sealed row has the same length, whatever the ranks.
    assert len({len(row) for row in sealed_rows}) == 1


def test_a_database_dump_links_no_ballot_to_its_voter(cast_in_known_order):
    election, ballots, receipts = cast_in_known_order
    box_open_now(election)
    lines = dump_lines()
    ballot_rows = rows_of(lines, Ballot._meta.db_table)
    assert len(ballot_rows) == len(VOTERS)

    ids = [str(b.id) for b in Ballot.objects.all()]
    for row in ballot_rows:
        assert not any(login in row for login in VOTERS), row
        assert not ISO_TIME.search(row), f"a ballot row carries a time: {row}"

    # Nothing outside the ballot rows holds a ballot's id (in either spelling) or receipt.
    secrets_ = ids + [i.replace("-", "") for i in ids] + receipts
    other_rows = [line for line in lines if line not in ballot_rows]
    leaks = [(s, line[:120]) for s in secrets_ for line in other_rows if s in line]
    assert not leaks, f"ballot ids or receipts outside the ballot table: {leaks[:3]}"
    for session in Session.objects.all():
        decoded = str(session.get_decoded())
        assert not any(s in decoded for s in secrets_), "a session holds a ballot id or receipt"

    # The ballots' order in the dump (the primary-key order) is not the order of voting.
    position_in_voting = []
    for row in ballot_rows:
        ranks = tuple(int(re.search(rf'\\?"{c}\\?": (\d)', row).group(1)) for c in CANDIDATES)
        position_in_voting.append([tuple(b[c] for c in CANDIDATES) for b in ballots].index(ranks))
    assert sorted(position_in_voting) == list(range(len(VOTERS)))
    in_place = sum(1 for dump_position, voted in enumerate(position_in_voting) if dump_position == voted)
    assert in_place <= len(VOTERS) // 2, f"the dump lists the ballots in voting order: {position_in_voting}"
    assert position_in_voting != sorted(position_in_voting, reverse=True)


def test_each_ballot_stores_its_ranks_in_one_canonical_order(cast_in_known_order):
    """The JSON keys are sorted, not in the order the voter's (per-voter shuffled) form listed the candidates."""
    box_open_now(cast_in_known_order[0])
    for row in rows_of(dump_lines(), Ballot._meta.db_table):
        positions = [row.index(f'"{c}') for c in canonical_key_order(CANDIDATES)]
        assert positions == sorted(positions), row


def test_vote_records_hold_only_sealed_links_each_under_its_own_salt(cast_in_known_order):
    election, _, receipts = cast_in_known_order
    records = list(VoteRecord.objects.filter(election=election))
    assert len(records) == len(VOTERS)
    assert len({bytes(r.salt) for r in records}) == len(records)
    assert len({bytes(r.sealed_link) for r in records}) == len(records)
    for record in records:
        sealed = bytes(record.sealed_link)
        assert not any(receipt.encode() in sealed for receipt in receipts)
        assert not any(str(ballot_id).encode() in sealed
                       for ballot_id in SealedBallot.objects.values_list("id", flat=True))


def test_the_sealed_link_opens_only_with_the_voters_own_passphrase(cast_in_known_order):
    election, ballots, receipts = cast_in_known_order
    first, second = user(VOTERS[0]), user(VOTERS[1])
    assert services.ballot_view(election=election, voter=first, passphrase=PASSPHRASE).receipt == receipts[0]
    with pytest.raises(services.WrongPassphrase):
        services.ballot_view(election=election, voter=second, passphrase=PASSPHRASE + "x")
