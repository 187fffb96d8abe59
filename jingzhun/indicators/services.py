"""Indicators: computed on request for one unit, or refreshed for every unit and stored (IndicatorRefresh)."""

from __future__ import annotations

import datetime
import time
from itertools import islice

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.runs.tasks import enqueue, running
from jingzhun.orgunits.permissions import may_refresh, require

from jingzhun.analytics import Snapshot, get_engine, registry_counties, registry_snapshot

from .compute import BREAKDOWNS, empty_unit_values, unit_values, unit_values_partitioned
from .models import IndicatorRefresh, UnitIndicators

_CHUNK = 2000


def indicators_compute(*, org: str, as_of: datetime.date) -> dict:
    """{code: value} for every indicator of the catalog, plus the breakdowns (compute.BREAKDOWNS), for `org`."""
    if not org.isdigit():
        raise ValueError(f"an org code is digits, not {org!r}")
    snapshot = registry_snapshot(org)
    with get_engine() as engine:
        engine.load(snapshot, as_of=as_of)
        values = unit_values(engine, lengths=(len(org),), org=org).get(org)
        if values is None:
            values = {**empty_unit_values(engine, length=len(org)), **{name: {} for name in BREAKDOWNS}}
    return values


def indicators_refresh(*, refresh: IndicatorRefresh | None = None, as_of: datetime.date | None = None,
                       reason: str = "", triggered_by=None, snapshot: Snapshot | None = None,
                       progress=None, engine: str = "duckdb") -> IndicatorRefresh:
    """Compute the indicators of every org unit at every level from the registry and store them.

    The stored rows of a refresh appear all at once (one transaction) when it is done; pages keep
    reading the previous refresh until then. `refresh` is one already claimed (the background task);
    without it a queued refresh is taken over or a new one created and claimed here (commands, the
    demo). `snapshot` stands in for the registry (benchmarks), read in one engine. `engine` names the
    analytics engine (analytics.ENGINES): DuckDB reads the registry county by county, so that it holds one
    county at a time whatever the size of the registry; Spark spreads the work itself and reads it at once.
    """
    if refresh is not None:
        return _refresh_compute(refresh, snapshot=snapshot, progress=progress, engine=engine)
    if snapshot is None:
        # a refresh queued for the worker would only repeat this one: take it over (its task then skips)
        queued = IndicatorRefresh.objects.filter(status=IndicatorRefresh.Status.QUEUED).order_by("id").first()
        if queued is not None and queued.claim():
            IndicatorRefresh.objects.filter(pk=queued.pk).update(as_of=as_of or timezone.localdate(),
                                                                 reason=reason or queued.reason)
            refresh = IndicatorRefresh.objects.get(pk=queued.pk)
    if refresh is None:
        refresh = IndicatorRefresh.objects.create(as_of=as_of or timezone.localdate(), reason=reason,
                                                  triggered_by=triggered_by)
        refresh.claim()
    with running(refresh):
        return _refresh_compute(refresh, snapshot=snapshot, progress=progress, engine=engine)


def _refresh_compute(refresh: IndicatorRefresh, *, snapshot: Snapshot | None, progress,
                     engine: str) -> IndicatorRefresh:
    def step(description: str, percent: int) -> None:
        refresh.progress(description, percent)
        if progress:
            progress(description)

    started = time.perf_counter()
    step(_("读取登记数据"), 5)
    if snapshot is None:
        if engine == "duckdb":
            # county by county: the engine holds one county at a time, whatever the size of the registry
            reading = {"seconds": 0.0, "members": 0}

            def load(county: str) -> Snapshot:
                begun = time.perf_counter()
                part = registry_snapshot(county)
                reading["seconds"] += time.perf_counter() - begun
                reading["members"] += part.tables["members"].num_rows
                return part

            step(_("计算各级指标"), 30)
            units = unit_values_partitioned(registry_counties("") or [""], load, as_of=refresh.as_of)
            # the snapshot seconds are the counties' reads, the compute seconds the rest
            members, read = reading["members"], started + reading["seconds"]
        else:
            snapshot = registry_snapshot("")
    if snapshot is not None:
        members = snapshot.tables["members"].num_rows
        read = time.perf_counter()
        step(_("计算各级指标"), 30)
        with get_engine(engine) as analytics:
            analytics.load(snapshot, as_of=refresh.as_of)
            units = unit_values(analytics)
    computed = time.perf_counter()
    step(_("保存指标"), 80)
    with transaction.atomic():
        rows = (UnitIndicators(refresh_id=refresh.pk, org=org, values=values) for org, values in units.items())
        while batch := list(islice(rows, _CHUNK)):
            UnitIndicators.objects.bulk_create(batch)
        stored = time.perf_counter()
        refresh.finish(stage=_("完成"), units=len(units), members=members, snapshot_seconds=read - started,
                       compute_seconds=computed - read, store_seconds=stored - computed)
    refresh.refresh_from_db()
    refresh_prune()
    return refresh


def refresh_prune(*, today: datetime.date | None = None) -> int:
    """Keep every refresh of the last `JINGZHUN_INDICATOR_KEEP_DAYS` days, and the last of each day before.

    A county refreshing after every import would otherwise store a copy of every unit per import; one
    refresh a day is what the trend and the "value at an earlier date" need.
    """
    today = today or timezone.localdate()
    keep_days = getattr(settings, "JINGZHUN_INDICATOR_KEEP_DAYS", 7)
    done = IndicatorRefresh.objects.filter(status=IndicatorRefresh.Status.DONE,
                                           as_of__lt=today - datetime.timedelta(days=keep_days))
    last_of_day = {}
    for pk, day in done.order_by("id").values_list("id", "as_of"):
        last_of_day[day] = pk
    stale = done.exclude(pk__in=last_of_day.values())
    count = stale.count()
    if count:
        UnitIndicators.objects.filter(refresh__in=stale).delete()
        stale.delete()
    return count


def refresh_request(*, acting_user) -> IndicatorRefresh | None:
    """立即更新 from the dashboard: queue a refresh now (None when one is already queued)."""
    require(may_refresh(acting_user))
    return _queue(reason=_("手动更新"), triggered_by=acting_user)


def refresh_soon(*, reason: str = "", triggered_by=None) -> IndicatorRefresh | None:
    """Queue a full refresh once the current transaction commits (after an import or a workflow step).

    Several changes in a row share one queued refresh: it reads the registry when it starts, so it sees
    them all. Off when the setting `JINGZHUN_INDICATOR_AUTO_REFRESH` is False (most tests).
    """
    if not getattr(settings, "JINGZHUN_INDICATOR_AUTO_REFRESH", True):
        return None
    return _queue(reason=reason, triggered_by=triggered_by)


def _queue(*, reason: str, triggered_by) -> IndicatorRefresh | None:
    if IndicatorRefresh.objects.filter(status=IndicatorRefresh.Status.QUEUED).exists():
        return None
    refresh = IndicatorRefresh.objects.create(as_of=timezone.localdate(), reason=reason[:200],
                                              triggered_by=triggered_by)
    enqueue(refresh)
    return refresh
