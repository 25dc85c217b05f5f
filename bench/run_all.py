"""Run every benchmark in bench/ and write BENCHMARKS.md.

    .venv/bin/python bench/run_all.py            # full run, writes BENCHMARKS.md at the repository root
    .venv/bin/python bench/run_all.py --quick    # smoke run (CI), writes bench/results/BENCHMARKS-quick.md
    .venv/bin/python bench/run_all.py --only http tally

Each ``bench/bench_*.py`` module has ``run(quick: bool) -> list[dict]``; a dict is one figure:
``name``, ``value``, ``unit``, ``target`` (``">= 20"``, ``"<= 100"``, a number, or None) and optionally
``samples`` (the values of the individual runs, when the module repeats its measurement itself), ``note``.
A module without ``samples`` is run ``--repeats`` times and each figure is the median of those runs.
See bench/README.md.
"""

import argparse
import importlib
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
TARGET_RE = re.compile(r"^\s*(>=|<=|>|<|≥|≤)\s*([0-9][0-9_.,]*)")


def parse_target(target, unit=""):
    """(operator, number) from ``">= 20"``, ``"<= 1 s"`` or a bare number; None when there is no target.

    A bare number means "at least" for rates (unit with ``/s``) and "at most" for everything else.
    """
    if target is None or target == "":
        return None
    if isinstance(target, int | float):
        return (">=" if "/s" in unit else "<=", float(target))
    match = TARGET_RE.match(str(target))
    if not match:
        return None
    operator = {"≥": ">=", "≤": "<="}.get(match.group(1), match.group(1))
    return operator, float(match.group(2).replace("_", "").replace(",", ""))


def verdict(value, target, unit=""):
    parsed = parse_target(target, unit)
    if parsed is None or value is None:
        return "—"
    operator, bound = parsed
    ok = {">=": value >= bound, "<=": value <= bound, ">": value > bound, "<": value < bound}[operator]
    return "met" if ok else "missed"


def format_number(value):
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 100:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def format_target(target, unit):
    parsed = parse_target(target, unit)
    if parsed is None:
        return "—" if target in (None, "") else str(target)
    operator, bound = parsed
    return f"{ {'>=': '≥', '<=': '≤'}.get(operator, operator)} {format_number(bound)} {unit}".strip()


def discover(only=None):
    modules = sorted(BENCH_DIR.glob("bench_*.py"))
    names = [path.stem for path in modules]
    if only:
        wanted = {name if name.startswith("bench_") else f"bench_{name}" for name in only}
        unknown = wanted - set(names)
        if unknown:
            raise SystemExit(f"no such benchmark: {', '.join(sorted(unknown))} (have: {', '.join(names)})")
        names = [name for name in names if name in wanted]
    return names


def run_module(name, *, quick, repeats):
    """Figures of one module, each reduced to its median; raises what the module raises."""
    module = importlib.import_module(f"bench.{name}")
    runs = [module.run(quick=quick)]
    if not all("samples" in figure for figure in runs[0]):
        for _ in range(repeats - 1):
            runs.append(module.run(quick=quick))
    figures = []
    for figure in runs[0]:
        if "samples" in figure:
            samples = [s for s in figure["samples"] if s is not None]
        else:
            samples = [f["value"] for run in runs for f in run if f["name"] == figure["name"]]
            samples = [s for s in samples if s is not None]
        value = statistics.median(samples) if samples else figure.get("value")
        figures.append({**figure, "value": value, "samples": samples, "module": name})
    return figures


def _first_line(command):
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (result.stdout or result.stderr).strip().splitlines()[0] if (result.stdout or result.stderr) else ""


def mariadb_version():
    url = os.environ.get("BENCH_DATABASE_URL", "mysql://root@127.0.0.1:3306/elekto_bench")
    match = re.match(r"mysql://(?P<user>[^:@/]+)(?::(?P<password>[^@]*))?@(?P<host>[^:/]+)(?::(?P<port>\d+))?", url)
    if not match:
        return "unknown"
    try:
        import MySQLdb

        connection = MySQLdb.connect(
            host=match["host"], port=int(match["port"] or 3306), user=match["user"], password=match["password"] or ""
        )
    except Exception as exc:  # the report says the database was unreachable rather than failing
        return f"unreachable ({type(exc).__name__})"
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT VERSION()")
        return cursor.fetchone()[0]
    finally:
        connection.close()


