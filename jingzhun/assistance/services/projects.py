"""Writes of the 项目库: a project entered and edited, its funds planned, its states advanced, its
progress and its spending recorded.

Every function runs in one transaction, looks the project up through the reader's scope (OutOfReach, a
404, for a project out of reach), requires `may_manage_projects` (Refused otherwise), and raises
ProjectError (a Chinese message for the person) having written nothing when the input is wrong or the
project's state does not allow the step. A state change writes a ProjectEvent; the project's and its
funds' changes are kept by their history tables, each payment is a ProjectSpending row of its own.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.orgunits.permissions import get_in_reach, may_manage_projects, reach_code, require
from jingzhun.registry.models import Household

from ..models import Project, ProjectEvent, ProjectFund, ProjectSpending
from ..selectors.projects import projects_for
from ..vocab import FundSource, ProjectCategory, ProjectState

#: The one way forward from each state; 终止 is allowed from every state before 竣工.
NEXT_STATE = {ProjectState.LISTED: ProjectState.PUBLICISED, ProjectState.PUBLICISED: ProjectState.UNDERWAY,
              ProjectState.UNDERWAY: ProjectState.COMPLETED, ProjectState.COMPLETED: ProjectState.ACCEPTED}
CANCELLABLE = frozenset({ProjectState.LISTED, ProjectState.PUBLICISED, ProjectState.UNDERWAY})
#: States in which the project's entry (its villages, beneficiaries, targets, funds) may still change.
EDITABLE = CANCELLABLE
#: States in which money is paid out (拨付 / 报账) and progress reported.
SPENDING_STATES = frozenset({ProjectState.UNDERWAY, ProjectState.COMPLETED, ProjectState.ACCEPTED})
#: Bounds of the entry's texts (the model's lengths, and a page's worth for the long ones).
TEXT_MAX = 2000
NOTE_MAX = 1000
MONEY_MAX = Decimal("999999999999.99")


class ProjectError(Exception):
    """A project write that cannot be made as asked; the message says why, for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def moves_from(state: str) -> list[str]:
    """The states a project in `state` may go to next, in the order the buttons show them."""
    moves = [NEXT_STATE[state]] if state in NEXT_STATE else []
    return moves + ([ProjectState.CANCELLED] if state in CANCELLABLE else [])


def _require_manager(acting_user) -> None:
    require(may_manage_projects(acting_user), _("项目库由县级管理员录入和管理。"))


def _locked(acting_user, project_id: int) -> Project:
    # Two officers editing or advancing one project: the row lock makes the second see the first's result.
    project = get_in_reach(projects_for(acting_user).select_for_update(), pk=project_id)
    _require_manager(acting_user)
    reach_code(acting_user, project.county_id)
    return project


