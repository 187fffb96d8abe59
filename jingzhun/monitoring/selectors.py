"""Reads of the lead queue, limited to what the user may see."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from jingzhun.orgunits.access import Access, access_for
from jingzhun.orgunits.permissions import may_verify_lead

from .models import Lead
from .vocab import Status


def _access(who) -> Access:
    return who if isinstance(who, Access) else access_for(who)


def leads_for(who) -> QuerySet[Lead]:
    """Leads of the villages in reach; an assistance cadre sees those of their households and their own."""
    access = _access(who)
    qs = Lead.objects.filter(access.org_q("village_id"))
    if access.cadre_only:
        qs = qs.filter(Q(household__cadre__user_id=access.user_id) | Q(created_by_id=access.user_id))
    return qs.select_related("village", "unit", "household")


def overdue_q(today: datetime.date | None = None) -> Q:
    """Open leads past their verification date."""
    today = today or timezone.localdate()
    return Q(status=Status.PENDING, verify_due__lt=today)


def leads_to_verify(who) -> QuerySet[Lead]:
    """线索待核实: the open leads sitting in the clerk's own villages, overdue first, then by due date."""
    access = _access(who)
    if not may_verify_lead(access):
        return Lead.objects.none()
    return (leads_for(access).filter(status=Status.PENDING, unit_id=F("village_id"))
            .order_by("verify_due", "created_at", "id"))


def outcomes_by_source(who, source_prefix: str = "") -> QuerySet:
    """What became of the leads, per channel and source (a department's batch): counts by status and result."""
    qs = leads_for(who)
    if source_prefix:
        qs = qs.filter(report_rows__source_ref__startswith=source_prefix)
    return (qs.values("channel", "status", "result").annotate(n=Count("id", distinct=True))
            .order_by("channel", "status", "result"))
