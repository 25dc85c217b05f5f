"""Exports of a completed election: each one, read back, gives the result of counting the database."""

import csv
import hashlib
import io
import json

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from elections.count_record import count_inputs_document
from elections.counting.tally import ballots_digest, count, read_ballots_csv
from elections.models import AuditEvent, Ballot
from elections.officers.exports import KINDS, read_ballots_yaml
from elections.officers.results import ballots_csv_sha256, election_tally

from .conftest import cast_many, make_election

pytestmark = pytest.mark.django_db


@pytest.fixture
def election(users):
    """Four candidates, one withdrawn after a few ballots ranked him, ties and "No opinion" on some ballots."""
    election = make_election("steering---2026", status="completed", officers=["olivia"], seats=2,
                             candidates=["alice", "bob", "carol", "dave"], voters=[f"v{i}" for i in range(40)])
    election.candidates.filter(candidate_id="dave").update(withdrawn=True)
    cast_many(election, [
        (7, {"alice": 1, "bob": 2, "carol": 3, "dave": None}),
        (5, {"bob": 1, "carol": 1, "alice": 2, "dave": None}),
        (4, {"carol": 1, "alice": 2, "bob": None, "dave": None}),
        (3, {"dave": 1, "bob": 2, "alice": 3, "carol": 3}),
        (2, {"carol": 1, "bob": 2, "alice": 3, "dave": None}),
    ])
    return election


def download(client, election, kind):
    response = client.get(reverse("officers:export", args=[election.key, kind]))
    assert response.status_code == 200, response.content[:300]
    return response