def _text(value, label: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ProjectError(_("请填写%(label)s。") % {"label": label})
    if len(value) > limit:
        raise ProjectError(_("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": limit})
    return value


def _money(value, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ProjectError(_("%(label)s应为金额（元）。") % {"label": label}) from None
    if not amount.is_finite() or amount < 0 or amount > MONEY_MAX or amount != amount.quantize(Decimal("0.01")):
        raise ProjectError(_("%(label)s应为不小于 0 的金额，最多两位小数。") % {"label": label})
    return amount


def _entry(*, acting_user, county: OrgUnit, code: str, name: str, category: str, year, villages: Iterable[str],
           planned_start, planned_end, responsible_unit: str, contact_phone: str, output_target: str,
           benefit_target: str, mechanism: str, beneficiaries: Iterable[str], project: Project | None) -> dict:
    """The checked fields of an entry, with the village and household rows to link."""
    data = {
        "code": _text(code, _("项目编号"), 32, required=True), "name": _text(name, _("项目名称"), 200, required=True),
        "responsible_unit": _text(responsible_unit, _("项目主管单位"), 128, required=True),
        "contact_phone": _text(contact_phone, _("监督电话"), 20),
        "output_target": _text(output_target, _("产出指标"), TEXT_MAX),
        "benefit_target": _text(benefit_target, _("效益指标"), TEXT_MAX),
        "mechanism": _text(mechanism, _("带贫减贫机制"), TEXT_MAX),
    }
    if data["contact_phone"] and not data["contact_phone"].replace("-", "").isdigit():
        raise ProjectError(_("监督电话应为数字（可含“-”）。"))
    if category not in ProjectCategory.values:
        raise ProjectError(_("请选择项目类别。"))
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= timezone.localdate().year + 5:
        raise ProjectError(_("年度应在 2000 年至 %(y)d 年之间。") % {"y": timezone.localdate().year + 5})
    for day in (planned_start, planned_end):
        if day is not None and not isinstance(day, datetime.date):
            raise ProjectError(_("计划日期格式不对。"))
    if planned_start and planned_end and planned_end < planned_start:
        raise ProjectError(_("计划完工日期不能早于计划开工日期。"))
    clash = Project.objects.filter(county=county, code=data["code"])
    if project is not None:
        clash = clash.exclude(pk=project.pk)
    if clash.exists():
        raise ProjectError(_("本县已有项目编号为“%(code)s”的项目。") % {"code": data["code"]})
    codes = sorted({str(c).strip() for c in villages if str(c).strip()})
    village_rows = list(OrgUnit.objects.filter(code__in=codes, level=Level.VILLAGE))
    wrong = sorted(set(codes) - {v.code for v in village_rows if v.code.startswith(county.code)})
    if wrong:
        raise ProjectError(_("实施村须是本县的村：%(codes)s") % {"codes": "、".join(wrong[:10])})
    households = _households(acting_user, beneficiaries, set(codes))
    return {**data, "category": category, "year": year, "planned_start": planned_start,
            "planned_end": planned_end, "village_rows": village_rows, "households": households}


def _households(acting_user, codes: Iterable[str], villages: set[str]) -> list[Household]:
    """受益户 by 户编号: each in the user's reach and in one of the project's villages."""
    codes = sorted({str(c).strip() for c in codes if str(c).strip()})
    found = {h.code: h for h in Household.objects.filter(
        _reach_q(acting_user), code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ProjectError(_("没有这些户编号的户（或不在你的管辖范围内）：%(codes)s") % {"codes": "、".join(missing[:10])})
    outside = [c for c in codes if found[c].village_id not in villages]
    if outside:
        raise ProjectError(_("受益户须在项目的实施村：%(codes)s") % {"codes": "、".join(outside[:10])})
    return [found[c] for c in codes]


def _reach_q(acting_user):
    """Households the acting user reaches (the registry's scope)."""
    return access_for(acting_user).household_q()


def _county(acting_user, county_code: str) -> OrgUnit:
    county = OrgUnit.objects.filter(code=str(county_code or ""), level=Level.COUNTY).first()
    if county is None:
        raise ProjectError(_("请选择项目所在的县。"))
    reach_code(acting_user, county.code)
    return county


@transaction.atomic
def project_create(*, acting_user, county_code: str, code: str, name: str, category: str, year: int,
                   villages: Iterable[str] = (), planned_start: datetime.date | None = None,
                   planned_end: datetime.date | None = None, responsible_unit: str, contact_phone: str = "",
                   output_target: str = "", benefit_target: str = "", mechanism: str = "",
                   beneficiaries: Iterable[str] = (), note: str = "") -> Project:
    """入库: enter a project in a county's 项目库 (its first ProjectEvent says so)."""
    _require_manager(acting_user)
    county = _county(acting_user, county_code)
    data = _entry(acting_user=acting_user, county=county, code=code, name=name, category=category, year=year,
                  villages=villages, planned_start=planned_start, planned_end=planned_end,
                  responsible_unit=responsible_unit, contact_phone=contact_phone, output_target=output_target,
                  benefit_target=benefit_target, mechanism=mechanism, beneficiaries=beneficiaries, project=None)
    village_rows, households = data.pop("village_rows"), data.pop("households")
    try:  # two officers entering one code at once: the unique constraint decides, the second is told
        project = Project.objects.create(county=county, created_by=acting_user, state=ProjectState.LISTED, **data)
    except IntegrityError:
        raise ProjectError(_("本县已有项目编号为“%(code)s”的项目。") % {"code": data["code"]}) from None
    project.villages.set(village_rows)
    project.beneficiaries.set(households)
    ProjectEvent.objects.create(project=project, state=ProjectState.LISTED, actor=acting_user,
                                note=_text(note, _("说明"), NOTE_MAX))
    return project


@transaction.atomic
def project_update(*, acting_user, project_id: int, code: str, name: str, category: str, year: int,
                   villages: Iterable[str] = (), planned_start: datetime.date | None = None,
                   planned_end: datetime.date | None = None, responsible_unit: str, contact_phone: str = "",
                   output_target: str = "", benefit_target: str = "", mechanism: str = "",
                   beneficiaries: Iterable[str] = ()) -> Project:
    """Change a project's entry before 竣工 (its history keeps the earlier version)."""
    project = _locked(acting_user, project_id)
    if project.state not in EDITABLE:
        raise ProjectError(_("项目已%(state)s，不能再修改。") % {"state": project.get_state_display()})
    data = _entry(acting_user=acting_user, county=project.county, code=code, name=name, category=category,
                  year=year, villages=villages, planned_start=planned_start, planned_end=planned_end,
                  responsible_unit=responsible_unit, contact_phone=contact_phone, output_target=output_target,
                  benefit_target=benefit_target, mechanism=mechanism, beneficiaries=beneficiaries, project=project)
    village_rows, households = data.pop("village_rows"), data.pop("households")
    # Beneficiaries outside the editor's reach (none for a county admin in their county) stay as they were.
    hidden = list(project.beneficiaries.exclude(_reach_q(acting_user)))
    for field, value in data.items():
        setattr(project, field, value)
    try:
        project.save()
    except IntegrityError:  # another project took the code meanwhile
        raise ProjectError(_("本县已有项目编号为“%(code)s”的项目。") % {"code": data["code"]}) from None
    project.villages.set(village_rows)
    project.beneficiaries.set(households + hidden)
    return project


@transaction.atomic
def project_fund_set(*, acting_user, project_id: int, amounts: Mapping[str, object]) -> Project:
    """资金计划: the planned money per source (中央/省/市/县衔接资金, 其他); a source left out is unchanged,
    0 removes its plan. A plan never drops below what its source has already paid."""
    project = _locked(acting_user, project_id)
    if project.state not in EDITABLE:
        raise ProjectError(_("项目已%(state)s，不能再修改资金计划。") % {"state": project.get_state_display()})
    labels = dict(FundSource.choices)
    unknown = sorted(set(amounts) - set(labels))
    if unknown:
        raise ProjectError(_("不认识的资金来源：%(s)s") % {"s": "、".join(map(str, unknown))})
    spent = _spent(project)
    for source, raw in amounts.items():
        if raw is None or str(raw).strip() == "":
            continue
        amount = _money(raw, labels[source])
        if amount < spent.get(source, Decimal(0)):
            raise ProjectError(_("%(source)s已支出 %(spent)s 元，计划金额不能少于已支出金额。")
                               % {"source": labels[source], "spent": f"{spent[source]:,.2f}"})
        existing = project.funds.filter(source=source).first()
        if amount == 0 and source not in spent:
            if existing is not None:
                existing.delete()
        elif existing is None:
            ProjectFund.objects.create(project=project, source=source, amount=amount)
        elif existing.amount != amount:
            existing.amount = amount
            existing.save(update_fields=["amount"])
    return project


def _spent(project: Project) -> dict[str, Decimal]:
    return {row["source"]: row["total"] for row in
            project.spending.order_by().values("source").annotate(total=Sum("amount"))}


@transaction.atomic
def project_advance(*, acting_user, project_id: int, to_state: str, note: str = "") -> Project:
    """Move a project one step (入库 → 公示 → 实施 → 竣工 → 验收) or 终止 it before 竣工; never skip a state."""
    project = _locked(acting_user, project_id)
    if to_state not in ProjectState.values:
        raise ProjectError(_("不认识的项目状态。"))
    if to_state not in moves_from(project.state):
        allowed = "、".join(str(ProjectState(s).label) for s in moves_from(project.state)) or _("无")
        raise ProjectError(_("项目当前为“%(now)s”，不能改为“%(to)s”（下一步可为：%(allowed)s）。")
                           % {"now": project.get_state_display(), "to": ProjectState(to_state).label,
                              "allowed": allowed})
    note = _text(note, _("说明"), NOTE_MAX, required=to_state == ProjectState.CANCELLED)
    if to_state == ProjectState.PUBLICISED:
        if not project.villages.exists():
            raise ProjectError(_("请先填写实施村，再公示。"))
        if not project.funds.exists():
            raise ProjectError(_("请先填写资金计划，再公示。"))
    fields = ["state", "updated_at"]
    if to_state == ProjectState.COMPLETED:
        project.percent_complete = 100
        fields.append("percent_complete")
    project.state = to_state
    project.save(update_fields=fields)
    ProjectEvent.objects.create(project=project, state=to_state, note=note, actor=acting_user)
    return project


@transaction.atomic
def project_progress(*, acting_user, project_id: int, percent) -> Project:
    """形象进度: how far the works are, in percent, while the project is 实施."""
    project = _locked(acting_user, project_id)
    if project.state != ProjectState.UNDERWAY:
        raise ProjectError(_("只有实施中的项目才能填报形象进度。"))
    try:
        percent = int(str(percent).strip())
    except (TypeError, ValueError):
        percent = -1
    if not 0 <= percent <= 100:
        raise ProjectError(_("形象进度应为 0 到 100 之间的整数。"))
    project.percent_complete = percent
    project.save(update_fields=["percent_complete", "updated_at"])
    return project


@transaction.atomic
def spending_record(*, acting_user, project_id: int, source: str, paid_on: datetime.date, amount,
                    note: str = "") -> ProjectSpending:
    """资金支出: one payment from a source, never more than what is left of that source's plan."""
    project = _locked(acting_user, project_id)
    if project.state not in SPENDING_STATES:
        raise ProjectError(_("项目开始实施后才能登记资金支出。"))
    if source not in FundSource.values:
        raise ProjectError(_("请选择资金来源。"))
    label = FundSource(source).label
    amount = _money(amount, _("支出金额"))
    if amount <= 0:
        raise ProjectError(_("支出金额应大于 0。"))
    if not isinstance(paid_on, datetime.date):
        raise ProjectError(_("请填写支出日期。"))
    if paid_on > timezone.localdate():
        raise ProjectError(_("支出日期不能晚于今天。"))
    planned = project.funds.filter(source=source).values_list("amount", flat=True).first() or Decimal(0)
    spent = _spent(project).get(source, Decimal(0))
    if spent + amount > planned:
        raise ProjectError(_("%(source)s计划 %(planned)s 元，已支出 %(spent)s 元，本次最多还能支出 %(left)s 元。")
                           % {"source": label, "planned": f"{planned:,.2f}", "spent": f"{spent:,.2f}",
                              "left": f"{planned - spent:,.2f}"})
    return ProjectSpending.objects.create(project=project, source=source, paid_on=paid_on, amount=amount,
                                          note=_text(note, _("摘要"), 200), recorded_by=acting_user)
