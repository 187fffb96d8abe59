"""The background refresh of the stored indicators (queued by services.refresh_soon)."""

from __future__ import annotations

from django_tasks import task

from .models import IndicatorRefresh
from .services import indicators_refresh, refresh_claim


@task()
def refresh_indicators(refresh_id: int) -> str:
    if not refresh_claim(refresh_id):  # already taken (by `jingzhun refresh`, a retry) or pruned
        return "skipped"
    try:
        indicators_refresh(refresh=IndicatorRefresh.objects.get(pk=refresh_id))
    except Exception:  # recorded on the refresh as 失败; the previous refresh stays in use
        return IndicatorRefresh.Status.FAILED
    return IndicatorRefresh.Status.DONE
