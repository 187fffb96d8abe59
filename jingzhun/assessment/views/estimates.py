"""三率一度 pages: the estimates of an assessment (with their uncertainty), its report (.docx, 公文 layout)
and 结束评估 by headquarters. Reads through `selectors.assessment_get` (an assessment out of reach is a 404);
the estimates through `services.estimates`."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun.indicators.gongwen import gongwen_docx
from jingzhun.orgunits.permissions import may_survey, require
from jingzhun.policy import PolicyPackError

from ..models import Assessment, Case, Staff
from ..selectors import assessment_get, assessments_for, duty_of
from ..services import estimates as services

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _estimates(request, assessment: Assessment):
    try:
        return services.assessment_estimates(assessment)
    except PolicyPackError:
        messages.error(request, _("政策包设置有误，暂不能计算估计值。请联系系统管理员检查政策包。"))
        return None


def _chart(result) -> dict | None:
    """The rates judged against an upper limit (错退率, 漏评率, 综合贫困发生率), in percent, for the chart;
    认可度 (near 100%) is left to the table. None when none has data."""
    rates = [r for r in result.estimates.rates() if r.below and r.lower is not None]
    if not rates:
        return None
    return {"labels": [services.rate_label(r.key) for r in rates],
            "lower": [round(100 * r.lower, 3) for r in rates],
            "width": [round(100 * (r.upper - r.lower), 3) for r in rates],
            "point": [round(100 * r.point, 3) for r in rates],
            "threshold": [round(100 * r.threshold, 3) for r in rates],
            "names": {"interval": _("95% 置信区间"), "point": _("估计值"), "threshold": _("标准")}}


@login_required
def estimates(request, assessment_id: int):
    assessment = assessment_get(request.user, assessment_id)
    result = _estimates(request, assessment)
    context = {"assessment": assessment, "result": result,
               "can_close": assessment.state == Assessment.State.FIELDWORK and may_survey(request.user)
               and duty_of(request.user, assessment) == Staff.Duty.HEADQUARTERS}
    if result is not None:
        context.update(rates=services.rate_rows(result), villages=services.village_rows(result),
                       guarantee_labels=services.guarantee_labels(),
                       singleton_strata=services.singleton_names(result),
                       chart=_chart(result),
                       states=[(label, result.states[value]) for value, label in
                               assessment.cases.model.State.choices])
    return render(request, "assessment/estimates.html", context)


@login_required
def report(request, assessment_id: int):
    """The report as a Word document in the 公文 layout (indicators.gongwen), audited like every download."""
    assessment = assessment_get(request.user, assessment_id)
    result = _estimates(request, assessment)
    if result is None:
        return redirect("assessment:estimates", assessment_id=assessment.pk)
    paragraphs = services.report_paragraphs(result)
    title = _("%(title)s评估报告") % {"title": assessment.title}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.docx"
        gongwen_docx(title=title, paragraphs=paragraphs, path=path)
        content = path.read_bytes()
    name = f"{assessment.county}-{assessment.year}-{_('评估报告')}.docx"
    audit(request, AuditEvent.Action.DOWNLOAD, name, count=result.approved, what="assessment_report",
          assessment=assessment.pk)
    return FileResponse(io.BytesIO(content), as_attachment=True, content_type=DOCX_CONTENT_TYPE, filename=name)


@login_required
def close(request, assessment_id: int):
    """结束评估 (POST, headquarters of the assessment). Reach and duty are checked before the method, so a
    GET tells an outsider no more than a POST would."""
    require(may_survey(request.user), _("只有第三方评估人员可以结束评估。"))
    assessment = assessment_get(request.user, assessment_id)
    require(duty_of(request.user, assessment) == Staff.Duty.HEADQUARTERS, _("只有本次评估的评估组可以结束评估。"))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.assessment_close(assessment_id=assessment.pk, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("评估已结束，估计结果为最终结果。"))
    return redirect("assessment:estimates", assessment_id=assessment.pk)


# --- the exit evaluation pages' questions (jingzhun.workflows.signals), connected in AssessmentConfig.ready ---

def county_exit_figures(sender, *, county: str, year: int, user, **kwargs) -> dict | None:
    """The county exit page's 三率一度 from the county's latest 退出评估 of that year in the user's reach
    (with a headquarters-approved case), in percent, each with its interval, verdict and confidence."""
    assessment = (assessments_for(user).filter(county=county, year=year, kind=Assessment.Kind.EXIT,
                                               cases__state=Case.State.HQ_APPROVED)
                  .distinct().order_by("-closed_at", "-id").first())
    if assessment is None:
        return None
    try:
        result = services.assessment_estimates(assessment)
    except PolicyPackError:
        return None
    figures: dict = {"details": {}, "assessment": assessment.pk}
    for row, rate in zip(services.rate_rows(result), result.estimates.rates(), strict=True):
        if rate.point is None:
            continue
        figures[rate.key] = round(100 * rate.point, 2)
        figures["details"][rate.key] = (
            _("立意样本，仅供参考：%(title)s，95%% 区间 %(interval)s，%(verdict)s，%(n)d 户")
            if row["purposive"] else
            _("第三方评估（抽样估计）：%(title)s，95%% 区间 %(interval)s，%(verdict)s（%(confidence)s），%(n)d 户")) % {
            "title": assessment.title, "interval": row["interval"], "verdict": row["verdict_words"],
            "confidence": row["confidence"], "n": row["households"]}
    return figures


def village_survey_results(sender, *, village: str, year: int, user, **kwargs) -> dict | None:
    """The village exit page's survey results: among the village's headquarters-approved sampled households
    of the latest assessment of that year in the user's reach, how many meet each of 两不愁三保障 and safe
    water, how many exited ones were wrongly exited, how many approve. Counts of a few households: a survey
    result for the village, not a rate of it."""
    from jingzhun.analytics.survey.estimate import GUARANTEES, PROBABILITY_FRAMES
    from jingzhun.workflows.evaluation import FAIL, NO_DATA, PASS, Criterion

    approved = Case.objects.filter(village=village, state=Case.State.HQ_APPROVED, frame__in=PROBABILITY_FRAMES)
    assessment = (assessments_for(user).filter(year=year, pk__in=approved.values("assessment_id"))
                  .order_by("-id").first())
    if assessment is None:
        return None
    cases = list(approved.filter(assessment=assessment).values("frame", "wrong_exit", "approves", "answers"))
    rows = []
    for key, label in zip(GUARANTEES, services.guarantee_labels(), strict=True):
        asked = [c["answers"].get(key) for c in cases if isinstance((c["answers"] or {}).get(key), bool)]
        met = sum(asked)
        rows.append(Criterion(f"survey_{key}", label, NO_DATA if not asked else PASS if met == len(asked) else FAIL,
                              _("抽样调查：%(n)d 户中 %(k)d 户达标") % {"n": len(asked), "k": met}))
    exited = [c for c in cases if c["frame"] == Case.Frame.EXITED]
    wrong = sum(1 for c in exited if c["wrong_exit"])
    rows.append(Criterion("survey_wrong_exit", _("错退"), NO_DATA if not exited else PASS if not wrong else FAIL,
                          _("抽样调查：已脱贫样本户 %(n)d 户中错退 %(k)d 户") % {"n": len(exited), "k": wrong}))
    approving = sum(1 for c in cases if c["approves"])
    rows.append(Criterion("survey_approval", _("群众认可度"), PASS if approving * 10 >= len(cases) * 9 else FAIL,
                          _("抽样调查：%(n)d 户中 %(k)d 户认可") % {"n": len(cases), "k": approving}))
    return {"title": _("抽样调查结果（%(title)s）") % {"title": assessment.title},
            "note": _("第三方评估在本村抽中的样本户（评估组已审核）的调查结果，只代表样本户，不是全村的统计。"),
            "criteria": rows, "url": reverse("assessment:estimates", args=[assessment.pk])}
