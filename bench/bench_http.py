"""HTTP benchmarks: gunicorn on MariaDB over real HTTP on 127.0.0.1.

1. A dedicated database (``BENCH_DATABASE_URL``, default ``mysql://root@127.0.0.1:3306/elekto_bench``) is dropped,
   created and migrated; the demo meta repository (examples/meta) is imported with ``sync_meta``, and 37 more
   elections with 1,500 voters and 6 candidates each are generated. This runs in a child process
   (``python bench/bench_http.py setup``) so that this process never configures Django.
2. gunicorn serves the site (``gunicorn.conf.py`` when present, else 2 gthread workers) with DEBUG off.
3. A small load generator (threads, keep-alive ``http.client``, bounded in requests and seconds, loopback only)
   measures: casting ballots with 16 concurrent voters (each one GETs the ballot, POSTs the review and GETs the
   review page, POSTs the cast with a passphrase and GETs the receipt). The pages are measured by bench_pages.py.
4. Peak resident memory (VmHWM) of each gunicorn worker is read from /proc.

The Argon2id derivation at the configured cost is timed on its own, since it dominates a cast.
"""

import base64
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

REPO_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "mysql://root@127.0.0.1:3306/elekto_bench"
GENERATED_ELECTIONS = 37
VOTERS_PER_ELECTION = 1500
CANDIDATES_PER_ELECTION = 6
CAST_CONCURRENCY = 16
# Ballots a second that 16 concurrent voters must reach at the default Argon2id cost.
CAST_TARGET = 40
PASSPHRASE = "bench-passphrase-" + "x" * 8
# (time cost, memory KiB, label): OWASP's two Argon2id settings, and the strongest cost the site accepts.
COMPARED_COSTS = [
    (1, 47104, "t=1, 46 MiB"),
    (2, 19456, "t=2, 19 MiB"),
    (3, 65536, "t=3, 64 MiB"),
]

BENCH_BALLOT_BOX_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
BENCH_PASSPHRASE_PEPPER = secrets.token_urlsafe(32)

CSRF_INPUT_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- the child process: database and data -------------------------------------------------------------


def _django(env):
    os.environ.update(env)
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elekto_site.settings")
    import django

    django.setup()


