"""Deliberately slow and greedy run tasks for the worker-supervision tests (imported by the real worker)."""

from __future__ import annotations

import time

from jingzhun.indicators.models import IndicatorRefresh
from jingzhun.runs.tasks import run_task


@run_task(IndicatorRefresh, register=False)
def sleepy(run: IndicatorRefresh) -> str:
    """Works for ten minutes (long enough to be killed mid-way)."""
    run.progress("睡眠中", 10)
    time.sleep(600)
    run.finish()
    return run.status


@run_task(IndicatorRefresh, register=False)
def greedy(run: IndicatorRefresh) -> str:
    """Asks for 64 GB at once: more than any worker ceiling."""
    run.progress("分配内存", 10)
    hog = bytearray(64 * 2**30)
    run.finish(units=len(hog))
    return run.status
