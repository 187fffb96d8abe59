"""Reads of the ledger and 考评, limited to what the user may see.

A county's ledger is read whole by those who reach the county or more (the county admin, analysts,
evaluators bound at the county or above, the system administrator). A township reads the items its own
unit leads or answers for, and those of its villages or touching them (affected units); a village clerk
likewise for the village. A department's staff read the items their department leads or answers for.
Helpers (cadres, work teams) read none.

Who may act on an item (签收, 进展, 办结报告) is narrower: the staff of its 责任单位 (`acts_for`).
"""

from __future__ import annotations

import logging

from django.db.models import Exists, OuterRef, Q, QuerySet

from jingzhun.orgunits.access import Access, access_for
from jingzhun.orgunits.models import subtree_q
from jingzhun.orgunits.permissions import HELPER_ROLES, get_in_reach
from jingzhun.orgunits.roles import Role
from jingzhun.policy.loader import DEFAULT_LEDGER_WARNING_DAYS, PolicyPackError, policy_pack_for

from ..models import Agency, Batch, Item

COUNTY_LENGTH = 6
logger = logging.getLogger(__name__)


def warning_days(county: str, year: int) -> int:
    """临期 days of the county's policy pack for `year` ([supervision] warning_days); the default when the pack
    cannot be read, so the ledger's pages still show (the error is logged)."""
    try:
        return policy_pack_for(county, year).ledger_warning_days
    except PolicyPackError as error:
        logger.error("policy pack error for %s: %s", county, error)
        return DEFAULT_LEDGER_WARNING_DAYS


def _access(who) -> Access:
    return who if isinstance(who, Access) else access_for(who)


def _reads_whole_county(access: Access) -> bool:
    return len(access.prefix) <= COUNTY_LENGTH and access.role != Role.DEPARTMENT


def own_agencies(user) -> QuerySet[Agency]:
    """The units the user acts for: a department's staff their department(s); a township officer the
    township's unit; a village clerk the village's. Nobody else acts for a unit."""
    access = _access(user)
    if not access.active or access.user_id is None:
        return Agency.objects.none()
    if access.role == Role.DEPARTMENT:
        return Agency.objects.filter(staff__id=access.user_id, county_id=access.prefix, active=True)
    if access.role in (Role.TOWNSHIP_OFFICER, Role.VILLAGE_CLERK):
        return Agency.objects.filter(org_id=access.prefix, active=True)
    return Agency.objects.none()


def agencies_for(user) -> QuerySet[Agency]:
    """Units of the counties the user reads (to pick from, to list): those reaching a county or more read
    all of its units; the others their own county's (a name list, no personal data)."""
    access = _access(user)
    if not access.active or access.role in HELPER_ROLES:
        return Agency.objects.none()
    if _reads_whole_county(access):
        return Agency.objects.filter(subtree_q("county_id", access.prefix))
    return Agency.objects.filter(county_id=access.prefix[:COUNTY_LENGTH])


def items_for(user) -> QuerySet[Item]:
    """Ledger items in the user's reach (see the module docstring)."""
    access = _access(user)
    if not access.active or access.role in HELPER_ROLES:
        return Item.objects.none()
    if _reads_whole_county(access):
        return Item.objects.filter(subtree_q("county_id", access.prefix))
    if access.role == Role.DEPARTMENT:
        mine = own_agencies(access).values("pk")
        return Item.objects.filter(Q(agency__in=mine) | Q(lead_agency__in=mine))
    touching = Item.affected_units.through.objects.filter(subtree_q("orgunit_id", access.prefix),
                                                          item_id=OuterRef("pk"))
    return Item.objects.filter(subtree_q("agency__org_id", access.prefix)
                               | subtree_q("lead_agency__org_id", access.prefix)
                               | Q(Exists(touching)))


def item_get(user, item_id: int) -> Item:
    """One item in reach; OutOfReach (a 404, audited) for one outside it."""
    return get_in_reach(items_for(user).select_related("batch", "agency", "lead_agency", "project"), pk=item_id)


def acts_for(user, item: Item) -> bool:
    """Whether the user acts for the item's 责任单位 (and so signs for it and reports on it)."""
    return item.agency_id is not None and own_agencies(user).filter(pk=item.agency_id).exists()


def batches_for(user) -> QuerySet[Batch]:
    """Batches in reach: all of a county read whole; otherwise those with at least one item in reach."""
    access = _access(user)
    if not access.active or access.role in HELPER_ROLES:
        return Batch.objects.none()
    if _reads_whole_county(access):
        return Batch.objects.filter(subtree_q("county_id", access.prefix))
    return Batch.objects.filter(Exists(items_for(access).filter(batch_id=OuterRef("pk"))))


def batch_get(user, batch_id: int) -> Batch:
    """One batch in reach; OutOfReach (a 404, audited) for one outside it."""
    return get_in_reach(batches_for(user), pk=batch_id)
