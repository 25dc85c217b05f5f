"""The importer: real meta repositories into the database, idempotent, never losing a ballot."""

import datetime as dt
import re

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elections.models import AuditEvent, Ballot, Candidate, Election, EligibleVoter, VoteRecord
from meta_sync.models import SyncRun
from meta_sync.services import sync_meta
from tests.conftest import shared_fixture

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# A fixed "now" for statuses: mid-August 2023, while several of the real elections ran.
FROZEN = dt.datetime(2023, 8, 15, 12, 0, tzinfo=UTC)
BEFORE_VOTING = dt.datetime(2029, 6, 1, tzinfo=UTC)
DURING_VOTING = dt.datetime(2030, 1, 15, tzinfo=UTC)
AFTER_VOTING = dt.datetime(2030, 3, 1, tzinfo=UTC)

EXPECTED_STATUS = {
    "kubernetes": {
        "code-of-conduct---2023": "running",
        "steering---2021": "completed",
        "steering---2022": "completed",
        "steering---2023": "upcoming",
        "steering---2023-GB": "completed",
        "steering---2024": "upcoming",
    },
    "elekto-meta-test": {
        "2021---GB": "running",
        "2021---TOC": "completed",
        "name_the_app": "running",
    },
}


def _sync(path, **kwargs):
    kwargs.setdefault("now", BEFORE_VOTING)
    return sync_meta(path=path, election_dir="elections", trigger="command", **kwargs)


def _expected_voters(folder):
    """Distinct logins of voters.yaml, read independently: every scalar as text, compared case-insensitively."""
    path = folder / "voters.yaml"
    if not path.exists():
        return 0
    data = yaml.load(path.read_text(), Loader=yaml.BaseLoader) or {}
    return len({str(v).strip().lower() for v in data.get("eligible_voters") or [] if str(v).strip()})


def _expected_candidate_ids(folder):
    ids = []
    for path in folder.glob("candidate-*.md"):
        match = re.search(r"^ID:\s*(\S+)\s*$", path.read_text(), flags=re.MULTILINE)
        ids.append(match.group(1))
    return sorted(ids, key=str.lower)


@pytest.mark.parametrize("tree", sorted(EXPECTED_STATUS))
def test_every_election_of_the_real_meta_repositories_imports(tree):
    root = shared_fixture("meta", tree)
    summary = _sync(root, now=FROZEN)

    assert summary.exit_code == 0, summary.errors
    assert summary.errors == []
    outcomes = {e["key"]: e for e in summary.as_dict()["elections"]}
    assert {key: e["status"] for key, e in outcomes.items()} == EXPECTED_STATUS[tree]
    for key in EXPECTED_STATUS[tree]:
        folder = root / "elections" / key.replace("---", "/")
        election = Election.objects.get(key=key)
        assert election.status_at(FROZEN) == EXPECTED_STATUS[tree][key]
        assert election.voters.count() == _expected_voters(folder) == outcomes[key]["voters"]
        ids = list(election.candidates.values_list("candidate_id", flat=True))
        assert sorted(ids, key=str.lower) == _expected_candidate_ids(folder)
        assert outcomes[key]["candidates"] == len(ids)
        assert outcomes[key]["action"] == "created"
        assert election.path == f"elections/{key.replace('---', '/')}"


def test_real_irregularities_import_cleanly():
    root = shared_fixture("meta", "kubernetes")
    _sync(root, now=FROZEN)
    coc = Election.objects.get(key="code-of-conduct---2023")
    # Tabs after "ID:", dash lines of different lengths, no info, show_candidate_fields: [null].
    assert coc.show_candidate_fields == []
    assert coc.candidates.get(candidate_id="pacoxu").info == {}
    # A candidate file starting with a blank line; an officer login in mixed case.
    assert Election.objects.get(key="steering---2022").candidates.get(candidate_id="lavalamp").name == "Daniel Smith"
    assert "priyankasaggu11929" in Election.objects.get(key="steering---2024").officers.values_list("login",
                                                                                                     flat=True)
    # Comments around the datetimes of 2024.
    assert Election.objects.get(key="steering---2024").start_datetime == dt.datetime(2024, 8, 27, 0, 0, 1,
                                                                                      tzinfo=UTC)


