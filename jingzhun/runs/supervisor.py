"""`jingzhun serve`'s supervision: the worker restarted when it dies, everything stopped on SIGTERM.

A worker killed by the kernel (out of memory), by a native abort or by hand used to stay dead, and every
later import, check, refresh and comparison stayed queued; and SIGTERM to `jingzhun serve` stopped the
web server but left the worker running. `Supervisor` restarts the worker with a growing pause (1 s,
2 s, 4 s … 60 s; back to 1 s after it ran a minute), reaps the run it left behind, and stops it on exit.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager

from .reaper import reap_safely
from .worker import SUPERVISED_ENV

logger = logging.getLogger(__name__)


def reap_now() -> None:
    """The supervisor's tick: reap, then close the thread's connection (it would idle until the next tick)."""
    from django.db import connections

    try:
        reap_safely()
    finally:
        connections.close_all()


def worker_command(interval: float = 1.0) -> list[str]:
    return [sys.executable, "-m", "jingzhun.cli", "worker", "--interval", str(interval)]


def _stop(process: subprocess.Popen, timeout: float) -> None:
    """SIGTERM (the worker finishes its task, or is told twice), then SIGKILL after `timeout` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Supervisor:
    """Keep `argv` running in a child process until stop(); `on_tick` runs every `tick_seconds` and after
    each death (the reaper)."""

    def __init__(self, argv: Sequence[str], *, on_tick: Callable[[], None] | None = reap_now,
                 tick_seconds: float = 30.0, min_backoff: float = 1.0, max_backoff: float = 60.0,
                 healthy_after: float = 60.0, stop_timeout: float = 30.0):
        self.argv = list(argv)
        self.on_tick = on_tick
        self.tick_seconds = tick_seconds
        self.min_backoff, self.max_backoff, self.healthy_after = min_backoff, max_backoff, healthy_after
        self.stop_timeout = stop_timeout
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._supervise, name="worker-supervisor", daemon=True)

    def start(self) -> Supervisor:
        self._thread.start()
        return self

    def _tick(self) -> None:
        if self.on_tick is None:
            return
        try:
            self.on_tick()
        except Exception:
            logger.exception("supervisor tick failed")

    def _spawn(self) -> subprocess.Popen | None:
        with self._lock:  # stop() must not miss a process started while it runs
            if self._stopping.is_set():
                return None
            # under an address-space ceiling, glibc's per-thread malloc arenas (64 MB reserved each) would
            # use up the worker's allowance before its jobs do
            env = {"MALLOC_ARENA_MAX": "2", **os.environ, SUPERVISED_ENV: "1"}
            self.process = subprocess.Popen(self.argv, env=env)
            self.starts += 1
            return self.process

    def _supervise(self) -> None:
        backoff = self.min_backoff
        while not self._stopping.is_set():
            process = self._spawn()
            if process is None:
                return
            started = last_tick = time.monotonic()
            while process.poll() is None:
                if self._stopping.wait(1.0):
                    return
                if time.monotonic() - last_tick >= self.tick_seconds:
                    self._tick()
                    last_tick = time.monotonic()
            lived = time.monotonic() - started
            backoff = self.min_backoff if lived >= self.healthy_after else backoff
            logger.warning("background worker %s exited with %s after %.0f s; restarting in %.0f s",
                           process.pid, process.returncode, lived, backoff)
            print(f"后台任务进程 {process.pid} 已退出（{process.returncode}），{backoff:.0f} 秒后重新启动。",
                  file=sys.stderr, flush=True)
            self._tick()  # the run it was working on: failed now, not after the next heartbeat timeout
            if self._stopping.wait(backoff):
                return
            backoff = min(backoff * 2, self.max_backoff)

    def stop(self) -> None:
        """Stop supervising and stop the worker (SIGTERM, SIGKILL after `stop_timeout` seconds)."""
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is not None:
            _stop(process, self.stop_timeout)
        if self._thread.is_alive():
            self._thread.join(timeout=5)


@contextmanager
def supervised(argv: Sequence[str] | None, **options):
    """A supervised worker for the duration of the block (None: no worker)."""
    if argv is None:
        yield None
        return
    supervisor = Supervisor(argv, **options).start()
    try:
        yield supervisor
    finally:
        supervisor.stop()


def _raise_exit(signum, frame):
    raise SystemExit(128 + signum)


@contextmanager
def exit_on_sigterm():
    """SIGTERM unwinds like Ctrl+C (SystemExit), so the `finally` that stops the worker runs."""
    previous = signal.signal(signal.SIGTERM, _raise_exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_child(argv: Sequence[str], *, stop_timeout: float = 30.0) -> int:
    """Run a child (gunicorn) until it exits or this process is told to stop; then it is stopped too."""
    process = subprocess.Popen(list(argv))
    try:
        return process.wait()
    finally:
        _stop(process, stop_timeout)
