"""Pages over real HTTP as the number of elections grows, on MariaDB and SQLite, and /health against the floor.

1. /health with gunicorn.conf.py as shipped, with worker recycling off, and a bare Django view
   (``bench/bare_django.py``: no middleware, no database) served by the same gunicorn and configuration.
2. For 37 and 370 generated elections (plus the demo's), each with 1,500 voters and 6 candidates, on MariaDB
   (``BENCH_DATABASE_URL`` with a suffix per scale) and on SQLite: the public list and election page, and,
   signed in as a voter on every roll, the dashboard, the election list and an election page. Nothing is cached
   by time: pages are built from parts rendered once per content version (``elections.voting.listing``).

The load comes from wrk (Debian's package; ``scripts/bootstrap.sh`` does not install it, the benchmark does
when it can), 2 threads and 8 keep-alive connections, on loopback; it shares the 2 cores with gunicorn and the
database, so the figures are a lower bound of what a separate load machine would see. Without wrk the Python
load generator of bench_http.py stands in, and the note says so.
"""

import http.client
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_http import (  # noqa: E402
    REPO_ROOT,
    Gunicorn,
    _child,
    _database_url,
    _recreate_database,
    _site_env,
    read_load,
)

SCALES = (37, 370)
VOTERS_PER_ELECTION = 1500
READ_SECONDS = 3
# Five runs a page, and their median: one disturbed run does not decide a figure.
RUNS = 5
CONNECTIONS = 8
TARGETS = {
    # (page, scale): (req/s at least, p99 ms at most)
    ("public list", 370): (1000, 50),
    ("public list", 37): (1000, 50),
    ("dashboard", 37): (600, 100),
    ("signed-in list", 37): (600, 100),
    ("signed-in election page", 37): (600, 100),
    ("dashboard", 370): (300, 100),
    ("signed-in list", 370): (300, 100),
    ("signed-in election page", 370): (300, 100),
}
LATENCY_RE = re.compile(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk_available():
    if shutil.which("wrk"):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], capture_output=True, timeout=300,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return bool(shutil.which("wrk"))


def wrk(port, path, *, seconds, cookie=None):
    """(requests/s, p99 ms, non-2xx answers) of ``path`` under wrk's load."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    result = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                            timeout=seconds + 60)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    p99 = LATENCY_RE.search(result.stdout)
    if not rate or not p99:
        raise RuntimeError(f"wrk said: {result.stdout[-500:]} {result.stderr[-500:]}")
    # A redirect (to the sign-in page, say) is a failure here: every page measured answers 200.
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", result.stdout)
    errors = re.search(r"Socket errors:.*", result.stdout)
    return float(rate.group(1)), float(p99.group(1)) * UNIT_MS[p99.group(2)], int(bad.group(1)) if bad else 0, (
        errors.group(0) if errors else "")


def _answers_200(port, path, cookie):
    """Refuse to measure a page that does not answer 200 (a redirect to sign-in would be measured otherwise)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Host": "127.0.0.1", **({"Cookie": cookie} if cookie else {})})
    status = connection.getresponse().status
    connection.close()
    if status != 200:
        raise RuntimeError(f"{path} answered {status}, not 200: nothing to measure")


def measure(port, path, *, seconds, cookie=None, use_wrk=True):
    _answers_200(port, path, cookie)
    if use_wrk:
        return wrk(port, path, seconds=seconds, cookie=cookie)
    cookies = dict(part.split("=", 1) for part in cookie.split("; ")) if cookie else None
    rate, p99, errors, _ = read_load(port, path, seconds=seconds, threads=CONNECTIONS, cookies=cookies)
    return rate, p99, errors, ""


def _setup(url, env, generated, voters):
    """A fresh database at ``url`` with ``generated`` elections; returns the setup's JSON. ``env`` must be the
    one gunicorn gets: the sessions it creates are signed with its SECRET_KEY."""
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    else:
        _recreate_database(url)
    return _child("setup", [voters, 0, generated], env, timeout=1800)


