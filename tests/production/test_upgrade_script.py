"""deploy/upgrade.sh, run with a stand-in kubectl on PATH that records each call: the migration Job runs before the
rollout, and with --stop-old-pods nothing of the previous release runs while the database is migrated."""

import os
import subprocess

import pytest

from tests.conftest import REPO_ROOT

UPGRADE = REPO_ROOT / "deploy" / "upgrade.sh"


@pytest.fixture
def upgrade(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.log"
    (bin_dir / "kubectl").write_text('#!/bin/sh\nprintf "%s\\n" "$*" >> "$CALLS_LOG"\n'
                                     'if [ -n "${FAIL_ON:-}" ] && [ "$1" = "$FAIL_ON" ]; then exit 1; fi\n')
    (bin_dir / "kubectl").chmod(0o755)

    def run(*args, **env):
        done = subprocess.run(["sh", str(UPGRADE), *args], capture_output=True, text=True, timeout=60,
                              env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}",
                                   "CALLS_LOG": str(calls), **env})
        return done, calls.read_text().splitlines() if calls.exists() else []

    return run


def test_the_migration_job_completes_before_the_new_image_rolls_out(upgrade):
    done, calls = upgrade("overlays/production")

    assert done.returncode == 0, done.stderr
    assert calls == [
        "delete job elekto-migrate --ignore-not-found",
        "apply -k overlays/production -l app.kubernetes.io/component=migrate",
        "wait --for=condition=complete job/elekto-migrate --timeout=15m",
        "apply -k overlays/production",
        "rollout status deployment/elekto-web --timeout=15m",
        "rollout status deployment/elekto-sync-worker --timeout=15m",
    ]


def test_stopping_old_pods_first_stops_every_writer_of_the_previous_release_before_migrating(upgrade):
    done, calls = upgrade("overlays/production", "--stop-old-pods")

    assert done.returncode == 0, done.stderr
    migrate = calls.index("apply -k overlays/production -l app.kubernetes.io/component=migrate")
    before = calls[:migrate]
    for cronjob in ("elekto-sync-meta", "elekto-destroy-ballot-links", "elekto-clear-sessions"):
        assert f'patch cronjob {cronjob} --type=merge -p {{"spec":{{"suspend":true}}}}' in before
        assert f'patch cronjob {cronjob} --type=merge -p {{"spec":{{"suspend":false}}}}' in calls[migrate:]
    assert "scale deployment elekto-web elekto-sync-worker --replicas=0" in before
    assert any(call.startswith("wait --for=delete pod") for call in before)
    assert calls.index("apply -k overlays/production") > calls.index(
        "wait --for=condition=complete job/elekto-migrate --timeout=15m")


def test_a_failed_migration_rolls_nothing_out(upgrade):
    done, calls = upgrade("overlays/production", FAIL_ON="wait")

    assert done.returncode != 0
    assert "apply -k overlays/production" not in calls


def test_an_unknown_option_is_refused_before_anything_runs(upgrade):
    done, calls = upgrade("overlays/production", "--stop")

    assert done.returncode == 2
    assert "usage:" in done.stderr
    assert calls == []
