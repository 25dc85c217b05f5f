"""A sync reads only the election folders that changed since they were last imported."""

import os
from pathlib import Path
from unittest import mock

import pytest

from meta_sync.parser import folders, stamps
from meta_sync.services import sync_meta
from tests.conftest import REPO_ROOT

# The code a folder's stamp must cover: every module of the parser, and the login rules it reads logins with.
PARSER_SOURCES = [*sorted(Path(stamps.__file__).resolve().parent.glob("*.py")), REPO_ROOT / "accounts" / "github.py",
                  REPO_ROOT / "elections" / "counting" / "charter.py",
                  REPO_ROOT / "elections" / "ballot_box" / "officer_keys.py"]


def _sync(repo):
    with mock.patch.object(folders, "parse_election", wraps=folders.parse_election) as parse:
        summary = sync_meta(path=repo.root, election_dir="elections", trigger="command")
    return summary, sorted(call.args[1].name for call in parse.call_args_list)


@pytest.fixture
def imported(db, meta_repo):
    meta_repo.add_election("board/2030", voters=("ann", "ben", "cat"), candidates=("alice", "bob"))
    meta_repo.add_election("steering/2030")
    summary, read = _sync(meta_repo)
    assert summary.exit_code == 0 and read == ["2030", "2030"]
    return meta_repo


def test_a_sync_with_nothing_changed_reads_no_file(imported):
    summary, read = _sync(imported)
    assert read == []
    assert {(e.key, e.action, e.voters, e.candidates) for e in summary.elections} == {
        ("board---2030", "unchanged", 3, 2), ("steering---2030", "unchanged", 2, 2)}


def test_a_changed_folder_is_read_and_imported_and_the_others_are_not(imported):
    imported.edit("board/2030/voters.yaml", "  - cat\n", "  - cat\n  - dan\n")
    summary, read = _sync(imported)
    assert read == ["2030"]
    outcome = {e.key: e for e in summary.elections}
    assert outcome["board---2030"].action == "updated" and outcome["board---2030"].voters == 4
    assert outcome["steering---2030"].action == "unchanged"
    assert _sync(imported)[1] == []


def test_a_rewritten_file_with_the_same_content_is_read_once_then_skipped(imported):
    path = imported.folder("board/2030") / "election.yaml"
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    summary, read = _sync(imported)
    assert read == ["2030"]
    assert {e.action for e in summary.elections} == {"unchanged"}
    assert _sync(imported)[1] == []


def test_a_new_or_removed_file_is_seen(imported):
    imported.write("board/2030/candidate-carol.md", imported.folder("board/2030").joinpath(
        "candidate-bob.md").read_text(encoding="utf-8").replace("ID: bob", "ID: carol"))
    summary, read = _sync(imported)
    assert read == ["2030"] and {e.key: e.candidates for e in summary.elections}["board---2030"] == 3
    os.remove(imported.folder("board/2030") / "candidate-carol.md")
    summary, read = _sync(imported)
    assert read == ["2030"] and {e.key: e.candidates for e in summary.elections}["board---2030"] == 2


def test_an_election_with_errors_is_read_at_every_sync(imported):
    imported.write("board/2030/election.yaml", "name: [unclosed\n")
    assert _sync(imported)[1] == ["2030"]
    summary, read = _sync(imported)
    assert read == ["2030"]
    assert {e.key: e.action for e in summary.elections}["board---2030"] == "error"


def test_a_new_parser_reads_every_folder_again(imported, monkeypatch):
    monkeypatch.setattr(stamps, "_parser_digest", "another version of the parser")
    summary, read = _sync(imported)
    assert read == ["2030", "2030"]
    assert {e.action for e in summary.elections} == {"unchanged"}


@pytest.mark.parametrize("source", PARSER_SOURCES, ids=lambda path: path.name)
def test_a_change_in_any_module_of_the_parser_changes_a_folders_stamp(tmp_path, monkeypatch, source):
    (tmp_path / "election.yaml").write_text("name: E\n", encoding="utf-8")
    monkeypatch.setattr(stamps, "_parser_digest", None)
    before = stamps.folder_stamp(tmp_path)
    read_bytes = Path.read_bytes

    def read_with_the_change(path):
        return read_bytes(path) + (b"\n# changed\n" if path.resolve() == source else b"")

    monkeypatch.setattr(Path, "read_bytes", read_with_the_change)
    monkeypatch.setattr(stamps, "_parser_digest", None)
    assert stamps.folder_stamp(tmp_path) != before