def _databases(quick):
    mariadb = _database_url()
    sqlite = f"sqlite:///{REPO_ROOT / 'bench' / 'results' / 'pages.sqlite3'}"
    return [("MariaDB", mariadb)] if quick else [("MariaDB", mariadb), ("SQLite", sqlite)]


def _health_figures(quick, use_wrk, seconds, runs):
    url = _database_url()
    _recreate_database(url)
    env = _site_env({"DATABASE_URL": url})
    _child("setup", [10, 0, 0], env, timeout=600)
    variants = [("as shipped", env, "elekto_site.wsgi:application"),
                ("recycling off", {**env, "GUNICORN_MAX_REQUESTS": "0"}, "elekto_site.wsgi:application"),
                ("bare Django view", env, "bench.bare_django:application")]
    if quick:
        variants = [variants[0], variants[2]]
    rates = {}
    figures = []
    for label, variant_env, app in variants:
        samples, p99s = [], []
        with Gunicorn(variant_env, app=app) as server:
            for _ in range(runs):
                rate, p99, errors, _ = measure(server.port, "/health", seconds=seconds, use_wrk=use_wrk)
                samples.append(rate)
                p99s.append(p99)
        rates[label] = sorted(samples)[len(samples) // 2]
        figures.append({"name": f"/health, gunicorn.conf.py, {label}", "value": None, "unit": "req/s",
                        "target": None, "samples": samples,
                        "note": f"p99 {max(p99s):.1f} ms" + (f", {errors} non-200 answers" if errors else "")})
    ratio = rates["as shipped"] / rates["bare Django view"]
    figures.append({"name": "/health as shipped / bare Django view", "value": round(ratio * 100, 1), "unit": "%",
                    "target": ">= 90", "samples": [round(ratio * 100, 1)],
                    "note": "The same gunicorn and gunicorn.conf.py serving the site's /health (the middleware "
                            "answers it first; the database is checked at most once a second per process) and a "
                            "bare Django view."})
    return figures


def run(quick=False):
    use_wrk = _wrk_available()
    seconds = 1 if quick else READ_SECONDS
    runs = 1 if quick else RUNS
    scales = SCALES[:1] if quick else SCALES
    voters = 50 if quick else VOTERS_PER_ELECTION
    (REPO_ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)

    figures = _health_figures(quick, use_wrk, seconds, runs)
    for database, base_url in _databases(quick):
        for scale in scales:
            url = base_url if database == "SQLite" else f"{base_url}_p{scale}"
            env = _site_env({"DATABASE_URL": url})
            data = _setup(url, env, scale, voters)
            key = data["page_election"]
            voter = f"{data['session_cookie']}={data['voter_session']}"
            pages = [
                ("public list", "/elections", None),
                ("public election page", f"/elections/{key}", None),
                ("dashboard", "/app", voter),
                ("signed-in list", "/app/elections", voter),
                ("signed-in election page", f"/app/elections/{key}", voter),
            ]
            with Gunicorn(env) as server:
                for page, path, cookie in pages:
                    rates, p99s, bad = [], [], 0
                    for _ in range(runs):
                        rate, p99, errors, socket_errors = measure(server.port, path, seconds=seconds, cookie=cookie,
                                                                   use_wrk=use_wrk)
                        rates.append(rate)
                        p99s.append(p99)
                        bad += errors
                    at_least, at_most = TARGETS.get((page, scale), (None, None))
                    name = f"{page} {path.replace(key, '<key>')}, {data['elections']} elections, {database}"
                    note = (f"{data['elections']} elections, {data['voters']:,} voter-roll entries; "
                            f"{'wrk' if use_wrk else 'the Python load generator (wrk is not installed)'}, "
                            f"{CONNECTIONS} keep-alive connections, {seconds} s a run")
                    if bad:
                        note += f"; {bad} non-200 answers"
                    if socket_errors:
                        note += f"; {socket_errors}"
                    figures.append({"name": name, "value": None, "unit": "req/s",
                                    "target": f">= {at_least}" if at_least else None, "samples": rates,
                                    "note": note})
                    figures.append({"name": f"{name}, p99", "value": None, "unit": "ms",
                                    "target": f"<= {at_most}" if at_most else None, "samples": p99s})
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv):
        print(figure)