def test_the_elekto_sample_keeps_its_exceptions_due_alias_warning():
    summary = _sync(shared_fixture("meta", "elekto-meta-test"), now=FROZEN)
    app = next(e for e in summary.elections if e.key == "name_the_app")
    assert app.warnings == ["elections/name_the_app/election.yaml: exceptions_due: read as exception_due "
                            "(the documented spelling)"]
    election = Election.objects.get(key="name_the_app")
    assert election.exception_due == dt.datetime(2023, 8, 19, 23, 59, tzinfo=UTC)
    assert election.sync_warnings == app.warnings
    assert list(election.officers.values_list("login", flat=True).order_by("login")) == [
        "007vedant", "jberkus", "kalkayan"]


def test_the_irregular_sample_imports_with_its_values(irregular_repo):
    summary = _sync(irregular_repo.root)
    assert summary.exit_code == 0
    club = Election.objects.get(key="club---2025")
    assert sorted(club.voters.values_list("login", flat=True)) == ["0123", "42", "alice", "bob", "carol"]
    assert club.candidates.get(candidate_id="alice").info == {"employer": "Example Inc", "slack": "alice"}
    assert club.candidates.get(candidate_id="Robert").source_file == "elections/club/2025/candidate-bob.md"
    assert club.tie_break == {"order": ["carol", "alice", "Robert"]}
    # Fields shown on candidate pages that some candidates lack are no problem.
    assert club.show_candidate_fields == ["employer", "slack"]
    assert club.candidates.get(candidate_id="carol").info == {"employer": "1999", "slack": "carol"}
    assert club.candidates.get(candidate_id="Robert").info == {}
    assert sorted(club.officers.values_list("login", flat=True)) == ["0123", "alice-officer"]
    assert club.exception_due == dt.datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
    assert club.no_winners == 2 and club.allow_no_opinion is False and club.delete_after is True
    assert club.description == ""
    assert Election.objects.get(key="club---no-voters").voters.count() == 0


def _writes(queries):
    return [q["sql"] for q in queries if re.match(r"\s*(INSERT|UPDATE|DELETE|REPLACE)", q["sql"], re.I)]


def test_a_second_sync_of_an_unchanged_tree_writes_nothing(irregular_repo):
    _sync(irregular_repo.root)
    synced_at = dict(Election.objects.values_list("key", "synced_at"))
    runs = SyncRun.objects.count()

    with CaptureQueriesContext(connection) as queries:
        summary = _sync(irregular_repo.root)

    assert [e.action for e in summary.elections] == ["unchanged", "unchanged"]
    assert _writes(queries.captured_queries) == []
    # The elections, the queue of webhook deliveries, and on MariaDB the lock's GET_LOCK and RELEASE_LOCK.
    assert len(queries.captured_queries) <= 4
    assert dict(Election.objects.values_list("key", "synced_at")) == synced_at
    assert SyncRun.objects.count() == runs
    # The warnings are still reported on an unchanged election.
    assert any("exceptions_due" in w for w in summary.elections[0].warnings)


def test_a_change_is_applied_and_recorded(meta_repo):
    meta_repo.add_election("e", voters=("ann", "ben"), candidates=("alice", "bob"))
    _sync(meta_repo.root)
    meta_repo.write("e/voters.yaml", "eligible_voters: [Ben, cat]\n")
    meta_repo.edit("e/candidate-alice.md", "name: Alice", "name: Alice Renamed")

    summary = _sync(meta_repo.root, actor="system")

    assert [e.action for e in summary.elections] == ["updated"]
    election = Election.objects.get(key="e")
    assert sorted(election.voters.values_list("login", flat=True)) == ["ben", "cat"]
    assert election.candidates.get(candidate_id="alice").name == "Alice Renamed"
    assert SyncRun.objects.filter(ok=True, trigger="command").count() == 2
    event = AuditEvent.objects.filter(action="meta.sync").first()
    assert event.actor == "system" and event.detail["actions"] == {"updated": 1}


