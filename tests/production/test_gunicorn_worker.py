"""The gunicorn worker spreads a burst of connections over the workers instead of letting one take them all."""

import http.client
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from tests.conftest import REPO_ROOT
from tests.production.support import free_port, production_env
from tests.production.test_gunicorn import CONFIG_FILE, _get_when_up


def _pids_of_simultaneous_requests(port, count, seconds):
    """Open ``count`` keep-alive connections at once, each asking for a request that holds a thread for
    ``seconds``; return the process id that answered each."""
    pids, start = [], threading.Barrier(count)

    def one():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start.wait()
        connection.request("GET", f"/?{seconds}", headers={"Host": "127.0.0.1"})
        pids.append(connection.getresponse().read().decode())
        connection.close()

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return pids


def test_a_burst_of_connections_is_spread_over_the_workers(tmp_path):
    port = free_port()
    env = production_env(tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2", GUNICORN_THREADS="2")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-c", str(CONFIG_FILE), "tests.production.pid_app:application"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        _get_when_up(f"http://127.0.0.1:{port}/", server)
        for _ in range(3):
            # Four requests at once, each holding a thread for half a second, on two workers of two threads: each
            # worker takes two. A worker that took three would answer the third only after half a second more.
            answered = Counter(_pids_of_simultaneous_requests(port, 4, 0.5))
            assert sorted(answered.values()) == [2, 2], answered
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
