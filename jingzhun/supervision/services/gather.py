"""归集: data problems (数据核查, 部门比对, 考核评估) and 监测线索 gathered into one ledger item.

A village's 47 data problems become one 整改任务 whose `problems` are those records: the item is closed
only once each is fixed or approved as an exception (items._require_resolved), so the ledger and the
problem list never disagree. Only the county (may_manage_ledger) gathers, and only what it reaches
(checks.services.problems_for, monitoring.selectors.leads_for). A problem or lead already gathered into
an item that is still open is skipped (it answers to that item); one whose item is closed may be
gathered again (it reappeared after 销号).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.checks.findings import FINDING_KINDS
from jingzhun.checks.models import Problem
from jingzhun.checks.services import problem_kinds, problems_for
from jingzhun.compare.kinds import RULE_NAMES as COMPARISON_RULES
from jingzhun.monitoring.models import Lead
from jingzhun.monitoring.selectors import leads_for
from jingzhun.monitoring.vocab import Status as LeadStatus
from jingzhun.orgunits.models import OrgUnit, subtree_q
from jingzhun.registry.models import Household

from ..models import Batch, Item
from ..vocab import OPEN_STATES, EventKind, ItemKind, ItemState, Source
from .agencies import agency_for_org
from .items import PROBLEM_DONE, LedgerError, _event, _locked, _require_manager, item_create

#: Lines of the item's `detail` list at most; the rest are counted (the item's problem page lists all).
DETAIL_LINES = 500
#: Problems or leads one item gathers at most (a county's whole rule at once is a campaign, not an item).
GATHER_MAX = 5000
#: The problem kinds (`source` of the gather form) and the ledger source each gathers as.
KIND_SOURCES = {"data_check": Source.DATA_CHECK, "comparison": Source.COMPARISON, "assessment": Source.ASSESSMENT}
#: Items that may take more problems or leads: not yet reported done (a reported one waits for 复核).
_GROWING = (ItemState.DRAFT, ItemState.ASSIGNED, ItemState.DOING)
_PROBLEM_ORDER = ("village", "household", "rule", "person", "pk")
_LEAD_ORDER = ("village_id", "verify_due", "pk")


def problem_source(rule: str) -> str:
    """The ledger source of a problem by its rule: 部门比对 (BD01–BD09), 考核评估 (the assessment's findings
    PG01–PG03 and its 随机抽查 CC01) or 数据核查 (the data-quality rules)."""
    if rule in COMPARISON_RULES:
        return Source.COMPARISON
    if rule in FINDING_KINDS:
        return Source.ASSESSMENT
    return Source.DATA_CHECK


def _kind_q(kind: str) -> Q:
    comparison, findings = Q(rule__in=list(COMPARISON_RULES)), Q(rule__in=list(FINDING_KINDS))
    if kind == "comparison":
        return comparison
    if kind == "assessment":
        return findings
    if kind == "data_check":
        return ~comparison & ~findings
    raise LedgerError(_("问题类别只能是数据核查、部门比对或考核评估。"))


def _in_open_item(model) -> Exists:
    """Whether the row is gathered into an item that is not yet closed (it answers to that item)."""
    through = Item.problems.through if model is Problem else Item.leads.through
    column = "problem_id" if model is Problem else "lead_id"
    return Exists(through.objects.filter(**{column: OuterRef("pk")}, item__state__in=OPEN_STATES))


@dataclass(frozen=True)
class ProblemFilter:
    """Which problems to gather: explicit ids, or a unit (village, township or the county) with a rule or
    a kind of problem (数据核查, 部门比对, 考核评估). Empty fields do not narrow."""

    ids: tuple[int, ...] = ()
    unit: str = ""
    rule: str = ""
    kind: str = ""


@dataclass(frozen=True)
class LeadFilter:
    """Which leads to gather: explicit ids, or a unit with only the overdue ones (核实期限 passed)."""

    ids: tuple[int, ...] = ()
    unit: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class Preview:
    """What a gather would take: `rows` (unresolved, in reach, not in an open item) and `skipped` (the
    ones already in an open item), and the villages they are in."""

    rows: QuerySet
    skipped: int
    villages: list[str]

    @property
    def count(self) -> int:
        return self.rows.count()


def _check_unit(county: str, unit: str) -> None:
    if unit and not (unit.isdigit() and unit.startswith(county) and len(unit) in (6, 9, 12)):
        raise LedgerError(_("所选单位“%(unit)s”不属于该县，请从列表中选择。") % {"unit": unit})


def problems_to_gather(user, *, county: str, which: ProblemFilter) -> Preview:
    """The problems a gather over `county` would take for `user`: unresolved (待整改 or 情况属实待审核), in
    reach, chosen by `which`; those already in an open item counted apart."""
    _check_unit(county, which.unit)
    rows = problems_for(user).filter(subtree_q("village", which.unit or county)).exclude(status__in=PROBLEM_DONE)
    if which.ids:
        rows = rows.filter(pk__in=list(which.ids))
    if which.rule:
        rows = rows.filter(rule=which.rule)
    if which.kind:
        rows = rows.filter(_kind_q(which.kind))
    rows = rows.annotate(taken=_in_open_item(Problem))
    skipped = rows.filter(taken=True).count()
    rows = rows.filter(taken=False)
    villages = sorted(set(rows.values_list("village", flat=True).distinct()))
    return Preview(rows=rows.order_by(*_PROBLEM_ORDER), skipped=skipped,
                   villages=villages)


def leads_to_gather(user, *, county: str, which: LeadFilter, today: datetime.date | None = None) -> Preview:
    """The leads a gather over `county` would take: 待核实, in reach, chosen by `which`."""
    _check_unit(county, which.unit)
    rows = leads_for(user).filter(subtree_q("village_id", which.unit or county), status=LeadStatus.PENDING)
    if which.ids:
        rows = rows.filter(pk__in=list(which.ids))
    if which.overdue:
        rows = rows.filter(verify_due__lt=today or timezone.localdate())
    rows = rows.annotate(taken=_in_open_item(Lead))
    skipped = rows.filter(taken=True).count()
    rows = rows.filter(taken=False)
    villages = sorted(set(rows.values_list("village_id", flat=True).distinct()))
    return Preview(rows=rows.order_by(*_LEAD_ORDER), skipped=skipped, villages=villages)


def _common_unit(villages: list[str]) -> str:
    """The narrowest unit holding every village: the village, their township, or their county."""
    if len(villages) == 1:
        return villages[0]
    if len({v[:9] for v in villages}) == 1:
        return villages[0][:9]
    return villages[0][:6]


def _unit_name(code: str) -> str:
    unit = OrgUnit.objects.filter(code=code).first()
    return unit.short_name if unit else code


def _default_agency_id(unit: str) -> int | None:
    """The unit's own 责任单位 (a village's or township's), made the first time it is needed."""
    if len(unit) not in (9, 12):
        return None
    org = OrgUnit.objects.filter(code=unit).first()
    return agency_for_org(org).pk if org is not None else None