def setup_main(args):
    """Create, migrate and fill the bench database; print what the load generator needs as JSON."""
    from datetime import timedelta

    _django({})
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from elections.models import Candidate, Election, EligibleVoter, Officer

    voters_per_election, cast_voters = int(args[0]), int(args[1])
    generated = int(args[2]) if len(args) > 2 else GENERATED_ELECTIONS
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)

    notes = []
    try:
        from meta_sync.services import sync_meta

        summary = sync_meta(path=REPO_ROOT / "examples" / "meta", election_dir="elections", trigger="command")
        if getattr(summary, "fatal", ""):
            notes.append(f"demo import failed: {summary.fatal}")
    except ImportError as exc:
        notes.append(f"demo data not imported ({exc})")

    now = timezone.now()
    User = get_user_model()
    elections = []
    for number in range(generated):
        # A realistic mix: mostly completed history, a few running and upcoming (as many of each at any scale).
        if number < 4:
            start, end = now - timedelta(days=3), now + timedelta(days=20)
        elif number < 7:
            start, end = now + timedelta(days=30 + number), now + timedelta(days=60 + number)
        else:
            start, end = now - timedelta(days=400 + 30 * number), now - timedelta(days=380 + 30 * number)
        election = Election.objects.create(
            key=f"bench---{2000 + number}",
            path=f"bench/{2000 + number}",
            name=f"Bench Community Election {2000 + number}",
            organization="Bench Community",
            start_datetime=start,
            end_datetime=end,
            no_winners=2,
            show_candidate_fields=["employer"],
            eligibility="Contributors with ten or more contributions.",
            exception_due=end - timedelta(days=1),
            description="## The election\n\nVote for the committee. " * 20,
            synced_at=now,
        )
        Candidate.objects.bulk_create(
            Candidate(election=election, candidate_id=f"cand-{c}", name=f"Candidate {c}",
                      info={"employer": f"Company {c}"}, bio=f"## Candidate {c}\n\nA bio. " * 30)
            for c in range(CANDIDATES_PER_ELECTION)
        )
        EligibleVoter.objects.bulk_create(
            (EligibleVoter(election=election, login=f"voter-{v:05d}") for v in range(voters_per_election)),
            batch_size=2000,
        )
        Officer.objects.create(election=election, login="bench-officer")
        elections.append(election)

    cast_election = elections[0] if elections else Election.objects.order_by("key").first()
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    # bench-reader is on no voter roll; the last voter of the rolls, who never casts, is on every one.
    roll_reader = f"voter-{voters_per_election - 1:05d}"
    logins = [f"voter-{v:05d}" for v in range(min(cast_voters, voters_per_election - 1))] + ["bench-reader",
                                                                                           roll_reader]
    User.objects.bulk_create(User(username=login, password="!") for login in logins)
    sessions = {}
    for user in User.objects.filter(username__in=logins):
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        # Voters sign in with GitHub: their sessions name the GitHub backend, which loads them on each request.
        store[BACKEND_SESSION_KEY] = "accounts.backends.GitHubOAuth2"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions[user.username] = store.session_key
    print(json.dumps({
        "cast_election": cast_election.key,
        "candidates": [f"cand-{c}" for c in range(CANDIDATES_PER_ELECTION)],
        "page_election": cast_election.key,
        "cast_sessions": [sessions[login] for login in logins[:-2]],
        "reader_session": sessions["bench-reader"],
        "voter_session": sessions[roll_reader],
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "elections": Election.objects.count(),
        "voters": EligibleVoter.objects.count(),
        "argon2": [settings.ARGON2_TIME_COST, settings.ARGON2_MEMORY_KIB, settings.ARGON2_PARALLELISM],
        "notes": notes,
    }))


def argon2_main(args):
    """Time the project's own key derivation at the configured cost; print the median in ms."""
    _django({})
    from django.conf import settings

    from elections.voting import secrecy

    samples = []
    for _ in range(int(args[0])):
        started = time.perf_counter()
        secrecy.key_derive(PASSPHRASE, secrecy.salt_generate(), time_cost=settings.ARGON2_TIME_COST,
                           memory_kib=settings.ARGON2_MEMORY_KIB, parallelism=settings.ARGON2_PARALLELISM)
        samples.append((time.perf_counter() - started) * 1000)
    print(json.dumps(samples))


# --- the parent process: database, gunicorn, load ------------------------------------------------------


def _database_url():
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)


def _recreate_database(url):
    parsed = urlparse(url)
    if parsed.scheme not in ("mysql", "mariadb"):
        raise SystemExit(f"BENCH_DATABASE_URL must be a mysql:// URL, not {url!r}")
    import MySQLdb

    name = parsed.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name) or "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: the bench database name must contain 'bench'")
    connection = MySQLdb.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 3306,
                                 user=parsed.username or "root", password=parsed.password or "", connect_timeout=3)
    try:
        cursor = connection.cursor()
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    finally:
        connection.close()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _site_env(extra=None):
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "ELEKTO_")) and key not in ("DATABASE_URL", "DEBUG")
    }
    env.update({
        "DATABASE_URL": _database_url(),
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback: the production HTTPS redirect and secure-cookie rules do not apply here.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "META_SECRET": "bench-meta-secret",
        # One ballot box key and pepper for the whole run: the set-up child makes the boxes, gunicorn seals to them.
        "BALLOT_BOX_KEY": BENCH_BALLOT_BOX_KEY,
        "PASSPHRASE_PEPPER": BENCH_PASSPHRASE_PEPPER,
        "DJANGO_SETTINGS_MODULE": "elekto_site.settings",
        "PYTHONPATH": str(REPO_ROOT),
    })
    env.update(extra or {})
    return env


