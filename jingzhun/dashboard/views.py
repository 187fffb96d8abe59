"""Decision dashboard (决策看板) pages: thin views over dashboard.selectors and the stored indicators."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.cache import cache
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from jingzhun import cells
from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun.indicators.bulletin import bulletin_docx, bulletin_paragraphs
from jingzhun.indicators.catalog import indicator_catalog
from jingzhun.indicators.models import IndicatorRefresh
from jingzhun.indicators.services import refresh_request
from jingzhun.monitoring.selectors import unit_lead_counts
from jingzhun.runs.reaper import reap_soon
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_refresh, may_view_unit_figures, require
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.registry import vocab

from . import charts as dashboard_charts
from . import selectors
from .forms import AtDateForm, BulletinForm

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: The columns of the child-units table on the page (the export has every indicator).
TABLE_INDICATORS = ("HH_REG", "POP_REG", "POP_POOR", "INCIDENCE", "HH_EXITED", "HH_RETURNED", "MED_INS_RATE",
                    "HELPER_COVERAGE")
#: Table counts that are exactly the households of one 脱贫状态 (and so can link to that list).
STATUS_COUNTS = {"HH_EXITED": "已脱贫", "HH_RETURNED": "返贫"}
INFRASTRUCTURE = ("ROAD_RATE", "BUS_RATE", "BROADBAND_RATE", "CLINIC_RATE", "CULTURE_RATE")


@login_required
@require_GET
def overview_home(request):
    access = access_for(request.user)
    require(may_view_unit_figures(access))
    if request.user.org_unit_id:
        return redirect("dashboard:overview", code=request.user.org_unit_id)
    if not access.active:
        raise PermissionDenied("no unit")
    provinces = OrgUnit.objects.filter(level=Level.PROVINCE).order_by("code")
    return render(request, "dashboard/province_list.html", {"provinces": provinces})


def _day(request):
    """The ?at= date asked for (None = latest), and the form to show (with its error if malformed)."""
    form = AtDateForm(request.GET or None)
    if request.GET.get("at") and form.is_valid():
        return form.cleaned_data["at"], form
    return None, form


#: Seconds a rendered overview body is reused (its figures are a stored refresh's; the open-problem count
#: may lag by this much).
BODY_SECONDS = 60


@login_required
@require_GET
def overview(request, code: str):
    """The overview: the scope is checked on every request; the body (figures, charts, table) is rendered
    once per refresh, unit, date, scope and language and reused for `BODY_SECONDS` — leaders of a county
    opening the same page do not each pay for it."""
    day, at_form = _day(request)
    unit = selectors.dashboard_unit_get(request.user, code)
    refresh = selectors.refresh_at(day)
    reap_soon()  # a refresh whose worker died must not show as 正在进行 for ever
    access = access_for(request.user)
    key = ":".join(["dashboard", code, str(day), access.prefix, access.role, translation.get_language() or "",
                    refresh.finished_at.isoformat() if refresh else "none"])
    body = cache.get(key)
    if body is None:
        body = render_to_string("dashboard/_overview_body.html", _overview_body(request.user, code, day))
        cache.set(key, body, BODY_SECONDS)
    ancestors = unit.ancestors()  # the breadcrumb links those the user may open
    return render(request, "dashboard/overview.html", {
        "unit": unit, "refresh": refresh, "day": day, "at_form": at_form, "body": body, "ancestors": ancestors,
        "at_query": f"?at={day:%Y-%m-%d}" if day else "",
        "unit_list_url": _list_url(request.user, unit),
        "pending": IndicatorRefresh.objects.filter(status__in=[IndicatorRefresh.Status.QUEUED,
                                                               IndicatorRefresh.Status.RUNNING]).first(),
        "may_refresh": may_refresh(request.user),
    })


def _list_url(user, unit) -> str | None:
    query = selectors.household_list_query(user, unit)
    return None if query is None else f"{reverse('registry:household_list')}?{query}"


def _overview_body(user, code: str, day) -> dict:
    """The context of the overview's body: cards, charts and the child-unit table of the stored refresh."""
    data = selectors.overview_get(user, code, day=day)
    unit, values = data.unit.unit, data.unit.values
    list_url = reverse("registry:household_list")
    query = selectors.household_list_query(user, unit)
    at_query = f"?at={day:%Y-%m-%d}" if day else ""

    def link(base: str, status: str) -> str | None:
        if query is None:
            return None
        return f"{base}?status={status}" + (f"&{query}" if query else "")

    hh_returned = values.get("HH_RETURNED")
    hh_poor_only = values["HH_POOR"] - hh_returned if values.get("HH_POOR") is not None and hh_returned is not None \
        else None
    catalog = indicator_catalog()
    cards = [
        # 建档立卡户数 / 建档立卡人口 under the catalog's names: the division pages show the same figures so
        {"id": "registered", "label": f"{catalog['HH_REG'].name_shown} / {catalog['POP_REG'].name_shown}",
         "value": fmt("HH_REG", values.get("HH_REG")), "extra": fmt("POP_REG", values.get("POP_REG")),
         "extra_n": values.get("POP_REG") or 0},
        {"id": "incidence", "label": _("贫困发生率"), "value": fmt("INCIDENCE", values.get("INCIDENCE"))},
        {"id": "pop-poor", "label": _("剩余贫困人口"), "value": fmt("POP_POOR", values.get("POP_POOR")),
         "url": link(list_url, vocab.REMAINING_POOR),
         "links": [{"label": _("未脱贫"), "value": fmt("HH_POOR", hh_poor_only), "n": hh_poor_only or 0,
                    "url": link(list_url, "未脱贫")},
                   {"label": _("返贫"), "value": fmt("HH_RETURNED", hh_returned), "n": hh_returned or 0,
                    "url": link(list_url, "返贫")}]},
        {"id": "exited", "label": _("已脱贫"), "value": fmt("HH_EXITED", values.get("HH_EXITED")),
         "url": link(list_url, "已脱贫"), "extra": fmt("POP_EXITED", values.get("POP_EXITED")),
         "extra_n": values.get("POP_EXITED") or 0},
        {"id": "returned", "label": _("返贫"), "value": fmt("HH_RETURNED", hh_returned),
         "url": link(list_url, "返贫")},
        {"id": "med-ins", "label": _("基本医疗保险参保率"), "value": fmt("MED_INS_RATE", values.get("MED_INS_RATE"))},
        {"id": "helper", "label": _("帮扶责任人覆盖率"), "value": fmt("HELPER_COVERAGE", values.get("HELPER_COVERAGE"))},
        {"id": "problems", "label": _("待整改问题（当前）"), "value": f"{data.open_problems:,}",
         "url": link(reverse("checks:problem_list"), "open")},
    ]
    leads = unit_lead_counts(code)
    if leads["total"]:
        lead_list = reverse("monitoring:lead_list")
        cards.insert(5, {
            "id": "leads", "label": _("待核实线索（当前）"), "value": f"{leads['pending']:,}",
            "url": f"{lead_list}?status=pending&unit={code}",
            "links": [{"label": _("已逾期"), "value": f"{leads['overdue']:,}", "n": leads["overdue"],
                       "url": f"{lead_list}?status=pending&overdue=1&unit={code}"},
                      {"label": _("已纳入"), "value": f"{leads['include']:,}", "n": leads["include"], "url": None}]})
    if values.get("MON_HH"):
        def monitored(extra: str = "") -> str | None:
            if query is None:
                return None
            return f"{list_url}?category=监测户{extra}" + (f"&{query}" if query else "")

        cards.insert(5, {
            "id": "monitoring", "label": _("防止返贫监测对象"), "value": fmt("MON_HH", values.get("MON_HH")),
            "url": monitored(), "extra": fmt("MON_POP", values.get("MON_POP")), "extra_n": values.get("MON_POP") or 0,
            "links": [{"label": _(label), "value": fmt(code, values.get(code)), "n": values.get(code) or 0,
                       "url": monitored(f"&monitoring_class={label}")}
                      for code, label in (("MON_UNSTABLE_HH", "脱贫不稳定户"), ("MON_EDGE_HH", "边缘易致贫户"),
                                          ("MON_SUDDEN_HH", "突发严重困难户"))]})
        cards.insert(6, {"id": "eliminated", "label": _("风险消除率"),
                         "value": fmt("MON_ELIMINATED_RATE", values.get("MON_ELIMINATED_RATE"))})
    assistance = _assistance_card(values)
    if assistance is not None:
        cards.append(assistance)
    rows = []
    for child in data.children:
        c = child.unit
        if c.level == Level.VILLAGE:
            village_query = selectors.household_list_query(user, c)
            url = f"{list_url}?{village_query}" if village_query is not None else None
        else:
            url = reverse("dashboard:overview", args=[c.code]) + at_query
        unit_query = selectors.household_list_query(user, c)
        # counts that are exactly one 脱贫状态 link to those households of the unit
        cells = [{"value": fmt(k, child.values.get(k)),
                  "url": f"{list_url}?status={STATUS_COUNTS[k]}&{unit_query}"
                  if k in STATUS_COUNTS and unit_query is not None else None} for k in TABLE_INDICATORS]
        rows.append({"unit": c, "url": url, "cells": cells})
    ranked = sorted((ch for ch in data.children if ch.values.get("INCIDENCE") is not None),
                    key=lambda ch: ch.values["INCIDENCE"], reverse=True)
    exits = values.get("EXITS_BY_YEAR", {})
    income = values.get("INCOME", {})
    trend = selectors.trend_get(user, code, until=data.refresh)
    trend_days = [f"{d:%m-%d}" for d, _v in trend]
    trend_series = [{"name": name, "code": code, "values": [v.get(code) for _d, v in trend]}
                    for code, name in (("POP_POOR", _("剩余贫困人口")), ("INCIDENCE", _("贫困发生率（%）")))]
    child_urls = [reverse("dashboard:overview", args=[ch.unit.code]) + at_query
                  if ch.unit.level != Level.VILLAGE else None for ch in ranked]
    built = {
        "children": dashboard_charts.horizontal_bars(
            title=_("下级单位贫困发生率（%）"), names=[ch.unit.short_name for ch in ranked],
            values=[ch.values["INCIDENCE"] for ch in ranked], percent=True,
            urls=child_urls if any(child_urls) else None),
        "exits": dashboard_charts.year_bars(title=_("各年度脱贫户数"), series=pgettext("count", "户"), names=list(exits),
                                            values=[e["households"] for e in exits.values()]),
        "causes": dashboard_charts.pie(title=_("主要致贫原因（户）"), names=[_(cause) for cause in values.get("CAUSES", {})],  # 致贫原因 values are their msgids
                                      
                                       values=list(values.get("CAUSES", {}).values())),
        "income": dashboard_charts.pie(title=_("建档立卡户收入结构（元）"), names=[_(source) for source in income],
                                       values=list(income.values())),
        # 风险类型 values are their msgids, as 致贫原因 are
        "risks": dashboard_charts.pie(title=_("监测对象风险类型（户，未消除风险）"),
                                      names=[_(risk) for risk in values.get("RISKS", {})],
                                      values=list(values.get("RISKS", {}).values())) if values.get("RISKS") else None,
        "measures": _measures_chart(values),
        "infrastructure": dashboard_charts.horizontal_bars(
            title=_("基础设施（%）"), names=[catalog[k].name_shown for k in INFRASTRUCTURE],
            values=[values.get(k) for k in INFRASTRUCTURE], percent=True, max_value=100),
        "trend": dashboard_charts.trend(title=_("剩余贫困人口与贫困发生率（按日）"), days=trend_days,
                                        series=trend_series),
    }
    charts = {name: json.dumps(chart, ensure_ascii=False) for name, chart in built.items() if chart is not None}
    # one day of figures is not a trend: its values are shown as figures, with the day
    trend_figure = [dict(s, value=fmt(s["code"], s["value"]))
                    for s in dashboard_charts.trend_figure(days=trend_days, series=trend_series)]
    return {
        "unit": unit, "refresh": data.refresh, "day": day, "cards": cards, "rows": rows,
        "headers": [catalog[k] for k in TABLE_INDICATORS], "has_data": bool(values),
        "charts": charts, "trend_figure": trend_figure, "trend_day": trend[-1][0] if trend else None,
    }