def _problem_lines(problems: list[Problem], start: int = 1) -> str:
    kinds = problem_kinds()
    lines = []
    for n, p in enumerate(problems[:max(DETAIL_LINES - start + 1, 0)], start=start):
        name = kinds[p.rule].name_shown if p.rule in kinds else ""
        # No ID number or message here: the detail is read by everyone who reads the item; the item's
        # problem page shows each problem masked for its reader.
        lines.append(_("%(n)d. %(rule)s %(name)s（户编号 %(household)s）")
                     % {"n": n, "rule": p.rule, "name": name, "household": p.household})
    if len(lines) < len(problems):
        lines.append(_("……另有 %(n)d 条，见事项的问题数据清单。") % {"n": len(problems) - len(lines)})
    return "\n".join(lines)


def _lead_lines(leads: list[Lead], start: int = 1) -> str:
    lines = []
    for n, lead in enumerate(leads[:max(DETAIL_LINES - start + 1, 0)], start=start):
        lines.append(_("%(n)d. 线索 %(id)d %(risk)s（%(household)s，核实期限 %(due)s）")
                     % {"n": n, "id": lead.pk, "risk": lead.get_risk_type_display(),
                        "household": lead.household_id or _("未登记户"), "due": f"{lead.verify_due:%Y-%m-%d}"})
    if len(lines) < len(leads):
        lines.append(_("……另有 %(n)d 条，见事项的线索清单。") % {"n": len(leads) - len(lines)})
    return "\n".join(lines)


