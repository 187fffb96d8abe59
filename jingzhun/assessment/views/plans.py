"""Plan pages: the assessments in reach, a new plan, a plan's page (design, precision, strata, villages,
seed and frame digest), its draw, its staff and teams, the sample as Excel and the frame file.

Reads go through `selectors` (an assessment out of reach is a 404); writes through `services.plans`, whose
`may_plan_assessment` decides the buttons too. Townships, villages and helpers are refused the pages
(`may_read_assessments`): findings reach them as problem records.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jingzhun import cells
from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_plan_assessment, may_read_assessments, require
from jingzhun.workflows.common import attempt

from ..forms.plans import PlanForm, StaffForm
from ..models import Assessment, Case
from ..selectors import assessment_get, assessments_for
from ..selectors.imports import may_import_results
from ..selectors import plans as selectors
from ..services import plans as services
from ..services.plans import PlanError

READ_REFUSED = _("考核评估页面供县级及以上单位和第三方评估人员使用；乡镇、村通过问题整改接收评估发现的问题。")
PLAN_REFUSED = _("只有县级管理员和系统管理员可以制定考核评估方案、抽样和安排人员。")


def _readable(request) -> None:
    require(may_read_assessments(request.user), READ_REFUSED)


@login_required
def assessment_list(request):
    _readable(request)
    assessments = list(assessments_for(request.user).order_by("-year", "county", "-pk"))
    names = selectors.unit_names(a.county for a in assessments)
    for a in assessments:
        a.county_name = names.get(a.county, a.county)
    return render(request, "assessment/plan_list.html", {
        "assessments": assessments, "can_plan": may_plan_assessment(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request):
    _readable(request)
    require(may_plan_assessment(request.user), PLAN_REFUSED)
    prefix = access_for(request.user).prefix
    own_county = prefix if len(prefix) == 6 else ""
    form = PlanForm(request.POST or None, county=own_county)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, assessment = attempt(request, lambda: services.assessment_create(
            county=own_county or data["county"], year=data["year"], kind=data["kind"], title=data["title"],
            design=form.design(), seed=data["seed"], acting_user=request.user),
            _("评估方案已保存，请核对后抽样。"), form=form, errors=PlanError)
        if ok:
            return redirect("assessment:detail", assessment_id=assessment.pk)
    return render(request, "assessment/plan_form.html", {"form": form})


@login_required
def assessment_detail(request, assessment_id: int):
    _readable(request)
    assessment = assessment_get(request.user, assessment_id)
    planned, drawn = selectors.households_for_precision(assessment)
    try:
        design = services.design_clean(assessment.design)
        precision = services.precision(design, planned)
    except PlanError:  # a design stored before its checks: shown as it is, without the precision
        design, precision = assessment.design, []
    counts = selectors.frame_counts(assessment)
    per_stratum = design.get("villages_per_stratum")
    return render(request, "assessment/plan_detail.html", {
        "assessment": assessment, "county_name": selectors.unit_names([assessment.county]).get(assessment.county, ""),
        "design": design, "per_stratum_text": (_("、").join(f"{k}{_('：')}{v}" for k, v in per_stratum.items())
                                               if isinstance(per_stratum, dict) else per_stratum),
        "per_village": [(label, (design.get("per_village") or {}).get(f, 0))
                        for f, label in Case.Frame.choices if f != Case.Frame.SCREEN],
        "precision": precision, "drawn": drawn, "strata": assessment.strata.order_by("code"),
        "villages": selectors.sampled_villages(assessment) if drawn else [],
        "frame_labels": [label for _f, label in Case.Frame.choices],
        "counts": [(label, counts.get(f, 0)) for f, label in Case.Frame.choices if f != Case.Frame.SCREEN],
        "probability_total": sum(counts.get(f, 0) for f in services.FRAMES),
        "screen_count": counts.get(Case.Frame.SCREEN, 0),
        "can_plan": may_plan_assessment(request.user) and access_for(request.user).reaches_code(assessment.county),
        # the survey results import is for the assessment's headquarters and supervisors
        "may_import": may_import_results(request.user, assessment),
    })


@login_required
@require_http_methods(["GET", "POST"])
def assessment_draw(request, assessment_id: int):
    """抽样 (a POST from the plan's page; a planner's GET goes back to the page)."""
    _readable(request)
    assessment = assessment_get(request.user, assessment_id)
    require(may_plan_assessment(request.user), PLAN_REFUSED)
    if request.method != "POST":
        return redirect("assessment:detail", assessment_id=assessment.pk)
    attempt(request, lambda: services.assessment_draw(assessment_id=assessment.pk, acting_user=request.user),
            lambda done: _("已抽样：%(villages)d 个村，%(cases)d 户。") % {
                "villages": done.villages.count(), "cases": done.cases.count()}, errors=PlanError)
    return redirect("assessment:detail", assessment_id=assessment.pk)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_staff(request, assessment_id: int):
    _readable(request)
    assessment = assessment_get(request.user, assessment_id)
    can_plan = may_plan_assessment(request.user) and access_for(request.user).reaches_code(assessment.county)
    form = StaffForm(initial={"duty": "enumerator"})
    if request.method == "POST":
        require(may_plan_assessment(request.user), PLAN_REFUSED)
        if request.POST.get("action") == "teams":
            ok, _teams = attempt(request, lambda: services.teams_assign(assessment_id=assessment.pk,
                                                                        acting_user=request.user),
                                 lambda teams: _("已随机组成 %(n)d 个调查组并分配样本村。") % {"n": len(teams)},
                                 errors=PlanError)
            return redirect("assessment:staff", assessment_id=assessment.pk)
        form = StaffForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            person = get_user_model().objects.filter(username=data["username"]).first()
            if person is None:
                form.add_error("username", _("没有这个用户。"))
            else:
                ok, _staff = attempt(request, lambda: services.staff_add(
                    assessment_id=assessment.pk, user=person, duty=data["duty"], home_county=data["home_county"],
                    acting_user=request.user), _("已安排评估人员。"), form=form, errors=PlanError)
                if ok:
                    return redirect("assessment:staff", assessment_id=assessment.pk)
    return render(request, "assessment/plan_staff.html", {
        "assessment": assessment, "staff": selectors.staff_of(assessment), "teams": selectors.teams_of(assessment),
        "form": form, "can_plan": can_plan})


@login_required
def assessment_sample_xlsx(request, assessment_id: int):
    _readable(request)
    assessment = assessment_get(request.user, assessment_id)
    cases = Case.objects.filter(assessment=assessment).select_related("team").order_by("order")
    names = selectors.unit_names(cases.values_list("village", flat=True))
    columns = [cells.SheetColumn(title, kind) for title, kind in (
        (_("抽中顺序"), cells.INT), (_("村代码"), cells.TEXT), (_("村"), cells.TEXT), (_("抽样框"), cells.TEXT),
        (_("户编号"), cells.TEXT), (_("户主"), cells.TEXT), (_("筛查来源"), cells.TEXT), (_("设计权数"), cells.DECIMAL),
        (_("调查组"), cells.TEXT), (_("状态"), cells.TEXT))]
    rows = ((c.order, c.village, names.get(c.village, ""), c.get_frame_display(), c.household_id or "", c.head_name,
             c.screen_source, c.weight, c.team.name if c.team else "", c.get_state_display()) for c in cases)
    name = f"{_('样本户')}-{assessment.county}-{assessment.year}-{assessment.pk}.xlsx"
    response, count = cells.xlsx_response(name, _("样本户"), columns, rows)
    audit(request, AuditEvent.Action.EXPORT, name, count=count, what="assessment_sample", assessment=assessment.pk,
          format="xlsx", source="web")
    return response


@login_required
def assessment_frame(request, assessment_id: int):
    _readable(request)
    assessment = assessment_get(request.user, assessment_id)
    if not assessment.frame:
        messages.error(request, _("尚未抽样，没有抽样框文件。"))
        return redirect("assessment:detail", assessment_id=assessment.pk)
    name = f"{_('抽样框')}-{assessment.county}-{assessment.pk}-{assessment.frame_sha256[:12]}.parquet"
    audit(request, AuditEvent.Action.DOWNLOAD, name, what="assessment_frame", assessment=assessment.pk,
          sha256=assessment.frame_sha256, at=timezone.now().isoformat())
    return FileResponse(assessment.frame.open("rb"), as_attachment=True, filename=name,
                        content_type="application/vnd.apache.parquet")
