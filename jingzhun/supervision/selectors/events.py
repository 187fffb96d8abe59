"""Reads of an item's progress log (its evidence downloads)."""

from __future__ import annotations

from jingzhun.orgunits.permissions import get_in_reach

from ..models import ItemEvent
from . import items_for


def event_get(user, event_id: int) -> ItemEvent:
    """One progress entry of an item in reach; OutOfReach (a 404, audited) for one outside it."""
    return get_in_reach(ItemEvent.objects.filter(item__in=items_for(user).values("pk")).select_related("item"),
                        pk=event_id)