def _lock(model, ids: Iterable[int]) -> list:
    """The rows locked, in id order: two gathers of the same problems at once must not both take them
    (the second waits here, then finds them in the first's item and skips them)."""
    ids = sorted(ids)
    return list(model.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _take(preview: Preview, model) -> tuple[list, int]:
    """The previewed rows locked and checked again (another gather may have taken some meanwhile)."""
    ids = list(preview.rows.values_list("pk", flat=True)[:GATHER_MAX + 1])
    if len(ids) > GATHER_MAX:
        raise LedgerError(_("一次最多归集 %(max)d 条，请按乡镇、村或规则缩小范围。") % {"max": GATHER_MAX})
    _lock(model, ids)
    order = _PROBLEM_ORDER if model is Problem else _LEAD_ORDER
    free = list(model.objects.filter(pk__in=ids).annotate(taken=_in_open_item(model)).filter(taken=False)
                .order_by(*order))
    return free, preview.skipped + len(ids) - len(free)


def _nothing(skipped: int, what: str) -> LedgerError:
    if skipped:
        return LedgerError(_("所选的%(what)s已全部归集到未销号的台账事项中（%(n)d 条），无需重复归集。")
                           % {"what": what, "n": skipped})
    return LedgerError(_("没有可归集的%(what)s：所选范围内没有未整改的记录，请调整条件。") % {"what": what})


def _note(added: int, skipped: int, what: str) -> str:
    if skipped:
        return (_("归集%(what)s %(n)d 条；另有 %(k)d 条已在其他未销号事项中，未重复归集。")
                % {"what": what, "n": added, "k": skipped})
    return _("归集%(what)s %(n)d 条。") % {"what": what, "n": added}


def _touch(item: Item, villages: Iterable[str], households: Iterable[str]) -> None:
    item.affected_units.add(*sorted(set(villages)))
    registered = Household.objects.filter(code__in=sorted(set(households))).values_list("code", flat=True)
    item.households.add(*registered)


@transaction.atomic
def item_gather_problems(*, acting_user, county: str, which: ProblemFilter, title: str | None = None,
                         agency_id: int | None = None, deadline: datetime.date | None = None,
                         batch: Batch | None = None) -> Item:
    """A new 整改任务 (待交办) gathering the chosen unresolved problems of the county.

    Its source is what most of the problems are (数据核查, 部门比对, 考核评估); its 责任单位 the village's
    (or township's) unit when they are all of one, unless `agency_id` names another; its title like
    "下高池村 47 条问题数据整改"; its `detail` the list. The numbers gathered and skipped are in its
    归集 event.
    """
    _require_manager(acting_user, county)
    problems, skipped = _take(problems_to_gather(acting_user, county=county, which=which), Problem)
    if not problems:
        raise _nothing(skipped, _("问题数据"))
    villages = sorted({p.village for p in problems})
    unit = _common_unit(villages)
    sources = Counter(problem_source(p.rule) for p in problems)
    source = max(sorted(sources), key=lambda s: sources[s])
    title = (title or "").strip() or _("%(unit)s %(n)d 条问题数据整改") % {"unit": _unit_name(unit), "n": len(problems)}
    item = item_create(acting_user=acting_user, county=county, title=title, source=source, kind=ItemKind.PROBLEM,
                       batch=batch, detail=_problem_lines(problems),
                       agency_id=agency_id if agency_id is not None else _default_agency_id(unit),
                       deadline=deadline, affected_units=villages)
    item.problems.add(*problems)
    _touch(item, (), (p.household for p in problems))
    _event(item, EventKind.GATHER, acting_user, note=_note(len(problems), skipped, _("问题数据")))
    return item


@transaction.atomic
def item_gather_leads(*, acting_user, county: str, which: LeadFilter, title: str | None = None,
                      agency_id: int | None = None, deadline: datetime.date | None = None,
                      batch: Batch | None = None, today: datetime.date | None = None) -> Item:
    """A new 监测预警 item (待交办) gathering the chosen 待核实 leads of the county (e.g. the overdue ones
    of a village): closing it needs each lead verified."""
    _require_manager(acting_user, county)
    leads, skipped = _take(leads_to_gather(acting_user, county=county, which=which, today=today), Lead)
    if not leads:
        raise _nothing(skipped, _("监测线索"))
    villages = sorted({lead.village_id for lead in leads})
    unit = _common_unit(villages)
    title = (title or "").strip() or _("%(unit)s %(n)d 条监测线索核实") % {"unit": _unit_name(unit), "n": len(leads)}
    item = item_create(acting_user=acting_user, county=county, title=title, source=Source.MONITORING,
                       kind=ItemKind.PROBLEM, batch=batch, detail=_lead_lines(leads),
                       agency_id=agency_id if agency_id is not None else _default_agency_id(unit),
                       deadline=deadline, affected_units=villages)
    item.leads.add(*leads)
    _touch(item, (), (lead.household_id for lead in leads if lead.household_id))
    _event(item, EventKind.GATHER, acting_user, note=_note(len(leads), skipped, _("监测线索")))
    return item


def _appended(detail: str, lines: str) -> str:
    """The item's detail with the new lines below what it said (written by hand or by an earlier gather)."""
    return f"{detail.rstrip()}\n{lines}" if detail.strip() else lines


def _growing(acting_user, item_id: int) -> Item:
    item = _locked(acting_user, item_id)
    _require_manager(acting_user, item)
    if item.state not in _GROWING:
        raise LedgerError(_("该事项当前为“%(state)s”，不能再追加；已报告办结的请先复核退回，已销号的请新建事项归集。")
                          % {"state": item.get_state_display()})
    return item


@transaction.atomic
def item_add_problems(*, acting_user, item_id: int, which: ProblemFilter) -> Item:
    """追加: more problems of the item's county into an item not yet reported done; its list grows."""
    item = _growing(acting_user, item_id)
    problems, skipped = _take(problems_to_gather(acting_user, county=item.county_id, which=which), Problem)
    if not problems:
        raise _nothing(skipped, _("问题数据"))
    before = item.problems.count()
    item.problems.add(*problems)
    _touch(item, (p.village for p in problems), (p.household for p in problems))
    item.detail = _appended(item.detail, _problem_lines(problems, start=before + 1))
    item.save(update_fields=["detail", "updated_at"])
    _event(item, EventKind.GATHER, acting_user, note=_note(len(problems), skipped, _("问题数据")))
    return item


@transaction.atomic
def item_add_leads(*, acting_user, item_id: int, which: LeadFilter, today: datetime.date | None = None) -> Item:
    """追加 leads of the item's county into an item not yet reported done."""
    item = _growing(acting_user, item_id)
    leads, skipped = _take(leads_to_gather(acting_user, county=item.county_id, which=which, today=today), Lead)
    if not leads:
        raise _nothing(skipped, _("监测线索"))
    before = item.leads.count()
    item.leads.add(*leads)
    _touch(item, (lead.village_id for lead in leads), (lead.household_id for lead in leads if lead.household_id))
    item.detail = _appended(item.detail, _lead_lines(leads, start=before + 1))
    item.save(update_fields=["detail", "updated_at"])
    _event(item, EventKind.GATHER, acting_user, note=_note(len(leads), skipped, _("监测线索")))
    return item
