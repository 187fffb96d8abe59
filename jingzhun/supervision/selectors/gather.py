"""Reads of what an item gathered (its data problems and 监测线索) and of closed items whose problems came back.

The problems and leads of an item are read through the checks' and monitoring's own scoping
(problems_for, leads_for) as well as the item's: a township reading a county item sees the gathered
problems of its villages and is told how many others there are.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from jingzhun.checks.models import Problem
from jingzhun.checks.services import problems_for
from jingzhun.monitoring.models import Lead
from jingzhun.monitoring.selectors import leads_for
from jingzhun.orgunits.models import OrgUnit
from jingzhun.registry.models import Household, Member

from ..models import Item
from ..vocab import ItemState
from . import items_for


def gathered_problems(user, item: Item) -> QuerySet[Problem]:
    """The item's problems the user reaches, with the head's and member's names and the village's name."""
    rows = problems_for(user).filter(ledger_items=item)
    return rows.annotate(
        registered=Exists(Household.objects.filter(code=OuterRef("household"))),
        head_name=Subquery(Household.objects.filter(code=OuterRef("household")).values("head_name")[:1]),
        member_name=Subquery(Member.objects.filter(household_id=OuterRef("household"), id_number=OuterRef("person"))
                             .values("name")[:1]),
        village_name=Subquery(OrgUnit.objects.filter(code=OuterRef("village")).values("name")[:1]))


def gathered_leads(user, item: Item) -> QuerySet[Lead]:
    """The item's leads the user reaches."""
    return leads_for(user).filter(ledger_items=item)


def items_with_reappeared_problems(user) -> QuerySet[Item]:
    """Closed (已销号) items in reach of which a gathered problem is 待整改 again (a later check run found it
    again): computed, never stored, so reopening the problem or the item changes the answer at once."""
    back = Item.problems.through.objects.filter(item_id=OuterRef("pk"), problem__status=Problem.Status.OPEN)
    return items_for(user).filter(Exists(back), state=ItemState.CLOSED)


def reappeared(item: Item) -> int:
    """How many of a closed item's gathered problems are 待整改 again (0 for an open item)."""
    if item.state != ItemState.CLOSED:
        return 0
    return item.problems.filter(status=Problem.Status.OPEN).count()