def test_an_admin_triggered_sync_is_audited_under_the_admin_login(meta_repo):
    meta_repo.add_election("e")
    _sync(meta_repo.root, actor="root-admin")
    assert AuditEvent.objects.get(action="meta.sync").actor == "root-admin"


def _cast_ballot(election, django_user_model, login="voter-one"):
    user = django_user_model.objects.create_user(username=login)
    VoteRecord.objects.create(election=election, voter=user)
    return Ballot.objects.create(election=election, ranks={"alice": 1, "bob": 2}, receipt=f"r-{login}")


def test_a_counted_election_whose_folder_disappeared_is_archived_and_comes_back(meta_repo, django_user_model):
    meta_repo.add_election("gone")
    meta_repo.add_election("stays")
    _sync(meta_repo.root)
    ballot = _cast_ballot(Election.objects.get(key="gone"), django_user_model)
    meta_repo.remove("gone")

    # (A folder that leaves while voting is open with ballots is kept running instead: tests/meta_sync/
    # test_rename.py.)
    summary = _sync(meta_repo.root, now=AFTER_VOTING)

    assert {e.key: e.action for e in summary.elections} == {"stays": "unchanged", "gone": "archived"}
    assert summary.exit_code == 0
    assert list(Election.objects.visible().values_list("key", flat=True)) == ["stays"]
    gone = Election.objects.get(key="gone")
    assert gone.archived and gone.voters.count() == 2 and gone.candidates.count() == 2
    assert Ballot.objects.filter(pk=ballot.pk).exists() and VoteRecord.objects.filter(election=gone).exists()
    assert [e.action for e in _sync(meta_repo.root, now=AFTER_VOTING).elections] == ["unchanged"]

    meta_repo.add_election("gone")
    summary = _sync(meta_repo.root)
    assert {e.key: e.action for e in summary.elections}["gone"] == "updated"
    assert not Election.objects.get(key="gone").archived


def test_a_candidate_removed_after_voting_began_is_kept_withdrawn(meta_repo, django_user_model):
    meta_repo.add_election("e")
    _sync(meta_repo.root)
    _cast_ballot(Election.objects.get(key="e"), django_user_model)
    meta_repo.remove("e/candidate-bob.md")

    summary = _sync(meta_repo.root, now=DURING_VOTING)

    bob = Candidate.objects.get(election__key="e", candidate_id="bob")
    assert bob.withdrawn
    assert summary.elections[0].candidates == 1
    warning = ("elections/e/candidate-bob.md: removed after voting began; candidate 'bob' is kept, withdrawn, "
               "so that cast ballots count")
    assert warning in summary.elections[0].warnings
    assert warning in Election.objects.get(key="e").sync_warnings
    # Unchanged afterwards, and still warned about.
    again = _sync(meta_repo.root, now=DURING_VOTING)
    assert again.elections[0].action == "unchanged" and warning in again.elections[0].warnings

    meta_repo.write("e/candidate-bob.md", (meta_repo.folder("e") / "candidate-alice.md").read_text()
                    .replace("alice", "bob").replace("Alice", "Bob"))
    _sync(meta_repo.root, now=DURING_VOTING)
    assert not Candidate.objects.get(election__key="e", candidate_id="bob").withdrawn


def test_a_candidate_removed_before_voting_is_deleted(meta_repo):
    meta_repo.add_election("e")
    _sync(meta_repo.root)
    meta_repo.remove("e/candidate-bob.md")
    summary = _sync(meta_repo.root, now=BEFORE_VOTING)
    assert list(Candidate.objects.filter(election__key="e").values_list("candidate_id", flat=True)) == ["alice"]
    assert summary.elections[0].warnings == []


