"""Benchmark of the meta sync: cold import, then a no-op re-sync, of the real meta repositories and of a tree ten
times the size of today's (370 elections, built from copies of the real ones), plus what the ``sync_meta``
command's own process start-up costs, and what a YAML alias bomb in an election folder costs (refused).

Run: ``.venv/bin/python bench/bench_sync.py [--quick]``. Uses DATABASE_URL when set (its election tables must be
empty); otherwise migrates a throw-away SQLite file. Targets: cold import of 370 elections <= 3 s; no-op re-sync
of 370 elections <= 0.1 s beyond process start-up.
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
# The real communities' meta repositories that the tests hold (tests/data/NOTICE names their sources).
META_FIXTURES = REPO_ROOT / "tests" / "data" / "meta"
EXAMPLE_META = REPO_ROOT / "examples" / "meta"
SCALED_ELECTIONS = 370
TARGET_COLD_SECONDS = 3.0
TARGET_NOOP_SECONDS = 0.1
# A 1.2 kB election.yaml that would expand to 387 million strings: refused while its text is read.
BOMB = REPO_ROOT / "tests" / "meta_sync" / "fixtures" / "hostile" / "bomb-tie_break.yaml"
TARGET_BOMB_SECONDS = 0.1
TARGET_BOMB_MB = 4.0

_workdir = None


def _setup_django():
    global _workdir
    if _workdir is not None:
        return
    _workdir = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    atexit.register(shutil.rmtree, _workdir, ignore_errors=True)
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elekto_site.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{_workdir / 'bench.sqlite3'}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _sources():
    return sorted(META_FIXTURES.iterdir()) if META_FIXTURES.is_dir() else [EXAMPLE_META]


def _combined_tree():
    """Both real meta repositories as one tree (their election keys do not collide)."""
    target = _workdir / "meta"
    if not target.exists():
        for source in _sources():
            if (source / "elections").is_dir():
                shutil.copytree(source / "elections", target / "elections", dirs_exist_ok=True)
    return target


def _scaled_tree(count):
    """``count`` elections: copies of the real elections' folders under ``elections/cNN/``, round after round."""
    target = _workdir / f"meta-{count}"
    if target.exists():
        return target
    folders = []
    for source in _sources():
        root = source / "elections"
        folders += [(root, path.parent) for path in sorted(root.rglob("election.yaml"))]
    for number in range(count):
        root, folder = folders[number % len(folders)]
        shutil.copytree(folder, target / "elections" / f"c{number // len(folders):02d}" / folder.relative_to(root))
    return target


def _clear():
    from elections.models import AuditEvent, Election
    from meta_sync.models import SyncRun

    Election.objects.all().delete()
    SyncRun.objects.all().delete()
    AuditEvent.objects.all().delete()


def _cold_and_noop(tree, runs):
    from meta_sync.services import sync_meta

    cold, noop = [], []
    elections = 0
    for _ in range(runs):
        started = time.perf_counter()
        first = sync_meta(path=tree, election_dir="elections", trigger="command")
        cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        second = sync_meta(path=tree, election_dir="elections", trigger="command")
        noop.append(time.perf_counter() - started)
        assert first.exit_code == 0 and {e.action for e in first.elections} == {"created"}, first.as_dict()
        assert {e.action for e in second.elections} == {"unchanged"}, second.as_dict()
        elections = len(first.elections)
        _clear()
    return cold, noop, elections


