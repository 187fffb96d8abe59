"""The background refresh of the stored indicators (queued by services.refresh_soon)."""

from __future__ import annotations

from django_tasks import task

from .models import IndicatorRefresh
from .services import indicators_refresh


@task()
def refresh_indicators(refresh_id: int) -> str:
    refresh = IndicatorRefresh.objects.filter(pk=refresh_id, status=IndicatorRefresh.Status.QUEUED).first()
    if refresh is None:  # already run (a retry) or pruned
        return "skipped"
    try:
        indicators_refresh(refresh=refresh)
    except Exception:  # recorded on the refresh as 失败; the previous refresh stays in use
        return IndicatorRefresh.Status.FAILED
    return IndicatorRefresh.Status.DONE
