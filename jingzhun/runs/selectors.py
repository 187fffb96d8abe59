"""Reads over runs of any kind: the failures still waiting for someone (the to-do page's source)."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from .models import RunStatus

#: A failed run stays on its user's to-do page this many days, unless a later run settled it.
FAILED_RUN_DAYS = 30


def failed_recently(runs: QuerySet, *, same: tuple[str, ...] = ()) -> QuerySet:
    """The runs of `runs` that failed in the last FAILED_RUN_DAYS days and were not followed by a run
    with the same `same` fields that finished well (a retry that worked settles the failure), oldest first."""
    since = timezone.now() - datetime.timedelta(days=FAILED_RUN_DAYS)
    later = runs.model._default_manager.filter(status=RunStatus.DONE, created_at__gt=OuterRef("created_at"),
                                               **{name: OuterRef(name) for name in same})
    return (runs.filter(status=RunStatus.FAILED, finished_at__gte=since).exclude(Exists(later))
            .order_by("finished_at", "pk"))