def _assistance_card(values: dict) -> dict | None:
    """帮扶: the share of 脱贫户 and 监测户 with a measure this year, and beside it the households without one,
    this quarter's visits, 小额信贷, 公益岗位 and (counties and above) fund execution. None for a unit with no
    household that receives help, or a refresh made before these figures existed."""
    if not values.get("ASST_BASE_HH"):
        return None
    notes = [
        _("无措施 %(n)s 户") % {"n": fmt("ASST_NO_MEASURE_HH", values.get("ASST_NO_MEASURE_HH"))},
        _("本季度走访 %(n)s 户，户均 %(per)s 次") % {"n": fmt("VISITED_Q_HH", values.get("VISITED_Q_HH")),
                                                "per": fmt("VISITS_PER_HH_Q", values.get("VISITS_PER_HH_Q"))},
        _("小额信贷 %(n)s 户，逾期 %(late)s 笔") % {"n": fmt("LOAN_HH", values.get("LOAN_HH")),
                                                 "late": fmt("LOAN_OVERDUE_N", values.get("LOAN_OVERDUE_N"))},
        _("公益岗位 %(n)s 人") % {"n": fmt("PUBLIC_POST_PERSONS", values.get("PUBLIC_POST_PERSONS"))},
    ]
    if values.get("FUND_RATE") is not None:
        notes.append(_("衔接资金执行率 %(rate)s") % {"rate": fmt("FUND_RATE", values.get("FUND_RATE"))})
    return {"id": "assistance", "label": _("帮扶（措施覆盖率）"), "value": fmt("ASST_COVERAGE", values.get("ASST_COVERAGE")),
            "notes": notes}


