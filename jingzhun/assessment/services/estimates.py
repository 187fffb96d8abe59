"""三率一度 of an assessment: its headquarters-approved questionnaires estimated (analytics.survey.estimate)
with the registry's counts, the fieldwork counts per state, the per-village survey results; and the
assessment closed by headquarters, after which its estimates are final.

Only cases in 评估组已审核 enter the estimates: a questionnaire not yet approved by headquarters is not a
finding. Weights are the design weights as drawn; a drawn household that was never approved counts as
non-response and is not reweighted for (the counts per state show how many there are).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.analytics.survey import estimate as est
from jingzhun.orgunits.permissions import may_survey, require
from jingzhun.policy import policy_pack_for

from ..models import Assessment, Case, SampledVillage, Staff
from ..selectors import assessment_get

#: States awaiting someone's review: an assessment is not closed over them.
AWAITING_REVIEW = (Case.State.COMPLETED, Case.State.SUPERVISOR_APPROVED)


@dataclass(frozen=True)
class AssessmentEstimates:
    """What the estimates page, the report and `jingzhun assess estimate` show of one assessment."""

    assessment: Assessment
    estimates: est.Estimates
    #: {Case.State value: households}, every state present (0 when none), in the states' order.
    states: dict[str, int]
    #: {Case.Frame value: households drawn}.
    frames: dict[str, int]
    approved: int
    drawn: int
    #: The registry's counts the incidence reads (persons), as of `as_of`.
    registry: dict[str, int]
    as_of: datetime.date
    #: Per sampled village: counts of its approved households (analytics.survey.estimate.per_village).
    villages: list[dict] = field(default_factory=list)
    final: bool = False

    def as_dict(self) -> dict:
        return {"assessment": self.assessment.pk, "county": self.assessment.county, "year": self.assessment.year,
                "kind": self.assessment.kind, "state": self.assessment.state, "final": self.final,
                "as_of": self.as_of.isoformat(), "drawn": self.drawn, "approved": self.approved,
                "states": self.states, "frames": self.frames, "registry": self.registry,
                "singleton_strata": self.estimates.singleton_strata, "vetoed": self.estimates.vetoed,
                "rates": {r.key: r.as_dict() for r in self.estimates.rates()}, "villages": self.villages}


def _thresholds(assessment: Assessment) -> dict[str, float]:
    """The county exit thresholds of the pack in force (percent there, shares here)."""
    rule = policy_pack_for(assessment.county, assessment.year).county_exit
    return {"wrong_exit_rate": float(rule.max_wrong_exit_rate) / 100, "missed_rate": float(rule.max_missed_rate) / 100,
            "approval": float(rule.min_approval) / 100, "incidence": float(rule.max_incidence) / 100}


def _registry(county: str, as_of: datetime.date) -> dict[str, int]:
    from jingzhun.indicators.services import indicators_compute

    values = indicators_compute(org=county, as_of=as_of)
    return {"remaining_poor": int(values.get("POP_POOR") or 0), "exited_persons": int(values.get("POP_EXITED") or 0),
            "rural_population": int(values.get("RURAL_POP") or 0)}


def surveyed_table(assessment: Assessment) -> pl.DataFrame:
    """The headquarters-approved cases of the assessment as the estimators' table (estimate.COLUMNS plus
    the guarantees' answers). A probability-frame case without a weight cannot be estimated from and is
    left out (it cannot happen to a drawn case)."""
    strata = dict(SampledVillage.objects.filter(assessment=assessment).values_list("village", "stratum__code"))
    rows = []
    for case in Case.objects.filter(assessment=assessment, state=Case.State.HQ_APPROVED).values(
            "village", "frame", "weight", "persons", "wrong_exit", "missed", "approves", "answers"):
        if case["frame"] != Case.Frame.SCREEN and case["weight"] is None:
            continue
        answers = case.pop("answers") or {}
        rows.append({**case, "stratum": strata.get(case["village"], ""),
                     **{k: answers.get(k) if isinstance(answers.get(k), bool) else None for k in est.GUARANTEES}})
    schema = {"stratum": pl.Utf8, "village": pl.Utf8, "frame": pl.Utf8, "weight": pl.Float64, "persons": pl.Int64,
              "wrong_exit": pl.Boolean, "missed": pl.Boolean, "approves": pl.Boolean,
              **{k: pl.Boolean for k in est.GUARANTEES}}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def assessment_estimates(assessment: Assessment, *, registry: dict[str, int] | None = None) -> AssessmentEstimates:
    """三率一度 with their uncertainty from the headquarters-approved cases (only them), the fieldwork
    counts per state, and per-village results. The registry counts are the county's as of today (as of
    the day it closed, for a closed assessment); `registry` stands in for them (tests, the CLI's --offline)."""
    final = assessment.state == Assessment.State.CLOSED
    as_of = timezone.localdate(assessment.closed_at) if final and assessment.closed_at else timezone.localdate()
    counts = dict(Case.objects.filter(assessment=assessment).values_list("state").annotate(n=Count("pk")))
    states = {s.value: counts.get(s.value, 0) for s in Case.State}
    frames = dict(Case.objects.filter(assessment=assessment).values_list("frame").annotate(n=Count("pk")))
    table = surveyed_table(assessment)
    registry = registry if registry is not None else _registry(assessment.county, as_of)
    estimates = est.estimate(table, thresholds=_thresholds(assessment), registry=registry)
    villages = est.per_village(table).to_dicts() if table.height else []
    return AssessmentEstimates(assessment=assessment, estimates=estimates, states=states, frames=frames,
                               approved=states[Case.State.HQ_APPROVED], drawn=sum(states.values()),
                               registry=registry, as_of=as_of, villages=villages, final=final)


def assessment_close(*, assessment_id: int, acting_user) -> Assessment:
    """结束评估: headquarters closes the fieldwork; no questionnaire may change after, so the estimates are
    final. Refused while a questionnaire awaits the supervisor's or headquarters' review."""
    require(may_survey(acting_user), _("只有第三方评估人员可以结束评估。"))
    assessment_get(acting_user, assessment_id)
    with transaction.atomic():
        # a supervisor approving a case while headquarters closes: the lock makes one of them wait
        assessment = Assessment.objects.select_for_update().get(pk=assessment_id)
        require(Staff.objects.filter(assessment=assessment, user_id=acting_user.pk,
                                     duty=Staff.Duty.HEADQUARTERS).exists(),
                _("只有本次评估的评估组可以结束评估。"))
        if assessment.state != Assessment.State.FIELDWORK:
            raise ValidationError(_("该评估不在调查阶段，不能结束。"))
        waiting = Case.objects.filter(assessment=assessment, state__in=AWAITING_REVIEW).count()
        if waiting:
            raise ValidationError(_("还有 %(n)d 户问卷等待审核，审核完毕后才能结束评估。") % {"n": waiting})
        if not Case.objects.filter(assessment=assessment, state=Case.State.HQ_APPROVED).exists():
            raise ValidationError(_("还没有评估组已审核的问卷，不能结束评估。"))
        assessment.state = Assessment.State.CLOSED
        assessment.closed_at = timezone.now()
        assessment._change_reason = _("评估组结束评估")
        assessment.save(update_fields=["state", "closed_at"])
    return assessment


# --- words: the page, the report and the exit pages say the same -------------------------------------------

def rate_label(key: str) -> str:
    return {"wrong_exit_rate": _("错退率"), "missed_rate": _("漏评率"), "approval": _("群众认可度"),
            "incidence": _("综合贫困发生率")}[key]


def method_words(method: str) -> str:
    return {est.TAYLOR: _("设计估计（分层整群抽样，泰勒线性化标准误，Korn–Graubard 区间）"),
            est.EXACT_ZERO: _("设计估计（未发现问题，精确区间：Clopper–Pearson 上界）"),
            est.PURPOSIVE: _("立意样本，仅供参考（简单比例，精确二项区间）"),
            est.DERIVED: _("登记数据加抽样估计推算（区间来自错退率）")}[method]


def verdict_words(verdict: str) -> str:
    return {est.PASS: _("达标"), est.FAIL: _("不达标"), est.UNDECIDED: _("无法判定（区间跨过阈值）"),
            est.NO_DATA: _("暂无数据")}[verdict]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.2f}%"