def machine():
    cpu_model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        import django

        django_version = django.get_version()
    except ImportError:
        django_version = "not installed"
    return {
        "CPU": f"{cpu_model}, {os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))})",
        "Memory": memory,
        "OS": _first_line(["uname", "-sr"]) or platform.platform(),
        "Python": platform.python_version(),
        "Django": django_version,
        "MariaDB": mariadb_version(),
        "SQLite": sqlite3.sqlite_version,
        "Load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def render(figures, errors, *, info, quick, repeats, started, elapsed):
    lines = [
        "# Benchmarks",
        "",
        "Written by `python bench/run_all.py`" + (" --quick (a smoke run: small data, one repetition)" if quick else "")
        + "; how each figure is measured is in `bench/README.md`. Each figure is the median of its runs "
        "(the count is in the Runs column); the target is beside it.",
        "",
        f"Date: {started:%Y-%m-%d %H:%M} UTC; the run took {elapsed:.0f} s.",
        "",
        "| Machine | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in info.items()),
        "",
        "| Benchmark | Median | Unit | Target | Verdict | Runs | Spread (min–max) |",
        "| --- | ---: | --- | --- | --- | ---: | --- |",
    ]
    for figure in figures:
        samples = figure.get("samples") or []
        spread = f"{format_number(min(samples))}–{format_number(max(samples))}" if len(samples) > 1 else ""
        lines.append(
            f"| {figure['name']} | {format_number(figure['value'])} | {figure.get('unit', '')} "
            f"| {format_target(figure.get('target'), figure.get('unit', ''))} "
            f"| {verdict(figure['value'], figure.get('target'), figure.get('unit', ''))} | {len(samples)} | {spread} |"
        )
    notes = [(f["name"], f["note"]) for f in figures if f.get("note")]
    if notes:
        lines += ["", "## Notes", ""]
        lines += [f"- **{name}**: {note}" for name, note in notes]
    missed = [f for f in figures if verdict(f["value"], f.get("target"), f.get("unit", "")) == "missed"]
    if missed:
        lines += ["", "## Missed targets", ""]
        lines += [f"- {f['name']}: {format_number(f['value'])} {f.get('unit', '')}, target "
                  f"{format_target(f.get('target'), f.get('unit', ''))}." for f in missed]
    if errors:
        lines += ["", "## Benchmarks that failed", ""]
        for name, message in errors:
            lines += [f"- `{name}`: {message}"]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: small data, one repetition, scratch output")
    parser.add_argument("--repeats", type=int, default=None, help="runs per module that does not repeat itself")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these modules (e.g. http tally)")
    parser.add_argument("--output", type=Path, default=None, help="where to write the report")
    args = parser.parse_args(argv)

    repeats = args.repeats or (1 if args.quick else 3)
    # Only a full run of every benchmark replaces BENCHMARKS.md; partial and quick runs go to a scratch file.
    if args.output:
        output = args.output
    elif args.quick or args.only:
        suffix = "-".join(["quick"] * args.quick + sorted(args.only or []))
        output = BENCH_DIR / "results" / f"BENCHMARKS-{suffix}.md"
    else:
        output = REPO_ROOT / "BENCHMARKS.md"
    sys.path.insert(0, str(REPO_ROOT))
    started = datetime.now(UTC)
    clock = time.monotonic()
    info = machine()

    figures, errors = [], []
    for name in discover(args.only):
        print(f"== {name}", flush=True)
        module_clock = time.monotonic()
        try:
            module_figures = run_module(name, quick=args.quick, repeats=repeats)
        except (Exception, SystemExit) as exc:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            errors.append((name, f"{type(exc).__name__}: {exc}"))
            continue
        for figure in module_figures:
            print(f"   {figure['name']}: {format_number(figure['value'])} {figure.get('unit', '')} "
                  f"(target {format_target(figure.get('target'), figure.get('unit', ''))}, "
                  f"{verdict(figure['value'], figure.get('target'), figure.get('unit', ''))})", flush=True)
        print(f"   ({time.monotonic() - module_clock:.1f} s)", flush=True)
        figures.extend(module_figures)

    # Other work on the machine skews every figure: the report shows how busy it was, before and after.
    info["Load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    report = render(figures, errors, info=info, quick=args.quick, repeats=repeats, started=started,
                    elapsed=time.monotonic() - clock)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report)
    print(f"wrote {output}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
