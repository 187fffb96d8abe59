"""The real worker under `jingzhun serve`: restarted after kill -9, a memory ceiling, stopped with SIGTERM.

Real processes on a file SQLite database with the real DatabaseBackend (the suite's settings run tasks
at once, in process): what a county's server does.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def _env(home: Path, **extra) -> dict:
    env = {**os.environ, "JINGZHUN_HOME": str(home), "DJANGO_SETTINGS_MODULE": "config.settings.base",
           "JINGZHUN_INDICATOR_AUTO_REFRESH": "0", "PYTHONPATH": str(ROOT), **extra}
    env.pop("JINGZHUN_DATABASE_URL", None)  # the embedded database, never the suite's PostgreSQL
    return env


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("home")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=_env(home), check=True, timeout=300)
    return home


def _enqueue(home: Path, task: str) -> int:
    """A new IndicatorRefresh queued for `task` (module.function), from a process of its own."""
    module, name = task.rsplit(".", 1)
    code = ("import django, datetime; django.setup()\n"
            "from jingzhun.indicators.models import IndicatorRefresh\n"
            f"from {module} import {name} as task\n"
            "r = IndicatorRefresh.objects.create(as_of=datetime.date(2020, 12, 31), reason='test')\n"
            "task.enqueue(r.pk)\nprint(r.pk)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(home), check=True, timeout=120,
                            capture_output=True, text=True)
    return int(result.stdout.split()[-1])


def _run(home: Path, pk: int) -> dict:
    with sqlite3.connect(home / "jingzhun.sqlite3", timeout=30) as db:
        row = db.execute("SELECT status, error, worker FROM indicators_indicatorrefresh WHERE id = ?", (pk,)).fetchone()
    return dict(zip(("status", "error", "worker"), row))


def _wait(predicate, *, timeout: float = 120.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _pid(worker: str) -> int:
    return int(worker.rsplit(":", 1)[1])


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(home: Path, **extra) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "jingzhun.cli", "serve", "--port", str(_free_port())], cwd=ROOT,
                            env=_env(home, **extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stop(serve: subprocess.Popen) -> str:
    if serve.poll() is None:
        serve.send_signal(signal.SIGTERM)
    try:
        _out, err = serve.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        serve.kill()
        _out, err = serve.communicate()
    return err


def test_a_worker_killed_mid_run_is_restarted_the_run_failed_and_the_next_job_runs(home):
    serve = _serve(home)
    try:
        sleepy = _enqueue(home, "tests.run_jobs.sleepy")
        first = _wait(lambda: (r := _run(home, sleepy))["status"] == "running" and r, what="the sleepy run")
        os.kill(_pid(first["worker"]), signal.SIGKILL)
        killed = _wait(lambda: (r := _run(home, sleepy))["status"] == "failed" and r, what="the reaper")
        assert killed["error"].startswith("后台进程已中止") and "请重新发起" in killed["error"]
        # the next job: a real indicator refresh, run by the restarted worker
        refresh = _enqueue(home, "jingzhun.indicators.tasks.refresh_indicators")
        done = _wait(lambda: (r := _run(home, refresh))["status"] in ("done", "failed") and r, what="the refresh")
        assert done["status"] == "done", done
        assert _pid(done["worker"]) != _pid(first["worker"])
    finally:
        err = _stop(serve)
        print(err)
    assert "后台任务进程" in err and "重新启动" in err


def test_a_job_over_the_memory_ceiling_fails_and_the_worker_lives(home):
    serve = _serve(home, JINGZHUN_WORKER_MEMORY_MB="3072")
    try:
        greedy = _enqueue(home, "tests.run_jobs.greedy")
        failed = _wait(lambda: (r := _run(home, greedy))["status"] in ("done", "failed") and r, what="the greedy run")
        assert failed["status"] == "failed" and failed["error"].startswith("内存超出上限（3072 MB）"), failed
        refresh = _enqueue(home, "jingzhun.indicators.tasks.refresh_indicators")
        done = _wait(lambda: (r := _run(home, refresh))["status"] in ("done", "failed") and r, what="the refresh")
        assert done["status"] == "done", done
        assert done["worker"] == failed["worker"]  # the same worker process: it survived
    finally:
        print(_stop(serve))  # shown when the test fails


def test_sigterm_to_serve_stops_its_worker(home):
    serve = _serve(home)
    refresh = _enqueue(home, "jingzhun.indicators.tasks.refresh_indicators")
    worker = _pid(_wait(lambda: (r := _run(home, refresh))["status"] == "done" and r["worker"], what="the worker"))
    assert not _gone(worker)
    _stop(serve)
    assert serve.returncode is not None
    _wait(lambda: _gone(worker), timeout=40, what="the worker to stop")
