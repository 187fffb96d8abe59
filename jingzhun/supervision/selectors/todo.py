"""The ledger's to-dos (待办): items to sign for, items of one's unit near or past their deadline, items
waiting for 复核. Each selector returns a queryset limited to the user (`.none()` for a user with no such
work, so the to-do page leaves the kind out), in the order the items should be done."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import subtree_q
from jingzhun.orgunits.permissions import may_handle_ledger_items, may_manage_ledger

from ..models import Item
from ..vocab import ItemState
from . import own_agencies, warning_days


def _handled(user) -> QuerySet[Item] | None:
    if not may_handle_ledger_items(user):
        return None
    return Item.objects.filter(agency__in=own_agencies(user).values("pk"))


def todo_ledger_sign(user) -> QuerySet[Item]:
    """待签收: items assigned to the user's unit(s), oldest assignment first."""
    items = _handled(user)
    if items is None:
        return Item.objects.none()
    return items.filter(state=ItemState.ASSIGNED).select_related("agency").order_by("deadline", "assigned_at", "pk")



def todo_ledger_due(user) -> QuerySet[Item]:
    """My unit's items 办理中 that are due within the warning days or overdue, soonest deadline first."""
    items = _handled(user)
    if items is None:
        return Item.objects.none()
    today = timezone.localdate()
    near = Q(pk__in=[])
    for county in set(own_agencies(user).values_list("county_id", flat=True)):
        near |= Q(county_id=county, deadline__lte=today + datetime.timedelta(days=warning_days(county, today.year)))
    return (items.filter(near, state=ItemState.DOING, deadline__isnull=False)
            .select_related("agency").order_by("deadline", "pk"))


def todo_ledger_review(user) -> QuerySet[Item]:
    """待复核: reported items of the counties the user keeps the ledger of (not their own reports), the
    longest waiting first."""
    access = access_for(user)
    if not may_manage_ledger(access):
        return Item.objects.none()
    return (Item.objects.filter(subtree_q("county_id", access.prefix), state=ItemState.REPORTED)
            .exclude(reported_by_id=access.user_id).select_related("agency").order_by("reported_at", "pk"))
