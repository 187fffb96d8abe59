"""The background refresh of the stored indicators (queued by services.refresh_soon and refresh_request)."""

from __future__ import annotations

from jingzhun.runs.tasks import run_task

from .models import IndicatorRefresh
from .services import indicators_refresh


@run_task(IndicatorRefresh)
def refresh_indicators(refresh: IndicatorRefresh) -> str:
    """Compute and store every unit's indicators; a failure keeps the previous refresh in use."""
    return indicators_refresh(refresh=refresh).status
