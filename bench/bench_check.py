"""Benchmark of ``python -m meta_sync.check``, the meta repository's own check, as its CI runs it: a fresh process
on a tree of 370 elections (bench_sync's tree, built from copies of the real ones with their voter rolls), then
the same with ``--against HEAD`` (the tree read again from git), and the check alone in a running process.

Run: ``.venv/bin/python bench/bench_check.py [--quick]``. No database. Target: 370 elections in <= 3 s, whole
process.
"""

import atexit
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench import bench_sync  # noqa: E402 - after the repository is importable

SCALED_ELECTIONS = 370
TARGET_SECONDS = 3.0


def _git(*args, cwd):
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=300)


def _command_seconds(args, runs):
    """Wall time of each fresh ``python -m meta_sync.check`` process; the check must find no error."""
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env["PYTHONPATH"] = str(REPO_ROOT)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        completed = subprocess.run([sys.executable, "-m", "meta_sync.check", *args], cwd=REPO_ROOT, env=env,
                                   capture_output=True, text=True, timeout=300)
        samples.append(time.perf_counter() - started)
        assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    return samples


def run(quick: bool) -> list[dict]:
    from meta_sync.check import check_meta

    workdir = Path(tempfile.mkdtemp(prefix="bench-check-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    count = 37 if quick else SCALED_ELECTIONS
    runs = 2 if quick else 5
    tree = bench_sync.scaled_tree(workdir / f"meta-{count}", count)
    _git("init", "--quiet", cwd=tree)
    _git("add", "-A", cwd=tree)
    _git("commit", "--quiet", "-m", "elections", cwd=tree)

    command = _command_seconds([str(tree)], runs)
    against = _command_seconds([str(tree), "--against", "HEAD"], runs)
    in_process = []
    for _ in range(runs):
        started = time.perf_counter()
        report = check_meta(tree)
        in_process.append(time.perf_counter() - started)
    elections = sum(1 for e in report.elections if e.present)
    assert elections == count and report.error_count == 0, (elections, report.error_count)

    real = bench_sync.META_FIXTURES.is_dir()
    source = "both real meta repositories" if real else f"the bundled example ({bench_sync.META_FIXTURES} is absent)"
    return [
        {"name": f"python -m meta_sync.check, {count} elections, whole process", "value": None, "unit": "s",
         "target": f"<= {TARGET_SECONDS}", "samples": [round(v, 3) for v in command],
         "note": f"{count} elections built from copies of the folders of {source} (bench_sync's tree), checked as a "
                 "meta repository's CI runs it: a fresh interpreter, the sync's parser, every rule, text output."},
        {"name": f"python -m meta_sync.check --against HEAD, {count} elections, whole process", "value": None,
         "unit": "s", "target": None, "samples": [round(v, 3) for v in against],
         "note": "The same with --against HEAD on the unchanged tree: git lists the election folders that differ "
                 "from HEAD (none here; only those are extracted with git archive and read again), then every "
                 "election is compared with its state at HEAD."},
        {"name": f"meta_sync.check in a running process, {count} elections", "value": None, "unit": "s",
         "target": None, "samples": [round(v, 3) for v in in_process]},
    ]


def main():
    for row in run(quick="--quick" in sys.argv[1:]):
        print(f"{row['name']}: {statistics.median(row['samples'])} {row['unit']} (target {row['target']})")


if __name__ == "__main__":
    main()
