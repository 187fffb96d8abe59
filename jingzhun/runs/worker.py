"""The background worker (`jingzhun worker`): django_tasks_db's db_worker under a memory ceiling, reaping.

The ceiling is RLIMIT_AS (JINGZHUN_WORKER_MEMORY_MB): a job that asks for more gets a MemoryError, its
run fails with "内存超出上限…" and the worker takes the next job. A native abort dies anyway; then the
supervisor (`jingzhun serve`) starts a new worker and the reaper marks the run failed.
"""

from __future__ import annotations

import os
import signal
import threading

from django.conf import settings
from django.core.management import call_command
from django.db import connections

from .reaper import reap_safely

#: Set by the supervisor for its worker: the worker then stops when the supervisor dies (even by kill -9).
SUPERVISED_ENV = "JINGZHUN_SUPERVISED"


def memory_ceiling_set(megabytes: int) -> None:
    """Limit this process's address space to `megabytes` (0: leave it unlimited)."""
    if megabytes <= 0:
        return
    import resource

    limit = megabytes * 2**20
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _die_with_parent() -> None:
    """Linux: SIGTERM when the supervising process goes away, so no worker outlives `jingzhun serve`."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before we asked
        os.kill(os.getpid(), signal.SIGTERM)


def _reap_periodically(stop: threading.Event, every: float) -> None:
    try:
        while not stop.wait(every):
            reap_safely()
    finally:
        connections.close_all()


def worker_main(*, interval: float = 1.0) -> int:
    """Run queued tasks until stopped (SIGTERM/SIGINT finish the current task first)."""
    if os.environ.get(SUPERVISED_ENV):
        _die_with_parent()
    memory_ceiling_set(settings.JINGZHUN_WORKER_MEMORY_MB)
    reap_safely()  # runs left "running" by a worker that died before this one started
    connections.close_all()
    stop = threading.Event()
    every = max(5.0, settings.JINGZHUN_RUN_STALE_SECONDS / 4)
    threading.Thread(target=_reap_periodically, args=(stop, every), name="reaper", daemon=True).start()
    try:
        call_command("db_worker", interval=interval, worker_id=f"jingzhun-{os.getpid()}", reload=False)
    finally:
        stop.set()
    return 0
