"""Reads of the 项目库 and the 衔接资金 figures, limited to what the user may see.

A project belongs to a county and touches villages. The county and the levels above read every project
of the counties in reach; a township or a village (its clerk, its 驻村工作队) reads the projects that
touch a village of theirs; an assistance cadre reads the projects touching the villages of the
households assigned to them.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from jingzhun.orgunits.access import Access, access_for
from jingzhun.orgunits.models import OrgUnit, subtree_q
from jingzhun.orgunits.permissions import get_in_reach
from jingzhun.registry.models import Household

from ..models import Project, ProjectFund, ProjectSpending
from ..vocab import FundSource, ProjectState

COUNTY_LENGTH = 6
ZERO = Decimal("0")


def _access(who) -> Access:
    return who if isinstance(who, Access) else access_for(who)


def _touching(village_q: Q) -> Q:
    """Projects with a village matching `village_q` (over the project–village link's `orgunit_id`)."""
    return Q(pk__in=Project.villages.through.objects.filter(village_q).values("project_id"))


def unit_q(code: str) -> Q:
    """Projects of unit `code`: a county or above by the project's county, a township or village by the
    villages the project touches."""
    if len(code) <= COUNTY_LENGTH:
        return subtree_q("county_id", code)
    return _touching(subtree_q("orgunit_id", code))


def projects_for(who) -> QuerySet[Project]:
    """Projects the user may read (module docstring)."""
    access = _access(who)
    if not access.active:
        return Project.objects.none()
    if access.cadre_only:
        villages = Household.objects.filter(access.household_q()).values("village_id")
        return Project.objects.filter(_touching(Q(orgunit_id__in=villages)))
    return Project.objects.filter(unit_q(access.prefix))


def project_get(who, project_id: int) -> Project:
    """One project in reach (OutOfReach, a 404, when it exists outside it)."""
    return get_in_reach(projects_for(who).select_related("county", "created_by"), pk=project_id)


def beneficiaries_in_reach(who, project: Project) -> QuerySet[Household]:
    """The project's 受益户 the user may see as households (the registry's reach), by village and code."""
    return _access(who).filter_households(project.beneficiaries.select_related("village")).order_by("code")


def fund_rows(project: Project) -> list[dict]:
    """Per source with a plan or a payment: planned, spent, left (what may still be paid) and the rate."""
    planned = dict(project.funds.values_list("source", "amount"))
    spent = {row["source"]: row["total"] for row in
             project.spending.order_by().values("source").annotate(total=Sum("amount"))}
    rows = []
    for source, label in FundSource.choices:
        if source not in planned and source not in spent:
            continue
        p, s = planned.get(source, ZERO), spent.get(source, ZERO)
        rows.append({"source": source, "label": label, "planned": p, "spent": s, "left": p - s, "rate": rate(s, p)})
    return rows


def rate(spent: Decimal, planned: Decimal) -> Decimal | None:
    """执行率 in percent to one decimal; None when nothing is planned."""
    if not planned:
        return None
    return (Decimal(100) * spent / planned).quantize(Decimal("0.1"))


def fund_execution(who, unit_code: str, year: int) -> dict:
    """衔接资金执行 of `year`'s projects under unit `unit_code` that the user reads.

    Returns {"rows": [{county, county_name, source, label, planned, spent, rate}] per county and source
    with money (county order, then the sources' order), "counties": per-county totals, "total": the whole,
    "states": [{county, county_name, counts: {state: n}, total}]}. A terminated (终止) project's unpaid plan
    went back: it counts as planned only what it spent. The per-county and overall totals and rates are
    衔接资金's (其他资金 listed, not summed), as the indicator FUND_RATE. Sums are made in the database.
    """
    projects = projects_for(who).filter(unit_q(unit_code), year=year)
    ids = projects.values("pk")
    planned = (ProjectFund.objects.filter(project__in=ids).exclude(project__state=ProjectState.CANCELLED)
               .order_by().values("project__county_id", "source").annotate(total=Sum("amount")))
    spending = (ProjectSpending.objects.filter(project__in=ids).order_by()
                .values("project__county_id", "source", "project__state").annotate(total=Sum("amount")))
    cells: dict[tuple[str, str], dict] = {}

    def cell(county: str, source: str) -> dict:
        return cells.setdefault((county, source), {"planned": ZERO, "spent": ZERO})

    for row in planned:
        cell(row["project__county_id"], row["source"])["planned"] += row["total"]
    for row in spending:
        target = cell(row["project__county_id"], row["source"])
        target["spent"] += row["total"]
        if row["project__state"] == ProjectState.CANCELLED:
            target["planned"] += row["total"]
    state_rows = (projects.order_by().values("county_id", "state").annotate(n=Count("pk")))
    counts: dict[str, dict[str, int]] = {}
    for row in state_rows:
        counts.setdefault(row["county_id"], {})[row["state"]] = row["n"]
    codes = sorted({county for county, _source in cells} | set(counts))
    names = dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "name"))
    order = {source: i for i, source in enumerate(FundSource.values)}
    labels = dict(FundSource.choices)
    rows, county_totals = [], []
    for county in codes:
        sources = sorted((s for c, s in cells if c == county), key=order.__getitem__)
        p_sum = s_sum = ZERO
        for source in sources:
            money = cells[(county, source)]
            if source != FundSource.OTHER:  # the subtotals are 衔接资金's, as the dashboard's rate
                p_sum, s_sum = p_sum + money["planned"], s_sum + money["spent"]
            rows.append({"county": county, "county_name": names.get(county, county), "source": source,
                         "label": labels[source], "planned": money["planned"], "spent": money["spent"],
                         "rate": rate(money["spent"], money["planned"])})
        county_totals.append({"county": county, "county_name": names.get(county, county), "planned": p_sum,
                              "spent": s_sum, "rate": rate(s_sum, p_sum)})
    p_all = sum((c["planned"] for c in county_totals), ZERO)
    s_all = sum((c["spent"] for c in county_totals), ZERO)
    states = [{"county": county, "county_name": names.get(county, county),
               "counts": [counts.get(county, {}).get(s, 0) for s in ProjectState.values],
               "total": sum(counts.get(county, {}).values())} for county in codes]
    return {"rows": rows, "counties": county_totals, "states": states,
            "total": {"planned": p_all, "spent": s_all, "rate": rate(s_all, p_all)}}