def _child(mode, args, env, timeout):
    result = subprocess.run([PYTHON, str(Path(__file__).resolve()), mode, *map(str, args)], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"bench_http {mode} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


class Gunicorn:
    """gunicorn on 127.0.0.1 and a free port; stopped (and waited for) on exit."""

    def __init__(self, env, app="elekto_site.wsgi:application"):
        self.port = _free_port()
        command = [PYTHON, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{self.port}",
                   "--log-level", "warning"]
        config = REPO_ROOT / "gunicorn.conf.py"
        if config.exists():
            command += ["--config", str(config)]
            self.config = "gunicorn.conf.py"
        else:
            command += ["--worker-class", "gthread", "--workers", "2", "--threads", "4"]
            self.config = "gthread, 2 workers x 4 threads (no gunicorn.conf.py)"
        self.log = open(REPO_ROOT / "bench" / "results" / "gunicorn.log", "a")  # noqa: SIM115
        self.process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=self.log, stderr=self.log,
                                        start_new_session=True)

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see bench/results/gunicorn.log")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/health")
                if connection.getresponse().status == 200:
                    connection.close()
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer /health within 60 s")

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def workers(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def peak_rss_mib(self):
        """VmHWM (peak resident set) of each worker, in MiB."""
        peaks = []
        for pid in self.workers():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
            except OSError:
                continue
        return peaks


class Client:
    """One keep-alive connection with a cookie jar of two cookies (session, CSRF)."""

    def __init__(self, port, cookies=None):
        self.port = port
        self.cookies = dict(cookies or {})
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method, path, form=None):
        headers = {"Host": f"127.0.0.1:{self.port}", "Connection": "keep-alive"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: reconnect once.
                self.connection.close()
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response.status, data

    def close(self):
        self.connection.close()


def _percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def read_load(port, path, *, seconds, threads, cookies=None, max_requests=200_000):
    """Requests/s, p99 ms, error count, and the share of one core the load generator itself used."""
    latencies, errors = [], []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    budget = [max_requests]

    def worker():
        client = Client(port, cookies)
        mine, bad = [], 0
        while time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            started = time.perf_counter()
            try:
                status, _ = client.request("GET", path)
            except OSError:
                status = 0
            mine.append(time.perf_counter() - started)
            if status != 200:
                bad += 1
        client.close()
        with lock:
            latencies.extend(mine)
            errors.append(bad)

    started, cpu_started = time.monotonic(), time.process_time()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - started
    client_cpu = (time.process_time() - cpu_started) / elapsed
    return len(latencies) / elapsed, _percentile(latencies, 0.99) * 1000, sum(errors), client_cpu


def cast_load(port, *, election, candidates, sessions, cookie_name, concurrency):
    """Each session casts one ballot (ballot page, review, cast, receipt); returns ballots/s, p99s (ms) and
    failures."""
    queue = list(sessions)
    lock = threading.Lock()
    cast_latencies, ballot_latencies, failures = [], [], []
    vote_path = f"/app/elections/{election}/vote"

    def one_ballot(session_key, rng):
        client = Client(port, {cookie_name: session_key})
        try:
            started = time.perf_counter()
            status, body = client.request("GET", vote_path)
            if status != 200:
                return None, f"ballot page {status}"
            token = CSRF_INPUT_RE.search(body.decode())
            if not token:
                return None, "no CSRF token on the ballot page"
            ranks = {f"rank-{c}": str(rng.randint(1, len(candidates))) for c in candidates}
            form = {"csrfmiddlewaretoken": token.group(1), **ranks}
            # The review and the receipt are pages of their own, each a GET after a 303 (the ranks and the
            # receipt travel in the cookies the client keeps).
            status, _ = client.request("POST", vote_path, {**form, "step": "review"})
            if status != 303:
                return None, f"review {status}"
            status, body = client.request("GET", f"{vote_path}/review")
            if status != 200:
                return None, f"review page {status}"
            token = CSRF_INPUT_RE.search(body.decode())
            form["csrfmiddlewaretoken"] = token.group(1) if token else form["csrfmiddlewaretoken"]
            if b'name="prefers_no_one" value="yes"' in body:
                # Every candidate drawn at the same rank: the review's form says the voter saw its note.
                form["prefers_no_one"] = "yes"
            cast_started = time.perf_counter()
            status, _ = client.request("POST", vote_path, {
                **form, "step": "cast", "mode": "cast", "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE,
            })
            cast_finished = time.perf_counter()
            if status != 303:
                return None, f"cast {status}"
            status, _ = client.request("GET", f"{vote_path}/receipt")
            finished = time.perf_counter()
            if status != 200:
                return None, f"receipt {status}"
            return (cast_finished - cast_started, finished - started), None
        finally:
            client.close()

    def worker(seed):
        import random

        rng = random.Random(seed)
        while True:
            with lock:
                if not queue:
                    return
                session_key = queue.pop()
            try:
                result, failure = one_ballot(session_key, rng)
            except OSError as exc:
                result, failure = None, f"{type(exc).__name__}"
            with lock:
                if failure:
                    failures.append(failure)
                else:
                    cast_latencies.append(result[0])
                    ballot_latencies.append(result[1])

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - started
    return (len(cast_latencies) / elapsed, _percentile(cast_latencies, 0.99) * 1000 if cast_latencies else None,
            _percentile(ballot_latencies, 0.99) * 1000 if ballot_latencies else None, failures)


def cast_budget_note(derivation_ms, target=20):
    """Whether key derivation alone fits ``target`` ballots/s on this machine's cores."""
    cores = os.cpu_count() or 1
    need = target * derivation_ms / 1000
    if need > cores:
        return (f" {target} ballots/s at this cost needs {target} x {derivation_ms:.0f} ms = {need:.1f} core-seconds "
                f"of key derivation per second, more than the {cores} cores here: it takes more cores or a lower "
                "Argon2id cost.")
    return (f" Key derivation for {target} ballots/s takes {need:.1f} of the {cores} cores; the rest of each "
            "ballot (five requests, the database) shares what is left.")


def run(quick=False):
    runs = 1 if quick else 3
    voters = 150 if quick else VOTERS_PER_ELECTION
    ballots_per_run = 32 if quick else 160
    cast_runs = runs + (0 if quick else len(COMPARED_COSTS))

    (REPO_ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (REPO_ROOT / "bench" / "results" / "gunicorn.log").write_text("")
    url = _database_url()
    _recreate_database(url)
    env = _site_env()
    data = _child("setup", [voters, ballots_per_run * cast_runs], env, timeout=900)
    argon2_samples = _child("argon2", [3 if quick else 7], env, timeout=300)
    time_cost, memory_kib, parallelism = data["argon2"]
    cost = f"t={time_cost}, {memory_kib // 1024} MiB, p={parallelism}"

    figures = []
    sessions = data["cast_sessions"]
    # The pages are measured by bench_pages.py, at 37 and 370 elections, on MariaDB and SQLite.
    cast = {"rate": [], "p99": [], "ballot_p99": [], "failures": []}
    with Gunicorn(env) as server:
        for number in range(runs):
            batch = sessions[number * ballots_per_run:(number + 1) * ballots_per_run]
            rate, p99, ballot_p99, failures = cast_load(
                server.port, election=data["cast_election"], candidates=data["candidates"], sessions=batch,
                cookie_name=data["session_cookie"], concurrency=CAST_CONCURRENCY,
            )
            cast["rate"].append(rate)
            cast["p99"].append(p99)
            cast["ballot_p99"].append(ballot_p99)
            cast["failures"] += failures
        peaks = server.peak_rss_mib()
        config = server.config

    # The same casting load at other Argon2id costs: what a cheaper or a dearer derivation does to it.
    compared = []
    if not quick:
        for number, (time_cost_, memory_, label) in enumerate(
            [c for c in COMPARED_COSTS if (c[0], c[1]) != (time_cost, memory_kib)], start=runs
        ):
            cost_env = {**env, "ARGON2_TIME_COST": str(time_cost_), "ARGON2_MEMORY_KIB": str(memory_)}
            cost_ms = statistics.median(_child("argon2", [5], cost_env, timeout=300))
            with Gunicorn(cost_env) as server:
                batch = sessions[number * ballots_per_run:(number + 1) * ballots_per_run]
                compared.append((label, cost_ms, cast_load(
                    server.port, election=data["cast_election"], candidates=data["candidates"], sessions=batch,
                    cookie_name=data["session_cookie"], concurrency=CAST_CONCURRENCY,
                )))

    derivation_ms = statistics.median(argon2_samples)
    load = f"{data['elections']} elections, {data['voters']:,} voter-roll entries; gunicorn: {config}"
    figures.append({"name": f"Argon2id key derivation ({cost}), one core", "value": statistics.median(argon2_samples),
                    "unit": "ms", "target": "<= 250", "samples": argon2_samples,
                    "note": "One derivation per cast, view, revoke or change: it bounds casting at about "
                            f"{os.cpu_count()} cores / {statistics.median(argon2_samples):.0f} ms = "
                            f"{os.cpu_count() * 1000 / statistics.median(argon2_samples):.1f} ballots/s on this "
                            "machine before any other work."})
    failure_note = ""
    if cast["failures"]:
        kinds = sorted(set(cast["failures"]))
        failure_note = f" {len(cast['failures'])} ballots failed ({', '.join(kinds[:5])})."
    figures.append({"name": f"cast ballots, {CAST_CONCURRENCY} concurrent voters", "value": None, "unit": "ballots/s",
                    "target": f">= {CAST_TARGET}", "samples": cast["rate"],
                    "note": f"{load}. Each ballot is five requests (ballot page, review posted and shown, cast, "
                            "receipt), each voter its own "
                            f"session and connection, sealed to the election's box; Argon2id at {cost}; "
                            f"{ballots_per_run} ballots per run. " + cast_budget_note(derivation_ms, CAST_TARGET)
                            + failure_note})
    figures.append({"name": "cast request p99 (the POST that casts)", "value": None, "unit": "ms",
                    "target": "<= 1000", "samples": [v for v in cast["p99"] if v is not None]})
    figures.append({"name": "whole ballot p99 (5 requests)", "value": None, "unit": "ms", "target": None,
                    "samples": [v for v in cast["ballot_p99"] if v is not None]})
    for label, cost_ms, (rate, p99, _, failures) in compared:
        figures.append({"name": f"cast ballots at Argon2id {label}, {CAST_CONCURRENCY} concurrent voters",
                        "value": None, "unit": "ballots/s", "target": ">= 20", "samples": [rate],
                        "note": f"The same load at another Argon2id cost than the default, with the earlier "
                                f"floor of 20 ballots/s: cast p99 {p99 or 0:.0f} ms, {len(failures)} failures; "
                                f"one derivation takes {cost_ms:.0f} ms here." + cast_budget_note(cost_ms)})
    figures.append({"name": "peak RSS per gunicorn worker (max over workers)", "value": None, "unit": "MiB",
                    "target": None, "samples": [max(peaks)] if peaks else [],
                    "note": "VmHWM of each worker after the runs: " + ", ".join(f"{p:.0f} MiB" for p in peaks)})
    for note in data["notes"]:
        figures[0]["note"] += f" {note}."
    return figures


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "setup":
        setup_main(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "argon2":
        argon2_main(sys.argv[2:])
    else:
        sys.path.insert(0, str(REPO_ROOT))
        for figure in run(quick="--quick" in sys.argv):
            print(figure)
