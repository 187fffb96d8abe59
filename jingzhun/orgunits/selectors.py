"""Scoped reads of the division tree."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from .access import access_for
from .models import CODE_LENGTH, Level, OrgUnit


def filter_units(user, township: str = "", village: str = "") -> list[OrgUnit]:
    """Townships and villages to offer as list filters: as many as fit a select box (townships for a
    city user and below, villages once a township is chosen or for a township user), plus the ones
    asked for (`township`, `village` from the query) when the user may filter by them.

    A filter may name a unit in reach or a unit above the user's own (a village clerk's link names the
    village and its township): the list is then the user's reach under it. Any other code is not
    offered, so the form refuses it with a message.
    """
    access = access_for(user)
    prefix = access.prefix
    wanted = Q(pk__in=[])
    if len(prefix) >= 4:
        wanted |= Q(level=Level.TOWNSHIP)
    if len(prefix) >= 9 or township:
        wanted |= Q(level=Level.VILLAGE, code__startswith=township or prefix)
    units = {u.code: u for u in access.filter_units(OrgUnit.objects.filter(wanted))}
    asked = {code for code, length in ((township, CODE_LENGTH[Level.TOWNSHIP]), (village, CODE_LENGTH[Level.VILLAGE]))
             if code and len(code) == length and code.isdigit() and code not in units}
    if access.active and asked:
        for unit in OrgUnit.objects.filter(code__in=asked):
            if access.reaches_code(unit.code) or prefix.startswith(unit.code):
                units[unit.code] = unit
    return sorted(units.values(), key=lambda u: u.code)


def unit_label(user, code: str = "") -> str:
    """The name of the unit a list is about: `code`'s, else the user's own unit's ("全国" for everything)."""
    code = code or access_for(user).prefix
    if not code:
        return _("全国")
    unit = OrgUnit.objects.filter(code=code).first()
    return unit.name if unit else code
