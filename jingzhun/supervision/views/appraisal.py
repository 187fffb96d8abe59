"""考评 pages: the year's live scores of a county with the data behind each item and the ranking (county
level and above), publishing them (the county admin), the published results (also the appraised
townships and departments of the county), and the 绩效考评情况通报 (.docx).

Reads go through selectors.scores (appraisals_for, appraisal_get, may_see_live_scores); writes through
services.appraisal."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext as _

from jingzhun.accounts.audit import audit
from jingzhun.indicators.catalog import UNIT_CONTEXT
from jingzhun.accounts.models import AuditEvent
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import OrgUnit
from jingzhun.orgunits.permissions import may_appraise, may_read_appraisals, require

from ..selectors import agencies_for
from ..selectors.scores import appraisal_get, appraisals_for, may_see_live_scores
from ..services import appraisal as services

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
COUNTY_LENGTH = 6
#: How many published appraisals the page lists (newest first).
PUBLISHED_SHOWN = 50


def _data_words() -> dict[str, str]:
    """The words for the keys of an item's data (services.appraisal._inputs)."""
    return {"indicator": _("指标代码"), "name": _("指标"), "unit": _("单位"), "refresh_as_of": _("指标基准日"),
            "letter_target": _("目标责任书目标值"), "measure": _("计分依据"), "due": _("到期事项"),
            "closed_on_time": _("按期销号"), "closed_late": _("逾期销号"), "open_overdue": _("逾期未销号"),
            "overdue_30": _("逾期超过30天"), "overdue": _("逾期事项"), "on_time_rate": _("按期销号率（%）"),
            "closed_rate": _("销号率（%）"), "as_of": _("统计截至"), "assessments": _("考核评估编号"),
            "villages": _("样本村"), "households": _("调查户数"), "exited": _("已脱贫样本户"),
            "wrong_exits": _("错退户"), "approves": _("认可户"), "wrong_exit_rate": _("错退率（%）"),
            "approval": _("认可度（%）"), "note": _("评分说明"), "scored_by": _("评分人")}


def _shown(data: dict) -> list[tuple[str, str]]:
    words = _data_words()
    out = []
    for key, value in (data or {}).items():
        if value is None or value == "" or value == []:
            value = "—"
        elif isinstance(value, list):
            value = _("、").join(str(v) for v in value)
        elif key == "name":  # the indicator's name: catalog data with its translation
            value = gettext(value)
        elif key == "unit":
            value = pgettext(UNIT_CONTEXT, value)
        out.append((words.get(key, key), str(value)))
    return out


def _tip(data: dict) -> str:
    """The data behind an item as one line, for the hover on its points."""
    return _("；").join(_("%(key)s：%(value)s") % {"key": k, "value": v} for k, v in _shown(data))


def _groups(results: dict) -> list[dict]:
    """Results (as frozen or live) laid out for the table: each row's items with their data as words."""
    groups = []
    for group in results["groups"]:
        rows = []
        for row in group["rows"]:
            items = [{**item, "tip": _tip(item.get("data"))}
                     for item in row["items"]]
            deductions = [{**d, "tip": _tip(d.get("data"))} for d in row["deductions"]]
            rows.append({**row, "items": items, "deductions_shown": deductions})
        groups.append({**group, "rows": rows, "sentences": services.group_sentences(group)})
    return groups


def _counties(user) -> list[OrgUnit]:
    """The counties the user may pick: their own, or those in reach that keep a ledger (have units)."""
    access = access_for(user)
    if len(access.prefix) >= COUNTY_LENGTH:
        return list(OrgUnit.objects.filter(code=access.prefix[:COUNTY_LENGTH]))
    codes = agencies_for(user).values_list("county_id", flat=True).distinct()
    return list(OrgUnit.objects.filter(code__in=codes).order_by("code"))


def _year(text: str | None) -> tuple[int, str]:
    """(year, error message or "") from the query string; this year when absent or wrong."""
    this_year = timezone.localdate().year
    if not text:
        return this_year, ""
    try:
        year = int(text)
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        return this_year, _("年度应为 2000 到 2100 之间的四位数字，已改为显示本年度。")
    return year, ""


@login_required
def appraisal_index(request):
    """考评: pick a county and a year; live scores (county level and above), publish, published results."""
    require(may_read_appraisals(request.user), _("您的角色不能查看考评结果。"))
    counties = _counties(request.user)
    year, year_error = _year(request.GET.get("year"))
    wanted = request.GET.get("county") or ""
    county = next((c for c in counties if c.code == wanted), counties[0] if len(counties) == 1 else None)
    if wanted and county is None:
        messages.error(request, _("所选的县不在您的范围内，或尚未建立督查督办单位。"))
    context = {"counties": counties, "county": county, "year": year, "year_error": year_error,
               "live": None, "error": "", "can_publish": False}
    published = appraisals_for(request.user).select_related("county", "published_by")
    if county is not None:
        published = published.filter(county=county)
        if may_see_live_scores(request.user, county.code):
            try:
                scores = services.appraisal_live(user=request.user, county=county.code, year=year)
            except services.AppraisalError as error:
                context["error"] = error.message
            else:
                results = scores.results()
                context.update(live=results, groups=_groups(results), refresh=scores.refresh)
                access = access_for(request.user)
                context["can_publish"] = may_appraise(access) and access.reaches_code(county.code)
    context["published"] = list(published.order_by("-year", "-published_at")[:PUBLISHED_SHOWN])
    return render(request, "supervision/appraisal_index.html", context)


@login_required
def appraisal_publish(request):
    """发布 (POST, the county admin): freeze the live scores; then the published result's page."""
    require(may_appraise(request.user), _("只有县级管理员可以发布考评结果。"))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    county = request.POST.get("county") or ""
    year, year_error = _year(request.POST.get("year") or "x")
    back = reverse("supervision:appraisal") + "?" + urlencode({"county": county, "year": request.POST.get("year", "")})
    if year_error:
        messages.error(request, year_error)
        return redirect(back)
    try:
        appraisal = services.appraisal_publish(acting_user=request.user, county=county, year=year)
    except services.AppraisalError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(request, _("%(year)d年度考评结果已发布。") % {"year": year})
    return redirect("supervision:appraisal_detail", appraisal_id=appraisal.pk)


@login_required
def appraisal_detail(request, appraisal_id: int):
    """A published appraisal: the ranking of each group with each item's points and the data behind them."""
    appraisal = appraisal_get(request.user, appraisal_id)
    return render(request, "supervision/appraisal_detail.html",
                  {"appraisal": appraisal, "results": appraisal.results, "groups": _groups(appraisal.results)})


@login_required
def appraisal_report(request, appraisal_id: int):
    """The 绩效考评情况通报 of a published appraisal (.docx, 公文 layout), audited like every download."""
    appraisal = appraisal_get(request.user, appraisal_id)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.docx"
        services.appraisal_docx(results=appraisal.results, path=path)
        content = path.read_bytes()
    name = f"{appraisal.county_id}-{appraisal.year}-{_('绩效考评情况通报')}.docx"
    rows = sum(len(g["rows"]) for g in appraisal.results.get("groups", []))
    audit(request, AuditEvent.Action.DOWNLOAD, name, count=rows, what="appraisal_report", appraisal=appraisal.pk)
    return FileResponse(io.BytesIO(content), as_attachment=True, content_type=DOCX_CONTENT_TYPE, filename=name)
