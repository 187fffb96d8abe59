"""Reads of 随机抽查, limited to what the user may see.

A spot check belongs to the unit it was drawn over. Those who spot-check (`may_spot_check`) read the
checks of the units in their reach; the villages learn of discrepancies as problem records, not here.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from jingzhun.orgunits.access import Access, access_for
from jingzhun.orgunits.permissions import get_in_reach, may_spot_check

from ..models import SpotCheck, SpotCheckItem


def _access(who) -> Access:
    return who if isinstance(who, Access) else access_for(who)


def spot_checks_for(user) -> QuerySet[SpotCheck]:
    """Spot checks of the units in reach (none for a role that does not spot-check), each with its
    counts of items verified and items with a discrepancy."""
    access = _access(user)
    if not may_spot_check(access):
        return SpotCheck.objects.none()
    return SpotCheck.objects.filter(access.org_q("unit")).annotate(
        verified=Count("items", filter=Q(items__verified_at__isnull=False)),
        discrepant=Count("items", filter=Q(items__discrepancies__gt=0)))


def spot_check_get(user, spot_check_id: int) -> SpotCheck:
    """One spot check in reach; OutOfReach (a 404, audited) for one outside it."""
    return get_in_reach(spot_checks_for(user).select_related("drawn_by"), pk=spot_check_id)


def spot_items_for(user) -> QuerySet[SpotCheckItem]:
    """Items of the spot checks in reach."""
    access = _access(user)
    if not may_spot_check(access):
        return SpotCheckItem.objects.none()
    return SpotCheckItem.objects.filter(access.org_q("spot_check__unit"))


def spot_item_get(user, item_id: int) -> SpotCheckItem:
    """One item in reach; OutOfReach (a 404, audited) for one outside it."""
    return get_in_reach(spot_items_for(user).select_related("spot_check", "household", "verified_by"), pk=item_id)


def unverified_items_for(user) -> QuerySet[SpotCheckItem]:
    """The to-do of a checker: items not yet verified of the spot checks they drew, oldest draw first."""
    access = _access(user)
    if not may_spot_check(access) or access.user_id is None:
        return SpotCheckItem.objects.none()
    return (spot_items_for(access).filter(verified_at__isnull=True, spot_check__drawn_by_id=access.user_id)
            .select_related("spot_check", "household").order_by("spot_check__drawn_at", "spot_check_id", "order"))
