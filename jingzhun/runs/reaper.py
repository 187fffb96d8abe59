"""The reaper: runs whose worker died (kill -9, out of memory, power) are marked failed, uploads removed.

A run is dead when its worker process on this host is gone (or its pid now belongs to a process that
started after the run did), or, for a run of another host, when its heartbeat (beaten every few seconds
while it runs) is older than JINGZHUN_RUN_STALE_SECONDS. A live worker on this host is believed over
its heartbeat: on SQLite a long import holds the write lock, and its heartbeat waits for it. The worker reaps when it starts and then periodically, `jingzhun serve` does too, and the pages
that show runs call `reap_soon()`.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Run, RunStatus

logger = logging.getLogger(__name__)
#: Pages call reap_soon() on every view; one process reaps at most this often.
REAP_EVERY_SECONDS = 10.0
_last_reap = [float("-inf")]


def run_models() -> list[type[Run]]:
    return [m for m in apps.get_models() if issubclass(m, Run)]


def process_alive(pid: int) -> bool:
    """Whether process `pid` of this host still runs (a zombie, killed but not yet waited for, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def process_started(pid: int) -> datetime.datetime | None:
    """When process `pid` started (Linux /proc), or None when that cannot be told."""
    try:
        ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
    except (OSError, IndexError, ValueError, StopIteration):
        return None
    return datetime.datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"), tz=datetime.timezone.utc)


def death_reason(run: Run, *, stale_before: datetime.datetime, host: str) -> str | None:
    """Why `run` (running) is dead, in the words its user reads; None while it seems alive."""
    worker_host, _sep, pid = run.worker.rpartition(":")
    if worker_host == host and pid.isdigit():
        started = process_started(int(pid)) if run.started_at else None
        # a pid is reused after a restart: a process younger than the run is not its worker
        if not process_alive(int(pid)) or (started and started > run.started_at + datetime.timedelta(seconds=5)):
            return _("后台进程已中止（进程 %(pid)s 已不存在，可能是内存不足或服务器重启），请重新发起。") % {"pid": pid}
        return None
    last_sign = run.heartbeat_at or run.started_at or run.created_at
    if last_sign is not None and last_sign < stale_before:
        return _("后台进程已中止（超过 %(s)d 秒没有响应），请重新发起。") % {"s": settings.JINGZHUN_RUN_STALE_SECONDS}
    return None


def reap(*, now: datetime.datetime | None = None) -> list[Run]:
    """Mark every dead run failed and delete its uploaded files; returns the runs reaped."""
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.JINGZHUN_RUN_STALE_SECONDS)
    host = socket.gethostname()
    reaped = []
    for model in run_models():
        for run in model._default_manager.filter(status=RunStatus.RUNNING):
            reason = death_reason(run, stale_before=stale_before, host=host)
            if reason is None:
                continue
            # conditional on the heartbeat we judged: a run that beat meanwhile is alive after all
            if model._default_manager.filter(pk=run.pk, status=RunStatus.RUNNING,
                                             heartbeat_at=run.heartbeat_at).update(
                    status=RunStatus.FAILED, error=reason, finished_at=now):
                logger.warning("reaped %s %s (worker %s): %s", model._meta.label, run.pk, run.worker, reason)
                run.discard_uploads(everything=True)
                reaped.append(run)
    return reaped


def reap_safely() -> None:
    """reap(), never failing the caller (a page, the worker starting on a database not yet migrated)."""
    try:
        reap()
    except Exception:
        logger.exception("reaping dead runs failed")


def reap_soon() -> None:
    """reap_safely(), at most every REAP_EVERY_SECONDS per process (pages call it on every view)."""
    if time.monotonic() - _last_reap[0] < REAP_EVERY_SECONDS:
        return
    _last_reap[0] = time.monotonic()
    reap_safely()
