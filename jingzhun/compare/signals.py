"""What accepted matches mean: problem records (问题数据) with the comparison's own rule codes.

BD01 death record for a 正常 member (asks for the 人员变更 procedure); BD02–BD06 and BD09 一比对 exclusion
signals (category 部门比对); BD07, BD08 not insured (三保障). Thresholds and switches come from the policy
pack of the member's county and the current year (`[comparison]`: car_price_min, excluded_house_types,
company_roles, state_paid_staff, village_cadre). A kind's run reconciles only its own rule code, so
the data-quality checks' problems are never touched, and a signal that no longer holds is closed.
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation

import pyarrow as pa
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jingzhun.checks.models import CheckRun
from jingzhun.checks.services import _reconcile, _record_counts
from jingzhun.policy import policy_pack_for
from jingzhun.registry.models import Member

from .kinds import PASSENGER_VEHICLE_TYPES, DatasetKind
from .models import CompareRun, Match


@functools.lru_cache(maxsize=64)
def _comparison_policy(county: str, year: int):
    return policy_pack_for(county, year).comparison


def _money(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def signal_message(kind: DatasetKind, extra: dict, member: dict, policy, *, source: str) -> str | None:
    """The problem text for one accepted match, or None when the match raises nothing under the policy."""
    code = kind.code
    where = _("（%(source)s数据）") % {"source": source}
    if code == "death":
        if member["status"] != "正常":
            return None
        return _("部门比对：死亡人口数据记载该成员已于 %(date)s 死亡，但人员状态仍为正常，请办理人员变更（死亡）手续") % {
            "date": extra.get("死亡日期", "")} + where
    if code == "staff":
        if not policy.state_paid_staff:
            return None
        return _("部门比对：该成员为财政供养人员（%(unit)s%(post)s），请核实识别是否精准") % {
            "unit": extra.get("单位", ""), "post": f"，{extra['岗位']}" if extra.get("岗位") else ""} + where
    if code == "cadre":
        if not policy.village_cadre:
            return None
        return _("部门比对：该成员为村干部（%(post)s），请核实识别是否精准") % {"post": extra.get("职务", "")} + where
    if code == "vehicle":
        price = _money(extra.get("购置价格"))
        if extra.get("车辆类型") not in PASSENGER_VEHICLE_TYPES or price is None or price <= policy.car_price_min:
            return None
        return _("部门比对：该成员名下有乘用车（%(type)s %(plate)s，购置价格 %(price)s 元，超过 %(min)s 元），请核实") % {
            "type": extra.get("车辆类型"), "plate": extra.get("号牌号码", ""), "price": price,
            "min": policy.car_price_min} + where
    if code == "company":
        if extra.get("角色") not in policy.company_roles:
            return None
        return _("部门比对：该成员是%(company)s的%(role)s，请核实识别是否精准") % {
            "company": extra.get("企业名称", ""), "role": extra.get("角色")} + where
    if code == "property":
        if extra.get("房屋类型") not in policy.excluded_house_types:
            return None
        return _("部门比对：该成员名下有%(type)s（%(location)s），请核实识别是否精准") % {
            "type": extra.get("房屋类型"), "location": extra.get("坐落", "")} + where
    if code in ("medical", "pension"):
        if extra.get("参保状态") == "参保":
            return None
        what = _("基本医疗保险") if code == "medical" else _("基本养老保险")
        return _("部门比对：%(year)s 年度%(what)s参保状态为“%(state)s”，请督促参保（三保障）") % {
            "year": extra.get("年度", ""), "what": what, "state": extra.get("参保状态", "")} + where
    if code == "assistance":
        category = extra.get("类别")
        if extra.get("结束日期") and extra["结束日期"] < timezone.localdate().isoformat():
            return None
        if (category == "低保" and member["dibao"]) or (category == "特困" and member["tekun"]):
            return None
        return _("部门比对：民政数据显示该成员享受%(category)s，与建档立卡信息不一致，请核实") % {"category": category} + where
    return None


def signals_raise(*, run: CompareRun, kind: DatasetKind, org: str) -> int:
    """Bring the problems of the kind's rule under `org` in line with the run's accepted matches."""
    year = timezone.localdate().year
    accepted = list(run.matches.filter(status__in=[Match.Status.AUTO, Match.Status.ACCEPTED])
                    .select_related("record__batch"))
    if kind.code in ("medical", "pension"):
        # the latest year's record of each member decides
        latest: dict[int, Match] = {}
        for m in accepted:
            year_of = str(m.record.extra.get("年度", ""))
            if m.member_id not in latest or year_of > str(latest[m.member_id].record.extra.get("年度", "")):
                latest[m.member_id] = m
        accepted = list(latest.values())
    members = {m["id"]: m for m in Member.objects.filter(pk__in=[m.member_id for m in accepted])
               .values("id", "status", "dibao", "tekun")}
    rows = []
    for match in accepted:
        member = members.get(match.member_id)
        if member is None:
            continue
        policy = _comparison_policy(match.village[:6], year)
        # the ledger keeps its text in the site's language, whoever's request raised it
        with translation.override(settings.LANGUAGE_CODE):
            message = signal_message(kind, match.record.extra, member, policy, source=match.record.batch.source)
        if message:
            rows.append({"rule": kind.signal_rule, "household": match.household, "person": match.person,
                         "org": match.village, "message": message})
    findings = pa.Table.from_pylist(rows, schema=pa.schema([("rule", pa.string()), ("household", pa.string()),
                                                            ("person", pa.string()), ("org", pa.string()),
                                                            ("message", pa.string())]))
    check_run = CheckRun.objects.create(org=org, as_of=timezone.localdate(), rules=[kind.signal_rule],
                                        triggered_by=run.triggered_by, status=CheckRun.Status.DONE,
                                        finished_at=timezone.now(), found=findings.num_rows)
    opened, closed = _reconcile(check_run, findings, org=org, codes=[kind.signal_rule])
    _record_counts(check_run, org=org, codes=[kind.signal_rule])
    CheckRun.objects.filter(pk=check_run.pk).update(opened=opened, closed=closed)
    return findings.num_rows
