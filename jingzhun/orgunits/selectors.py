"""Scoped reads of the division tree."""

from __future__ import annotations

from django.db.models import Q

from .access import access_for
from .models import Level, OrgUnit


def filter_units(user, township: str = "") -> list[OrgUnit]:
    """Townships and villages in reach to offer as list filters: only as many as fit a select box
    (townships for a city user and below, villages once a township is chosen or for a township user)."""
    access = access_for(user)
    prefix = access.prefix
    wanted = Q(pk__in=[])
    if len(prefix) >= 4:
        wanted |= Q(level=Level.TOWNSHIP)
    if len(prefix) >= 9 or township:
        wanted |= Q(level=Level.VILLAGE, code__startswith=township or prefix)
    return list(access.filter_units(OrgUnit.objects.filter(wanted)).order_by("code"))
