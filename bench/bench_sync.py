"""Benchmark of the meta sync: cold import of the real meta repositories, then a no-op re-sync.

Run: ``.venv/bin/python bench/bench_sync.py [--quick]``. Uses DATABASE_URL when set (its election tables must be
empty); otherwise migrates a throw-away SQLite file. Targets: cold import <= 3 s, no-op re-sync <= 0.5 s.
"""

import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
META_FIXTURES = REPO_ROOT.parent / "shared" / "fixtures" / "meta"
# Without the real repositories (a user's clone has no ../shared), the bundled example stands in.
EXAMPLE_META = REPO_ROOT / "examples" / "meta"
TARGET_COLD_SECONDS = 3.0
TARGET_NOOP_SECONDS = 0.5

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


def _combined_tree():
    """Both real meta repositories as one tree (their election keys do not collide)."""
    target = _workdir / "meta"
    if not target.exists():
        sources = sorted(META_FIXTURES.iterdir()) if META_FIXTURES.is_dir() else [EXAMPLE_META]
        for source in sources:
            if (source / "elections").is_dir():
                shutil.copytree(source / "elections", target / "elections", dirs_exist_ok=True)
    return target


def run(quick: bool) -> list[dict]:
    """Time the cold import and the no-op re-sync; return rows {name, value, unit, target}."""
    real = META_FIXTURES.is_dir()
    _setup_django()
    from elections.models import AuditEvent, Election
    from meta_sync.models import SyncRun
    from meta_sync.services import sync_meta

    if Election.objects.exists():
        raise SystemExit("the benchmark needs a database without elections (it imports and deletes them)")
    tree = _combined_tree()
    cold, noop = [], []
    elections = 0
    for _ in range(3 if quick else 7):
        started = time.perf_counter()
        first = sync_meta(path=tree, election_dir="elections", trigger="command")
        cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        second = sync_meta(path=tree, election_dir="elections", trigger="command")
        noop.append(time.perf_counter() - started)
        assert first.exit_code == 0 and {e.action for e in first.elections} == {"created"}, first.as_dict()
        assert {e.action for e in second.elections} == {"unchanged"}, second.as_dict()
        elections = len(first.elections)
        Election.objects.all().delete()
        SyncRun.objects.all().delete()
        AuditEvent.objects.filter(action="meta.sync").delete()
    note = (f"Both real meta repositories ({elections} elections, one tree) into an empty database, then the same "
            "tree again; each run in its own process-wide sync lock, parse included.")
    if not real:
        note = (f"{META_FIXTURES} is absent, so the bundled example meta repository ({elections} elections) was "
                "imported instead: these figures are not comparable with the real repositories'.")
    return [
        {"name": f"meta sync: cold import ({elections} elections)", "value": round(statistics.median(cold), 3),
         "unit": "s", "target": f"<= {TARGET_COLD_SECONDS}", "samples": [round(v, 4) for v in cold],
         "note": note},
        {"name": "meta sync: no-op re-sync", "value": round(statistics.median(noop), 3), "unit": "s",
         "target": f"<= {TARGET_NOOP_SECONDS}", "samples": [round(v, 4) for v in noop]},
    ]


def main():
    rows = run(quick="--quick" in sys.argv[1:])
    print("| benchmark | median | target |")
    print("|---|---|---|")
    for row in rows:
        print(f"| {row['name']} | {row['value']} {row['unit']} | {row['target']} {row['unit']} |")


if __name__ == "__main__":
    main()
