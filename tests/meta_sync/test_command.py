"""``manage.py sync_meta``: text and JSON output, exit statuses, and fetching the repository with git."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from elections.models import Election

from .conftest import git as _git

pytestmark = pytest.mark.django_db


def _run(*args, expect=0):
    out, err = io.StringIO(), io.StringIO()
    if expect == 0:
        call_command("sync_meta", *args, stdout=out, stderr=err, skip_checks=True, no_color=True)
    else:
        with pytest.raises(CommandError) as excinfo:
            call_command("sync_meta", *args, stdout=out, stderr=err, skip_checks=True, no_color=True)
        assert excinfo.value.returncode == expect
        err.write(str(excinfo.value))
    return out.getvalue(), err.getvalue()


def test_text_output_has_one_line_per_election_and_its_warnings(irregular_repo):
    out, _ = _run("--path", str(irregular_repo.root))
    lines = out.splitlines()
    assert lines[0].split() == ["created", "club---2025", "completed", "voters=5", "candidates=3"]
    assert "    warning: elections/club/2025/election.yaml: colour: unknown key, ignored" in lines
    assert any(line.split()[:2] == ["created", "club---no-voters"] for line in lines)
    assert lines[-1] == "2 election(s): 2 created."

    out, _ = _run("--path", str(irregular_repo.root))
    assert out.splitlines()[-1] == "2 election(s): 2 unchanged."


def test_json_output_is_one_object_in_the_documented_shape(irregular_repo):
    out, _ = _run("--path", str(irregular_repo.root), "--format", "json")
    data = json.loads(out)
    assert set(data) == {"elections", "errors"}
    assert data["errors"] == []
    club = data["elections"][0]
    assert set(club) == {"key", "name", "status", "voters", "candidates", "action", "warnings"}
    assert (club["key"], club["name"], club["voters"], club["candidates"], club["action"]) == (
        "club---2025", "Club Board Election 2025", 5, 3, "created")
    assert club["status"] in {"upcoming", "running", "completed"}


def test_some_elections_failing_exits_1_and_imports_the_rest(meta_repo):
    meta_repo.add_election("good")
    meta_repo.add_election("bad")
    meta_repo.edit("bad/election.yaml", "no_winners: 1", "no_winners: 0")
    out, err = _run("--path", str(meta_repo.root), "--format", "json", expect=1)
    data = json.loads(out)
    assert data["errors"] == [{"path": "elections/bad/election.yaml", "message": "no_winners: must be at least 1"}]
    assert {e["key"]: e["action"] for e in data["elections"]} == {"bad": "error", "good": "created"}
    assert "1 election(s) could not be imported" in err
    assert list(Election.objects.values_list("key", flat=True)) == ["good"]

    out, _ = _run("--path", str(meta_repo.root), expect=1)
    assert "    error: elections/bad/election.yaml: no_winners: must be at least 1" in out.splitlines()


def test_an_unusable_path_exits_2(tmp_path):
    _, err = _run("--path", str(tmp_path / "missing"), expect=2)
    assert "the meta repository folder does not exist" in err
    _, err = _run("--path", str(tmp_path), "--election-dir", "nope", expect=2)
    assert "nope: the election dir does not exist" in err


def test_a_branch_without_a_repository_exits_2(settings):
    settings.META_REPO = ""
    _, err = _run("--branch", "main", expect=2)
    assert "--branch needs --repo" in err


def test_dry_run_writes_nothing(irregular_repo):
    out, _ = _run("--path", str(irregular_repo.root), "--dry-run")
    assert out.splitlines()[0] == "Dry run: nothing was written."
    assert "2 election(s): 2 created." in out
    assert not Election.objects.exists()


def test_a_large_repository_shows_progress_on_stderr(meta_repo):
    for n in range(21):
        meta_repo.add_election(f"e{n:02}", voters=("v",), candidates=("c",))
    _, err = _run("--path", str(meta_repo.root))
    assert err.splitlines()[0] == "[1/21] e00" and err.splitlines()[-1] == "[21/21] e20"


def test_a_repository_is_cloned_then_fast_forwarded(upstream, settings, tmp_path):
    settings.META_PATH = tmp_path / "checkout"
    out, _ = _run("--repo", str(upstream.bare), "--branch", "main")
    assert out.splitlines()[0].split()[:2] == ["created", "e"]

    upstream.write("e/voters.yaml", "eligible_voters: [ann, ben]\n")
    revision = upstream.push("add ben")
    out, _ = _run("--repo", str(upstream.bare), "--branch", "main")
    assert out.splitlines()[0].split()[:2] == ["updated", "e"]
    assert Election.objects.get(key="e").voters.count() == 2
    assert _git("rev-parse", "HEAD", cwd=settings.META_PATH).strip() == revision

    from meta_sync.models import SyncRun

    assert SyncRun.objects.first().revision == revision


def test_without_arguments_the_settings_repository_is_used(upstream, settings, tmp_path):
    settings.META_REPO = str(upstream.bare)
    settings.META_BRANCH = "main"
    settings.META_PATH = tmp_path / "checkout"
    _run()
    assert Election.objects.filter(key="e").exists()


def test_hooks_of_the_repository_are_never_run(upstream, settings, tmp_path):
    settings.META_PATH = tmp_path / "checkout"
    _run("--repo", str(upstream.bare))
    marker = tmp_path / "hook-ran"
    hook = settings.META_PATH / ".git" / "hooks" / "post-merge"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    upstream.write("e/voters.yaml", "eligible_voters: [ann, ben]\n")
    upstream.push("add ben")
    _run("--repo", str(upstream.bare))
    assert Election.objects.get(key="e").voters.count() == 2
    assert not marker.exists()


def test_an_unreachable_repository_exits_2_with_a_clear_message(settings, tmp_path):
    settings.META_PATH = tmp_path / "checkout"
    _, err = _run("--repo", str(tmp_path / "no-such-repo.git"), expect=2)
    assert "git clone failed:" in err


def test_a_diverged_checkout_is_not_overwritten(upstream, settings, tmp_path):
    settings.META_PATH = tmp_path / "checkout"
    _run("--repo", str(upstream.bare))
    upstream.write("e/voters.yaml", "eligible_voters: [ann, ben]\n")
    _git("commit", "-a", "--amend", "-m", "rewritten", cwd=upstream.root)
    _git("push", "--force", "origin", "main", cwd=upstream.root)
    _, err = _run("--repo", str(upstream.bare), expect=2)
    assert "cannot be fast-forwarded" in err
    assert Election.objects.get(key="e").voters.count() == 1