def _measures_chart(values: dict) -> dict | None:
    """Coverage per measure type (%), every type of the vocabulary in its order (0 where nobody has it)."""
    from jingzhun.assistance.vocab import measure_types

    if not values.get("ASST_BASE_HH"):
        return None
    counted = values.get("MEASURES") or {}
    types = measure_types()
    return dashboard_charts.horizontal_bars(
        title=_("帮扶措施覆盖率（按类型，%）"), names=[_(t.name) for t in types.values()],
        values=[(counted.get(code) or {}).get("rate") or 0.0 for code in types], percent=True, max_value=100)


@login_required
@require_GET
def overview_export(request, code: str):
    day, _form = _day(request)
    data = selectors.overview_get(request.user, code, day=day)
    rows = data.children or [data.unit]
    out = io.BytesIO()
    _write_overview_xlsx(out, rows)
    out.seek(0)
    audit(request, AuditEvent.Action.EXPORT, f"{code}-indicators.xlsx", count=len(rows), what="indicators", unit=code)
    stamp = f"{data.refresh.as_of:%Y%m%d}" if data.refresh else "none"
    return FileResponse(out, as_attachment=True, filename=f"{code}-{stamp}-indicators.xlsx",
                        content_type=XLSX_CONTENT_TYPE)


@login_required
@require_GET
def overview_json(request, code: str):
    """The stored indicators of a unit and its children, as JSON (the dashboard's API)."""
    day, _form = _day(request)
    data = selectors.overview_get(request.user, code, day=day)
    refresh = data.refresh
    audit(request, AuditEvent.Action.DOWNLOAD, f"{code}/indicators.json", count=1 + len(data.children),
          what="indicators")
    return JsonResponse({
        "org": code, "name": data.unit.unit.name,
        "refresh": None if refresh is None else {"id": refresh.pk, "as_of": refresh.as_of.isoformat(),
                                                  "finished_at": refresh.finished_at.isoformat()},
        "values": data.unit.values, "open_problems": data.open_problems,
        "children": {c.unit.code: c.values for c in data.children},
    }, json_dumps_params={"ensure_ascii": False})