def tally_file(path):
    out = io.StringIO()
    call_command("tally", "--ballots", str(path), "--seats", "2", "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_the_ballots_csv_recounts_to_the_database_result(login, election, tmp_path):
    response = download(login("olivia"), election, "ballots.csv")
    assert response["Content-Disposition"] == 'attachment; filename="ballots-steering---2026.csv"'
    content = response.content.decode()
    candidates, ballots = read_ballots_csv(content)
    assert candidates == ["alice", "bob", "carol", "dave"]
    expected = election_tally(election).to_dict()
    assert count(candidates, ballots, seats=2).to_dict() == expected
    path = tmp_path / "ballots.csv"
    path.write_bytes(response.content)
    recount = tally_file(path)
    assert recount.pop("ballots_csv_sha256") == hashlib.sha256(response.content).hexdigest()
    assert recount == expected
    assert expected["ballots_sha256"] == ballots_digest(candidates, ballots)


def test_the_officers_count_agrees_with_manage_py_tally_by_key(election):
    out = io.StringIO()
    call_command("tally", election.key, "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data.pop("ballots_csv_sha256") == ballots_csv_sha256(election)
    assert data == {**election_tally(election).to_dict(), "inputs": count_inputs_document(election)}


def test_the_ballots_csv_lists_every_receipt_once_and_nothing_else_about_voters(login, election):
    content = download(login("olivia"), election, "ballots.csv").content.decode()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == ["alice", "bob", "carol", "dave", "receipt"]
    assert sorted(row[-1] for row in rows[1:]) == sorted(Ballot.objects.values_list("receipt", flat=True))
    assert "No opinion" in content


def test_every_download_of_ballots_csv_is_the_same_file_its_rows_in_receipt_order(login, election):
    client = login("olivia")
    files = {download(client, election, "ballots.csv").content for _ in range(3)}
    assert len(files) == 1
    rows = list(csv.reader(io.StringIO(files.pop().decode())))[1:]
    # Receipts are random codes: their order says nothing about the order of voting.
    assert [row[-1] for row in rows] == sorted(Ballot.objects.values_list("receipt", flat=True))


def test_the_report_and_tally_give_the_sha256_of_the_downloaded_ballots_csv(login, election, tmp_path):
    client = login("olivia")
    downloaded = download(client, election, "ballots.csv").content
    file_sha256 = hashlib.sha256(downloaded).hexdigest()  # what sha256sum ballots.csv prints

    report_md = download(client, election, "report.md").content.decode()
    report_page = client.get(reverse("officers:report", args=[election.key])).content.decode()
    by_key = io.StringIO()
    call_command("tally", election.key, stdout=by_key)
    path = tmp_path / "ballots.csv"
    path.write_bytes(downloaded)
    by_file = io.StringIO()
    call_command("tally", "--ballots", str(path), "--seats", "2", stdout=by_file)

    assert f"SHA-256 of ballots.csv: `{file_sha256}`" in report_md
    assert f"<code>{file_sha256}</code>" in report_page
    assert f"ballots.csv SHA-256: {file_sha256}" in by_key.getvalue()
    assert f"ballots.csv SHA-256: {file_sha256}" in by_file.getvalue()
    # The normalised digest stays beside it, named as such, the same from the site and from the file.
    normalised = election_tally(election).ballots_sha256
    assert normalised != file_sha256
    assert f"Normalised SHA-256 of the ballots counted: `{normalised}`" in report_md
    assert f"Ballots SHA-256 (normalised): {normalised}" in by_key.getvalue()
    assert f"Ballots SHA-256 (normalised): {normalised}" in by_file.getvalue()


def test_the_ballots_yaml_recounts_to_the_database_result(login, election):
    content = download(login("olivia"), election, "ballots.yaml").content.decode()
    candidates, ballots, receipts = read_ballots_yaml(content)
    assert count(candidates, ballots, seats=2).to_dict() == election_tally(election).to_dict()
    assert sorted(receipts) == sorted(Ballot.objects.values_list("receipt", flat=True))


def test_read_ballots_yaml_names_the_ballot_that_does_not_fit():
    with pytest.raises(ValueError, match="ballot 2: unknown candidate"):
        read_ballots_yaml("candidates: [a]\nballots:\n- ranks: {a: 1}\n- ranks: {b: 1}\n")
    with pytest.raises(ValueError, match="ballot 1: a: 0 is not a rank"):
        read_ballots_yaml("candidates: [a]\nballots:\n- ranks: {a: 0}\n")


def test_the_result_json_and_yaml_match_the_count(login, election, tmp_path):
    client = login("olivia")
    expected = election_tally(election).to_dict()
    for kind, load in [("result.json", json.loads), ("result.yaml", yaml.safe_load)]:
        document = load(download(client, election, kind).content.decode())
        assert {key: document[key] for key in expected} == expected
        assert document["election"]["eligible_voters"] == 40
        assert document["names"]["dave"] == "Dave (withdrawn)"


def test_the_result_csv_matches_the_count(login, election):
    result = election_tally(election)
    rows = list(csv.DictReader(io.StringIO(download(login("olivia"), election, "result.csv").content.decode())))
    assert [row["candidate"] for row in rows] == [c for group in result.ranking for c in group]
    assert {row["candidate"] for row in rows if row["elected"] == "yes"} == set(result.winners)
    for row in rows:
        for other in result.candidates:
            if other != row["candidate"]:
                assert int(row[f"over:{other}"]) == result.pairwise[row["candidate"]][other]
                assert int(row[f"path:{other}"]) == result.strongest_paths[row["candidate"]][other]


def test_the_draft_results_md_names_the_winners_and_turnout(login, election):
    result = election_tally(election)
    text = download(login("olivia"), election, "results.md").content.decode()
    assert text.startswith("# Results: Election steering---2026")
    for winner in result.winners:
        assert f"({winner})" in text
    assert "out of 40 eligible voters" in text


def test_every_export_is_recorded_in_the_audit_trail(login, election):
    client = login("olivia")
    for kind in KINDS:
        download(client, election, kind)
    events = AuditEvent.objects.filter(election=election, actor="olivia")
    assert sorted(events.values_list("action", flat=True)) == sorted(f"export.{kind}" for kind in KINDS)


@pytest.mark.parametrize("status", ["upcoming", "running"])
def test_no_export_before_voting_closes(login, status):
    election = make_election(f"early---{status}", status=status, officers=["olivia"])
    cast_many(election, [(2, {"alice": 1})])
    client = login("olivia")
    for kind in KINDS:
        response = client.get(reverse("officers:export", args=[election.key, kind]))
        assert response.status_code == 403
        assert "No exports yet" in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_an_unknown_export_is_not_found(login, election):
    assert login("olivia").get(reverse("officers:export", args=[election.key, "voters.csv"])).status_code == 404
    assert not AuditEvent.objects.exists()


def test_exports_answer_get_only(login, election):
    assert login("olivia").post(reverse("officers:export", args=[election.key, "ballots.csv"])).status_code == 405
