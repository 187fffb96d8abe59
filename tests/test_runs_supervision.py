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


_QUEUE_IMPORTS = """
import django, sys, json
django.setup()
from pathlib import Path
from django.core.files.uploadedfile import SimpleUploadedFile
from jingzhun.accounts.models import Role, User
from jingzhun.exchange.services import import_job_create

admin, _ = User.objects.get_or_create(username="sys", defaults={"role": Role.SYSADMIN, "is_superuser": True})
jobs = []
for group in json.loads(sys.argv[1]):
    files = [SimpleUploadedFile(Path(p).name, Path(p).read_bytes()) for p in group]
    jobs.append(str(import_job_create(acting_user=admin, files=files).pk))
print(json.dumps(jobs))
"""


def _import(home: Path, pk: str) -> dict:
    with sqlite3.connect(home / "jingzhun.sqlite3", timeout=30) as db:
        row = db.execute("SELECT status, worker, issues FROM exchange_importjob WHERE id = ?",
                         (pk.replace("-", ""),)).fetchone()
    return dict(zip(("status", "worker", "issues"), row))


def test_hostile_workbooks_fail_in_the_real_worker_and_the_next_import_runs(tmp_path):
    """The two bombs of issue 12 (cells that inflate to 2 GB, shared strings to 584 MB) queued before a
    good import, all run by the worker of `jingzhun serve`: each bomb is refused with a Chinese message,
    the same worker process then imports the good files."""
    import json

    from . import hostile_files as hostile

    home = tmp_path / "home"
    cli = [sys.executable, "-m", "jingzhun.cli"]
    subprocess.run([*cli, "init"], cwd=ROOT, env=_env(home), check=True, timeout=300, capture_output=True)
    good = tmp_path / "good"
    subprocess.run([*cli, "synth", "--county", "140826", "--households", "30", "--seed", "5", "--out", str(good)],
                   cwd=ROOT, env=_env(home), check=True, timeout=300, capture_output=True)
    groups = [[str(hostile.cell_bomb(tmp_path / "户表.xlsx"))],
              [str(hostile.shared_strings_bomb(tmp_path / "人员表.xlsx"))],
              [str(good / name) for name in ("村表.csv", "户表.csv", "人员表.csv")]]
    queued = subprocess.run([sys.executable, "-c", _QUEUE_IMPORTS, json.dumps(groups)], cwd=ROOT, env=_env(home),
                            check=True, timeout=120, capture_output=True, text=True)
    cells, strings, following = json.loads(queued.stdout.split("\n")[-2])
    serve = _serve(home)
    try:
        ended = ("done", "refused", "failed", "checked")
        results = [_wait(lambda pk=pk: (r := _import(home, pk))["status"] in ended and r, timeout=300, what=pk)
                   for pk in (cells, strings, following)]
    finally:
        err = _stop(serve)
    for bomb in results[:2]:
        messages = [issue["message"] for issue in json.loads(bomb["issues"])]
        assert bomb["status"] == "refused" and any("可能是压缩炸弹" in m or "共享字符串" in m for m in messages), bomb
    assert results[2]["status"] == "done", results[2]["issues"][:500]
    assert len({r["worker"] for r in results}) == 1, results  # one worker process ran all three: none died
    assert "重新启动" not in err