def _bulletin(request, code: str):
    """The unit, its refresh and the bulletin paragraphs (with the change since ?since= when chosen)."""
    data = selectors.overview_get(request.user, code)
    earlier = selectors.refreshes_before(data.refresh) if data.refresh else []
    form = BulletinForm(request.GET or None, earlier=earlier,
                        issuer_hint=_("如：%(unit)s乡村振兴局") % {"unit": data.unit.unit.name})
    valid = bool(request.GET) and form.is_valid()
    since = form.cleaned_data["since"] if valid else None
    paragraphs = []
    if data.refresh is not None and data.unit.values:
        earlier_refresh = next((r for r in earlier if r.pk == since), None)
        paragraphs = bulletin_paragraphs(
            unit_name=data.unit.unit.name, code=code, as_of=data.refresh.as_of, values=data.unit.values,
            earlier=selectors.unit_values(earlier_refresh, code) if earlier_refresh else None,
            earlier_date=earlier_refresh.as_of if earlier_refresh else None)
    return data, form, paragraphs


def _issuer(form) -> str:
    """The 红头's issuing organ asked for (blank: no 红头; a bad form: none either)."""
    return form.cleaned_data.get("issuer", "").strip() if form.is_bound and form.is_valid() else ""


@login_required
@require_GET
def bulletin(request, code: str):
    data, form, paragraphs = _bulletin(request, code)
    return render(request, "dashboard/bulletin.html", {
        "unit": data.unit.unit, "refresh": data.refresh, "form": form, "paragraphs": paragraphs,
        "title": _("%(unit)s脱贫攻坚工作简报") % {"unit": data.unit.unit.name}, "query": request.GET.urlencode(),
        "issuer": _issuer(form),
    })