def confidence_words(rate: est.Rate) -> str:
    """"有 97.3% 的把握低于 2.00%" (or 高于 for 认可度); "—" without data."""
    if rate.confidence is None:
        return "—"
    words = _("有 %(p)s 的把握低于 %(t)s") if rate.below else _("有 %(p)s 的把握高于 %(t)s")
    return words % {"p": f"{100 * rate.confidence:.1f}%", "t": _pct(rate.threshold)}


def rate_rows(result: AssessmentEstimates) -> list[dict]:
    """One row per rate with every figure already in words (percent, 2 places)."""
    rows = []
    for rate in result.estimates.rates():
        rows.append({
            "key": rate.key, "label": rate_label(rate.key), "point": _pct(rate.point), "se": _pct(rate.se),
            "interval": "—" if rate.lower is None else _("%(lower)s ～ %(upper)s") % {"lower": _pct(rate.lower),
                                                                                     "upper": _pct(rate.upper)},
            "threshold": (_("低于 %(t)s") if rate.below else _("高于 %(t)s")) % {"t": _pct(rate.threshold)},
            "verdict": rate.verdict, "verdict_words": verdict_words(rate.verdict),
            "confidence": confidence_words(rate), "method": method_words(rate.method),
            "households": rate.households, "persons": rate.persons, "cases": rate.cases,
            "deff": None if rate.deff is None else f"{rate.deff:.2f}", "df": rate.df,
            "purposive": rate.method == est.PURPOSIVE})
    return rows


