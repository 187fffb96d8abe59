"""When a workflow step counts as taken: now — or, while past paper work is entered (补录), the day it
was done on paper.

A county that starts using jingzhun has procedures half-way through on paper: applications registered,
评议 held, a 村内公示 posted weeks ago. Entered today, every date rule of the services (a 公示 starts no
earlier than the step before it, 公示期满 only after the period has run) would be measured from today.
Inside `recorded_as_of(moment)`, the workflow services date their records (steps, notices, objections,
closings, ledger events' effective dates) at `moment` and apply their date rules to it, so the history
reads as it happened. Nothing else is affected: Django's clock, the audit trail (which records when the
entry was really made), sessions and every other app keep the real time.

The demo county (`synth.demo_work`) is entered this way; an import of paper records would be too.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_as_of: ContextVar[datetime.datetime | None] = ContextVar("workflow_recorded_as_of", default=None)


def now() -> datetime.datetime:
    """The moment a step taken now is recorded at."""
    moment = _as_of.get()
    return moment if moment is not None else timezone.now()


def today() -> datetime.date:
    """The local day a step taken now is recorded on."""
    return timezone.localdate(now())


@contextmanager
def recorded_as_of(moment: datetime.datetime):
    """补录: workflow steps taken inside are recorded at `moment` (an aware datetime, not in the future)."""
    if timezone.is_naive(moment):
        raise ValueError("recorded_as_of needs an aware datetime")
    if moment > timezone.now():
        raise ValueError("past work cannot be recorded in the future")
    token = _as_of.set(moment)
    try:
        yield
    finally:
        _as_of.reset(token)
