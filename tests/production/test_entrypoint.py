"""deploy/entrypoint.sh, run as the container runs it, with a stand-in gunicorn on PATH.

``python`` on PATH is a thin wrapper that records each call and runs the real interpreter; for the exit-status
cases it can answer for ``sync_meta`` (whose own tests cover it) with a given status instead.
"""

import sqlite3
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLE_META, REPO_ROOT
from tests.production.support import production_env

ENTRYPOINT = REPO_ROOT / "deploy" / "entrypoint.sh"


@pytest.fixture
def scratch(tmp_path):
    """A scratch directory with the shims on PATH; returns a function that runs the entry point there."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.log"
    (bin_dir / "python").write_text(
        "#!/bin/sh\n"
        'printf "python %s\\n" "$*" >> "$CALLS_LOG"\n'
        'if [ "$2" = sync_meta ] && [ -n "${FAKE_SYNC_STATUS:-}" ]; then exit "$FAKE_SYNC_STATUS"; fi\n'
        'if [ "$2" = migrate ] && [ -n "${FAKE_MIGRATE_STATUS:-}" ]; then exit "$FAKE_MIGRATE_STATUS"; fi\n'
        f'exec "{sys.executable}" "$@"\n'
    )
    (bin_dir / "gunicorn").write_text(
        "#!/bin/sh\n"
        'printf "gunicorn pid=%s cwd=%s %s\\n" "$$" "$(pwd)" "$*" >> "$CALLS_LOG"\n'
    )
    for shim in bin_dir.iterdir():
        shim.chmod(0o755)

    def run(**env):
        full_env = production_env(tmp_path, CALLS_LOG=str(calls), **env)
        full_env["PATH"] = f"{bin_dir}:{full_env['PATH']}"
        full_env.pop("PYTHON", None)
        process = subprocess.Popen([str(ENTRYPOINT)], cwd=tmp_path, env=full_env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        stdout, stderr = process.communicate(timeout=120)
        lines = calls.read_text().splitlines() if calls.exists() else []
        calls.unlink(missing_ok=True)
        return process, lines, stdout + stderr

    run.database = tmp_path / "db.sqlite3"
    return run


def test_it_migrates_imports_the_meta_repository_then_becomes_gunicorn(scratch):
    process, calls, output = scratch(META_PATH=str(EXAMPLE_META))

    assert process.returncode == 0, output
    assert calls[:3] == [
        "python manage.py migrate --noinput",
        "python manage.py createcachetable",
        f"python manage.py sync_meta --path {EXAMPLE_META}",
    ]
    # exec: gunicorn runs in the entry point's own process, so signals from Kubernetes reach it.
    assert calls[3] == f"gunicorn pid={process.pid} cwd={REPO_ROOT} -c gunicorn.conf.py elekto_site.wsgi"
    assert len(calls) == 4
    with sqlite3.connect(scratch.database) as db:
        assert db.execute("SELECT count(*) FROM django_migrations WHERE app = 'elections'").fetchone()[0] > 0
        assert db.execute("SELECT count(*) FROM elections_election").fetchone()[0] > 0


def test_a_repository_url_is_cloned_on_its_branch(scratch):
    process, calls, output = scratch(
        ELEKTO_SKIP_MIGRATE="1", META_REPO="https://github.com/example/meta.git", META_BRANCH="elections-2026",
        META_PATH="/tmp/meta", FAKE_SYNC_STATUS="0",
    )

    assert process.returncode == 0, output
    assert calls[0] == "python manage.py sync_meta --repo https://github.com/example/meta.git --branch elections-2026"
    assert calls[1].startswith("gunicorn ")


def test_without_a_meta_repository_it_starts_without_importing(scratch):
    process, calls, output = scratch(ELEKTO_SKIP_MIGRATE="1", META_PATH="", META_REPO="")

    assert process.returncode == 0, output
    assert [call.split()[0] for call in calls] == ["gunicorn"]
    assert "META_REPO and META_PATH are unset: not importing" in output


@pytest.mark.parametrize("status", ["1", "2"])
def test_the_site_still_starts_when_the_import_fails(scratch, status):
    process, calls, output = scratch(ELEKTO_SKIP_MIGRATE="1", META_PATH="/nowhere", FAKE_SYNC_STATUS=status)

    assert process.returncode == 0, output
    assert calls[-1].startswith("gunicorn ")


@pytest.mark.parametrize("status", [1, 2])
def test_a_job_that_only_imports_fails_when_the_import_does(scratch, status):
    process, calls, output = scratch(
        ELEKTO_SKIP_MIGRATE="1", ELEKTO_SKIP_SERVER="1", META_PATH="/nowhere", FAKE_SYNC_STATUS=str(status),
    )

    assert process.returncode == status
    assert not any(call.startswith("gunicorn") for call in calls)


def test_an_unexpected_import_failure_stops_the_start(scratch):
    process, calls, output = scratch(ELEKTO_SKIP_MIGRATE="1", META_PATH="/nowhere", FAKE_SYNC_STATUS="70")

    assert process.returncode == 70
    assert not any(call.startswith("gunicorn") for call in calls)
    assert "sync_meta failed with status 70" in output


def test_a_failed_migration_stops_everything(scratch):
    process, calls, output = scratch(META_PATH=str(EXAMPLE_META), FAKE_MIGRATE_STATUS="1")

    assert process.returncode == 1
    assert calls == ["python manage.py migrate --noinput"]


def test_the_migration_job_migrates_and_imports_without_serving(scratch):
    process, calls, output = scratch(
        ELEKTO_SKIP_SERVER="1", META_PATH="/nowhere", FAKE_MIGRATE_STATUS="0", FAKE_SYNC_STATUS="0"
    )

    assert process.returncode == 0, output
    assert [call.split()[2] for call in calls] == ["migrate", "createcachetable", "sync_meta"]