def village_rows(result: AssessmentEstimates) -> list[dict]:
    """Per sampled village: its name, households, 错退 households of the exited, approving households and
    "k / n" for each guarantee."""
    from jingzhun.orgunits.models import OrgUnit

    names = dict(OrgUnit.objects.filter(code__in=[v["village"] for v in result.villages]).values_list("code", "name"))
    rows = []
    for v in result.villages:
        rows.append({"village": v["village"], "name": names.get(v["village"], v["village"]),
                     "households": v["households"], "exited": v["exited"], "wrong_exit": v["wrong_exit"],
                     "approves": v["approves"],
                     "guarantees": [f"{v.get(f'{k}_met') or 0} / {v.get(f'{k}_asked') or 0}" for k in est.GUARANTEES]})
    return rows


def guarantee_labels() -> list[str]:
    return [_("吃穿不愁"), _("义务教育有保障"), _("基本医疗有保障"), _("住房安全有保障"), _("饮水安全有保障")]


def singleton_names(result: AssessmentEstimates) -> str:
    """The strata with a single sampled village, by their names (as the plan shows them), 、-joined."""
    names = dict(result.assessment.strata.values_list("code", "name"))
    return _("、").join(names.get(code, code) for code in result.estimates.singleton_strata)


def report_paragraphs(result: AssessmentEstimates) -> list[str]:
    """The report's body (公文 layout): the plan, the fieldwork counts, the estimates and verdicts."""
    a = result.assessment
    design = a.design or {}
    strata = list(a.strata.order_by("code").values_list("name", "villages_in_frame", "villages_drawn"))
    out = [_("%(title)s（%(kind)s，%(year)d 年度，被评估县 %(county)s）。%(state)s。")
           % {"title": a.title, "kind": a.get_kind_display(), "year": a.year, "county": a.county,
              "state": _("评估已结束，以下估计为最终结果") if result.final else _("评估尚在进行，以下估计为阶段结果")}]
    out.append(_("一、抽样设计。按层抽取样本村（与规模成比例的系统抽样），样本村内按抽样框（已脱贫户、未脱贫户、"
                 "监测对象）简单随机抽取样本户；高风险未建档户为立意筛查，不是概率样本。"))
    for name, in_frame, drawn in strata:
        out.append(_("%(name)s：框内 %(frame)d 个村，抽中 %(drawn)d 个村。") % {"name": name, "frame": in_frame,
                                                                       "drawn": drawn})
    out.append(_("随机种子 %(seed)s；抽样框基准日 %(as_of)s；抽样框摘要（SHA-256）%(sha)s。依据同一种子和抽样框可重新抽出同一样本。")
               % {"seed": a.seed, "as_of": a.frame_as_of.isoformat() if a.frame_as_of else "—",
                  "sha": a.frame_sha256 or "—"})
    if design.get("margin"):
        out.append(_("设计精度：目标误差 ±%(m)s。") % {"m": design.get("margin")})
    counts = _("，").join(_("%(state)s %(n)d 户") % {"state": Case.State(s).label, "n": n}
                      for s, n in result.states.items() if n)
    out.append(_("二、调查进度。共抽取样本户 %(drawn)d 户：%(counts)s。进入估计的只有评估组已审核的 %(n)d 户。")
               % {"drawn": result.drawn, "counts": counts or "—", "n": result.approved})
    out.append(_("三、估计结果（95% 置信区间）。"))
    for row in rate_rows(result):
        out.append(_("%(label)s：%(point)s，标准误 %(se)s，区间 %(interval)s，标准为%(threshold)s，结论：%(verdict)s"
                     "（%(confidence)s）。方法：%(method)s。")
                   % {**row, "verdict": row["verdict_words"]})
    registry = result.registry
    out.append(_("综合贫困发生率所用登记数据（截至 %(day)s）：剩余贫困人口 %(poor)d 人，已脱贫人口 %(exited)d 人，乡村户籍人口 %(pop)d 人。")
               % {"day": result.as_of.isoformat(), "poor": registry.get("remaining_poor", 0),
                  "exited": registry.get("exited_persons", 0), "pop": registry.get("rural_population", 0)})
    if result.estimates.singleton_strata:
        out.append(_("说明：%(strata)s 层只有一个样本村，其方差按与总均值的离差计算（保守）。")
                   % {"strata": singleton_names(result)})
    out.append(_("四、结论。错退率、漏评率、群众认可度任一项不达标即一票否决。%(words)s")
               % {"words": _("已有指标不达标，不能退出。") if result.estimates.vetoed
                  else _("未发现确定不达标的指标；“无法判定”的指标须结合区间审慎判断。")})
    return out