@login_required
@require_GET
def bulletin_download(request, code: str):
    data, form, paragraphs = _bulletin(request, code)
    if not paragraphs:
        messages.error(request, _("本单位还没有可用的指标数据，无法生成简报。"))
        return redirect("dashboard:bulletin", code=code)
    title = _("%(unit)s脱贫攻坚工作简报") % {"unit": data.unit.unit.name}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bulletin.docx"
        bulletin_docx(paragraphs, title=title, path=path, issuer=_issuer(form))
        content = path.read_bytes()
    audit(request, AuditEvent.Action.DOWNLOAD, f"{code}-简报.docx", count=len(paragraphs), what="bulletin", unit=code)
    return FileResponse(io.BytesIO(content), as_attachment=True, content_type=DOCX_CONTENT_TYPE,
                        filename=f"{code}-{data.refresh.as_of:%Y%m%d}-简报.docx")


@login_required
def refresh_start(request, code: str):
    """立即更新: queue a refresh of every unit (county admins and sysadmins); POST only."""
    selectors.dashboard_unit_get(request.user, code)  # scope first: a unit out of reach is 404 to any method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    refresh = refresh_request(acting_user=request.user)
    if refresh is None:
        messages.info(request, _("已有一次指标更新在排队，完成后本页数据会自动更新。"))
    else:
        messages.success(request, _("已开始更新指标，几分钟后刷新本页即可看到新数据。"))
    return redirect("dashboard:overview", code=code)


def _write_overview_xlsx(out, rows: list[selectors.UnitFigures]) -> None:
    """Units as rows, every indicator of the catalog as a column headed by its Chinese name and unit."""
    import xlsxwriter

    catalog = indicator_catalog()
    formats = {"%": "0.00", "元": "#,##0.00", "次": "#,##0.00"}
    columns = [cells.SheetColumn(_("代码")), cells.SheetColumn(_("名称"))] + [
        cells.SheetColumn(i.heading, cells.DECIMAL, formats.get(i.unit, "#,##0")) for i in catalog.values()]
    book = xlsxwriter.Workbook(out, {"strings_to_numbers": False, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    try:
        cells.SheetWriter(book).write(
            _("指标"), columns, ([f.unit.code, f.unit.name, *(f.values.get(code) for code in catalog)] for f in rows),
            freeze_columns=2)
    finally:
        book.close()


def fmt(code: str, value) -> str:
    """An indicator value as shown: rates with 2 decimals and %, money with 2 decimals, counts with separators."""
    if value is None:
        return "—"
    unit = indicator_catalog()[code].unit
    if unit == "%":
        return f"{value:.2f}%"
    if unit == "元":
        return f"{value:,.2f}"
    if unit == "次":  # a count of visits, or visits per household (a ratio)
        return f"{value:,.2f}" if isinstance(value, float) and not value.is_integer() else f"{int(value):,}"
    return f"{int(value):,}"