def test_a_broken_election_keeps_its_last_good_state_and_others_still_import(meta_repo):
    meta_repo.add_election("broken", name="Good Name")
    meta_repo.add_election("fine", voters=("ann",))
    _sync(meta_repo.root)
    meta_repo.edit("broken/election.yaml", "name: Good Name", "name: New Name")
    meta_repo.edit("broken/election.yaml", "end_datetime: 2030-01-31 00:00:00", "end_datetime: 2029-01-01 00:00:00")
    meta_repo.write("broken/voters.yaml", "eligible_voters: [someone-else]\n")
    meta_repo.write("fine/voters.yaml", "eligible_voters: [ann, ben]\n")

    summary = _sync(meta_repo.root)

    assert summary.exit_code == 1
    assert summary.as_dict()["errors"] == [
        {"path": "elections/broken/election.yaml", "message": "end_datetime: must be after start_datetime"}]
    assert {e.key: e.action for e in summary.elections} == {"broken": "error", "fine": "updated"}
    broken = Election.objects.get(key="broken")
    assert broken.name == "Good Name"
    assert sorted(broken.voters.values_list("login", flat=True)) == ["voter-one", "voter-two"]
    assert broken.sync_errors == ["elections/broken/election.yaml: end_datetime: must be after start_datetime"]
    assert Election.objects.get(key="fine").voters.count() == 2
    run = SyncRun.objects.first()
    assert not run.ok and run.summary["errors"] == summary.as_dict()["errors"]

    meta_repo.edit("broken/election.yaml", "end_datetime: 2029-01-01 00:00:00", "end_datetime: 2030-01-31 00:00:00")
    summary = _sync(meta_repo.root)
    assert summary.exit_code == 0
    broken.refresh_from_db()
    assert broken.name == "New Name" and broken.sync_errors == []


def test_a_broken_new_election_is_not_created(meta_repo):
    meta_repo.add_election("new")
    meta_repo.write("new/candidate-ALICE.md", "---\nname: Again\nID: ALICE\n---\n")
    summary = _sync(meta_repo.root)
    assert summary.exit_code == 1
    assert summary.as_dict()["elections"] == [{"key": "new", "name": "Test Election", "status": "upcoming", "voters": 0,
                                               "candidates": 0, "action": "error", "warnings": []}]
    assert not Election.objects.exists()


def test_a_missing_election_dir_archives_nothing(meta_repo):
    meta_repo.add_election("e")
    _sync(meta_repo.root)
    summary = sync_meta(path=meta_repo.root, election_dir="no-such-dir", trigger="command")
    assert summary.exit_code == 2
    assert not Election.objects.get(key="e").archived


def test_a_dry_run_reports_changes_and_writes_nothing(meta_repo):
    meta_repo.add_election("e")
    summary = _sync(meta_repo.root, dry_run=True)
    assert [e.action for e in summary.elections] == ["created"]
    assert not Election.objects.exists() and not EligibleVoter.objects.exists() and not SyncRun.objects.exists()


def test_the_content_hash_is_the_hash_of_the_whole_parsed_folder():
    """The content hash is written without copying the parsed folder first; it must stay the SHA-256 of the JSON
    of the whole dataclass (what earlier imports stored), or every election would look changed once."""
    import hashlib
    import json
    from dataclasses import asdict

    from meta_sync.parser import parse_meta_tree
    from tests.conftest import REPO_ROOT

    tree = parse_meta_tree(REPO_ROOT / "examples" / "meta", "elections")
    assert tree.elections
    for election in tree.elections:
        data = asdict(election)
        data["problems"] = [str(problem) for problem in election.problems]
        expected = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
        assert election.content_hash() == hashlib.sha256(expected.encode()).hexdigest()
