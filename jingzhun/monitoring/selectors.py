"""Reads of the lead queue, limited to what the user may see."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from jingzhun.orgunits.access import Access, access_for
from jingzhun.orgunits.models import subtree_q
from jingzhun.orgunits.permissions import may_route_lead, may_verify_lead

from .models import Lead, LeadReport
from .vocab import Channel, Result, Status


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


def leads_to_route(who) -> QuerySet[Lead]:
    """线索待下发: open leads sitting at the user's own township or county (a department's leads arrive at the
    county), earliest due first."""
    access = _access(who)
    if not may_route_lead(access) or len(access.prefix) not in (6, 9):
        return Lead.objects.none()
    return leads_for(access).filter(status=Status.PENDING, unit_id=access.prefix).order_by("verify_due", "id")


def outcomes(leads: QuerySet[Lead]) -> list[dict]:
    """去向 per channel of a (scoped, filtered) queue: how many leads, how many wait, and how many ended in
    each result — what a department is told about its alerts when the queue is filtered by its batch."""
    rows = leads.order_by().values("channel", "status", "result").annotate(n=Count("id", distinct=True))
    table: dict[str, dict] = {c: {"channel": label, "total": 0, "pending": 0, **{r: 0 for r in Result.values}}
                              for c, label in Channel.choices}
    for row in rows:
        entry = table[row["channel"]]
        entry["total"] += row["n"]
        entry["pending" if row["status"] == Status.PENDING else row["result"]] += row["n"]
    return list(table.values())


def with_source(leads: QuerySet[Lead], source: str) -> QuerySet[Lead]:
    """Leads one of whose reports came from `source` (the start of a 来源记录, e.g. a department's batch)."""
    return leads.filter(pk__in=LeadReport.objects.filter(source_ref__startswith=source).values("lead_id"))


def unit_queue(code: str, *, status: str = "", overdue: bool = False, source: str = "") -> QuerySet[Lead]:
    """The queue of a unit for the server's operator (`jingzhun leads`): every lead under `code`, earliest due
    first. Not for pages: a person's reads go through `leads_for`."""
    from jingzhun.orgunits.roles import Role

    qs = leads_for(Access(user_id=None, role=Role.SYSADMIN, prefix=code, active=True))
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue_q())
    if source:
        qs = with_source(qs, source)
    return qs.prefetch_related("report_rows").order_by("verify_due", "id")


def unit_lead_counts(code: str) -> dict[str, int]:
    """Leads under unit `code` for its dashboard (the caller has checked the unit is in reach): waiting for
    入户核实, of them overdue, and the verified ones by result — counted in the database, one query."""
    pending = Q(status=Status.PENDING)
    return Lead.objects.filter(subtree_q("village", code)).aggregate(
        total=Count("id"), pending=Count("id", filter=pending), overdue=Count("id", filter=pending & overdue_q()),
        include=Count("id", filter=Q(status=Status.VERIFIED, result=Result.INCLUDE)),
        exclude=Count("id", filter=Q(status=Status.VERIFIED, result=Result.EXCLUDE)),
        already=Count("id", filter=Q(status=Status.VERIFIED, result=Result.ALREADY)))


def timeliness(user, leads: QuerySet[Lead]) -> dict:
    """How fast the work goes, counted in the database: the mean days from a lead to its 入户核实 result (of
    the leads given), and of the 识别纳入 procedures decided in the user's reach, how many and how many by
    their 办结时限, with the mean days from opening to 县级审定. None where there is nothing to count."""
    from django.db.models import Avg, DurationField, ExpressionWrapper

    from jingzhun.workflows.definitions import Kind
    from jingzhun.workflows.models import Procedure
    from jingzhun.workflows.selectors import procedures_for

    def days(value) -> float | None:
        return None if value is None else round(value.total_seconds() / 86400, 1)

    verify = leads.filter(status=Status.VERIFIED).aggregate(
        mean=Avg(ExpressionWrapper(F("verified_at") - F("created_at"), output_field=DurationField())))
    decided = procedures_for(user).filter(kind=Kind.MONITORING_ENTRY, state=Procedure.State.DONE)
    decisions = decided.aggregate(
        n=Count("id"), on_time=Count("id", filter=Q(due__isnull=False, closed_at__date__lte=F("due"))),
        mean=Avg(ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField())))
    return {"verify_days": days(verify["mean"]), "decisions": decisions["n"], "on_time": decisions["on_time"],
            "decide_days": days(decisions["mean"])}