def _process_seconds(args, env, runs):
    """Median wall time of a fresh ``python`` process running ``args``."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=REPO_ROOT, env=env, check=True, capture_output=True, timeout=300)
        samples.append(time.perf_counter() - started)
    return samples


def run(quick: bool) -> list[dict]:
    """Time the cold import and the no-op re-sync; return rows {name, value, unit, target}."""
    real = META_FIXTURES.is_dir()
    _setup_django()
    from elections.models import Election

    if Election.objects.exists():
        raise SystemExit("the benchmark needs a database without elections (it imports and deletes them)")
    runs = 2 if quick else 5
    cold, noop, elections = _cold_and_noop(_combined_tree(), runs)
    scaled_count = 37 if quick else SCALED_ELECTIONS
    scaled = _scaled_tree(scaled_count)
    scaled_cold, scaled_noop, _ = _cold_and_noop(scaled, runs)

    # The command's own cost: a fresh process that only starts Django, and one that runs a no-op sync_meta.
    from meta_sync.services import sync_meta

    sync_meta(path=scaled, election_dir="elections", trigger="command")
    env = {**os.environ, "DEBUG": "on", "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + "x" * 50)}
    startup = _process_seconds(["-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
                                      "'elekto_site.settings'); django.setup()"], env, runs)
    command = _process_seconds(["manage.py", "sync_meta", "--path", str(scaled), "--election-dir", "elections"],
                               env, runs)
    _clear()

    bomb_seconds, bomb_mb = _bomb(runs)

    source = "both real meta repositories" if real else f"the bundled example ({META_FIXTURES} is absent)"
    return [
        {"name": f"meta sync: cold import ({elections} elections)", "value": None, "unit": "s", "target": None,
         "samples": [round(v, 4) for v in cold],
         "note": f"{source.capitalize()} ({elections} elections, one tree) into an empty database, then the same "
                 "tree again; each run in its own process-wide sync lock, parse included."},
        {"name": f"meta sync: no-op re-sync ({elections} elections)", "value": None, "unit": "s", "target": None,
         "samples": [round(v, 4) for v in noop]},
        {"name": f"meta sync: cold import ({scaled_count} elections)", "value": None, "unit": "s",
         "target": f"<= {TARGET_COLD_SECONDS}", "samples": [round(v, 4) for v in scaled_cold],
         "note": f"{scaled_count} elections built from copies of {source}'s folders, with their voter rolls."},
        {"name": f"meta sync: no-op re-sync ({scaled_count} elections), beyond process start-up", "value": None,
         "unit": "s", "target": f"<= {TARGET_NOOP_SECONDS}", "samples": [round(v, 4) for v in scaled_noop],
         "note": "In a running process: each folder's files are compared by their stamp (names, sizes, inodes, "
                 "times), and none is read."},
        {"name": "Django start-up in a fresh process", "value": None, "unit": "s", "target": None,
         "samples": [round(v, 3) for v in startup]},
        {"name": f"manage.py sync_meta, no-op, {scaled_count} elections, whole process", "value": None, "unit": "s",
         "target": None, "samples": [round(v, 3) for v in command],
         "note": "The command as cron or an operator runs it: interpreter and Django start-up, checks, the no-op "
                 "sync and the output; the line above is its start-up alone."},
        {"name": "meta sync: an alias-bomb election refused", "value": None, "unit": "s",
         "target": f"<= {TARGET_BOMB_SECONDS}", "samples": [round(v, 4) for v in bomb_seconds],
         "note": "Parsing one election folder whose election.yaml is an alias bomb under tie_break."},
        {"name": "meta sync: an alias-bomb election refused, peak memory", "value": None, "unit": "MB",
         "target": f"<= {TARGET_BOMB_MB}", "samples": [round(v, 3) for v in bomb_mb],
         "note": "tracemalloc peak while parsing that folder."},
    ]


def _bomb(runs):
    """Seconds and peak MB (tracemalloc) of parsing an election folder holding the alias bomb."""
    import tracemalloc

    from meta_sync.parser import parse_meta_tree

    folder = _workdir / "bomb" / "elections" / "bomb"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(BOMB, folder / "election.yaml")
    seconds, peaks = [], []
    for _ in range(runs):
        tracemalloc.start()
        started = time.perf_counter()
        tree = parse_meta_tree(folder.parent.parent, "elections")
        seconds.append(time.perf_counter() - started)
        peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
        tracemalloc.stop()
        assert not tree.elections[0].ok, "the bomb was not refused"
    return seconds, peaks


def main():
    rows = run(quick="--quick" in sys.argv[1:])
    for row in rows:
        print(f"{row['name']}: {statistics.median(row['samples'])} {row['unit']} (target {row['target']})")


if __name__ == "__main__":
    main()
