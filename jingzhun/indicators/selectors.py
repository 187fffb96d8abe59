"""Reads of the indicator refreshes for the to-do page (待办)."""

from __future__ import annotations

from django.db.models import QuerySet

from jingzhun.orgunits.permissions import may_refresh
from jingzhun.runs.selectors import failed_recently

from .models import IndicatorRefresh


def todo_failed_refreshes(user) -> QuerySet[IndicatorRefresh]:
    """Refreshes that failed lately with no refresh done since, for those who may ask for one (a refresh
    computes every unit, so its failure is theirs to retry, whoever or whatever started it)."""
    if not may_refresh(user):
        return IndicatorRefresh.objects.none()
    return failed_recently(IndicatorRefresh.objects.all())
