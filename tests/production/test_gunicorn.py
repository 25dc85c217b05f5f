"""gunicorn: its configuration follows the environment, and the site really serves /health under it."""

import runpy
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from gunicorn.config import Config

from tests.conftest import REPO_ROOT
from tests.production.support import free_port, production_env

CONFIG_FILE = REPO_ROOT / "gunicorn.conf.py"
GUNICORN_VARIABLES = ["GUNICORN_BIND", "PORT", "GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT",
                      "GUNICORN_ACCESS_LOG", "LOG_LEVEL"]


def _load_config(monkeypatch, **env):
    for name in GUNICORN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    values = {k: v for k, v in runpy.run_path(str(CONFIG_FILE)).items() if not k.startswith("_")}
    config = Config()
    for name, value in values.items():
        if name in config.settings:
            config.set(name, value)  # gunicorn's own validation of each value
    return config


def test_the_defaults_suit_a_small_pod(monkeypatch):
    config = _load_config(monkeypatch)

    assert config.bind == ["0.0.0.0:8000"]
    assert (config.workers, config.threads, config.timeout) == (2, 4, 30)
    # gthread, accepting only while a thread is free (elekto_site/gunicorn_worker.py).
    from gunicorn.workers.gthread import ThreadWorker

    assert issubclass(config.worker_class, ThreadWorker)
    assert config.worker_class_str == "elekto_site.gunicorn_worker.BalancedThreadWorker"
    # Workers collect garbage as any process does: freezing what a worker loaded did not pay (docs/performance.md).
    assert config.post_worker_init is Config().post_worker_init
    assert config.accesslog is None
    assert config.errorlog == "-"
    # Recycling, sized in hours of peak traffic rather than seconds (BENCHMARKS.md).
    assert config.max_requests >= 1_000_000
    assert config.control_socket_disable is True


def test_workers_threads_timeouts_and_bind_come_from_the_environment(monkeypatch):
    config = _load_config(
        monkeypatch, GUNICORN_BIND="127.0.0.1:9000", GUNICORN_WORKERS="5", GUNICORN_THREADS="1",
        GUNICORN_TIMEOUT="90", GUNICORN_ACCESS_LOG="-", LOG_LEVEL="WARNING",
    )

    assert config.bind == ["127.0.0.1:9000"]
    assert (config.workers, config.threads, config.timeout) == (5, 1, 90)
    assert config.worker_class_str == "sync"
    assert config.accesslog == "-"
    assert config.loglevel == "warning"
    # The access log, when on, never writes query strings (OAuth callbacks carry codes there).
    assert "%(U)s" in config.access_log_format and "%(r)s" not in config.access_log_format


def test_port_alone_moves_the_bind(monkeypatch):
    assert _load_config(monkeypatch, PORT="8080").bind == ["0.0.0.0:8080"]


def test_a_worker_count_that_is_not_a_number_stops_gunicorn_with_its_name(monkeypatch):
    with pytest.raises(SystemExit, match="GUNICORN_WORKERS='two' is not a whole number"):
        _load_config(monkeypatch, GUNICORN_WORKERS="two")


def test_gunicorn_serves_health_with_the_site(tmp_path):
    port = free_port()
    env = production_env(
        tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1", GUNICORN_THREADS="2",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-c", str(CONFIG_FILE), "elekto_site.wsgi"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        response = _get_when_up(f"http://127.0.0.1:{port}/health", server)
        assert response.status == 200
        assert response.read() == b'{"status": "ok", "database": "ok"}'
        assert response.headers["Content-Security-Policy"]
        request_id = response.headers["X-Request-ID"]
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert f"{request_id}] GET /health 200" in output


def _get_when_up(url, server, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return urllib.request.urlopen(urllib.request.Request(url, headers={"Host": "127.0.0.1"}), timeout=5)
        except (urllib.error.URLError, ConnectionError):
            if server.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.parametrize(
    ("bad", "check_id"),
    [({"ELEKTO_DEV_LOGIN": "on"}, "elekto.E002"), ({"SECRET_KEY": ""}, "elekto.E001")],
)
def test_a_misconfigured_site_stops_gunicorn_at_once_with_the_message(tmp_path, bad, check_id):
    port = free_port()
    env = production_env(tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2", **bad)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    started = time.monotonic()
    server = subprocess.Popen(
        [str(gunicorn), "-c", str(CONFIG_FILE), "elekto_site.wsgi"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        output, _ = server.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        output, _ = server.communicate()
        pytest.fail(f"gunicorn kept running with a misconfigured site:\n{output[-2000:]}")
    elapsed = time.monotonic() - started

    assert server.returncode != 0, output
    assert check_id in output
    assert "will not start" in output
    # It stopped in the master: no worker was ever booted, and the port was never opened.
    assert "Booting worker" not in output
    assert "Listening at" not in output
    assert elapsed < 20, f"gunicorn took {elapsed:.1f} s to give up"

