"""Decision dashboard (决策看板) pages: thin views over dashboard.selectors."""

from __future__ import annotations

import io
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.indicators.catalog import indicator_catalog
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import Level, OrgUnit

from . import selectors

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The columns of the child-units table on the page (the export has every indicator).
TABLE_INDICATORS = ("HH_REG", "POP_REG", "POP_POOR", "INCIDENCE", "HH_EXITED", "HH_RETURNED", "MED_INS_RATE",
                    "HELPER_COVERAGE")
INFRASTRUCTURE = ("ROAD_RATE", "BUS_RATE", "BROADBAND_RATE", "CLINIC_RATE", "CULTURE_RATE")


@login_required
def overview_home(request):
    access = access_for(request.user)
    if access.cadre_only:
        raise PermissionDenied("a unit's figures are beyond a cadre's households")
    if request.user.org_unit_id:
        return redirect("dashboard:overview", code=request.user.org_unit_id)
    if not access.active:
        raise PermissionDenied("no unit")
    provinces = OrgUnit.objects.filter(level=Level.PROVINCE).order_by("code")
    return render(request, "dashboard/province_list.html", {"provinces": provinces})


@login_required
def overview(request, code: str):
    data = selectors.overview_get(request.user, code, as_of=timezone.localdate())
    unit, values = data.unit.unit, data.unit.values
    list_url = reverse("registry:household_list")
    query = selectors.household_list_query(request.user, unit)

    def link(status: str) -> str | None:
        if query is None:
            return None
        return f"{list_url}?status={status}" + (f"&{query}" if query else "")

    hh_returned = values.get("HH_RETURNED")
    hh_poor_only = values["HH_POOR"] - hh_returned if values.get("HH_POOR") is not None and hh_returned is not None \
        else None
    cards = [
        {"id": "incidence", "label": _("贫困发生率"), "value": fmt("INCIDENCE", values.get("INCIDENCE"))},
        {"id": "pop-poor", "label": _("剩余贫困人口"), "value": fmt("POP_POOR", values.get("POP_POOR")),
         "links": [{"label": _("未脱贫"), "value": fmt("HH_POOR", hh_poor_only), "url": link("未脱贫")},
                   {"label": _("返贫"), "value": fmt("HH_RETURNED", hh_returned), "url": link("返贫")}]},
        {"id": "exited", "label": _("已脱贫"), "value": fmt("HH_EXITED", values.get("HH_EXITED")),
         "url": link("已脱贫"), "extra": fmt("POP_EXITED", values.get("POP_EXITED"))},
        {"id": "returned", "label": _("返贫"), "value": fmt("HH_RETURNED", hh_returned), "url": link("返贫")},
        {"id": "med-ins", "label": _("基本医疗保险参保率"), "value": fmt("MED_INS_RATE", values.get("MED_INS_RATE"))},
        {"id": "helper", "label": _("帮扶责任人覆盖率"), "value": fmt("HELPER_COVERAGE", values.get("HELPER_COVERAGE"))},
    ]
    catalog = indicator_catalog()
    rows = []
    for child in data.children:
        c = child.unit
        if c.level == Level.VILLAGE:
            village_query = selectors.household_list_query(request.user, c)
            url = f"{list_url}?{village_query}" if village_query is not None else None
        else:
            url = reverse("dashboard:overview", args=[c.code])
        rows.append({"unit": c, "url": url, "cells": [fmt(k, child.values.get(k)) for k in TABLE_INDICATORS]})
    ranked = sorted((ch for ch in data.children if ch.values.get("INCIDENCE") is not None),
                    key=lambda ch: ch.values["INCIDENCE"], reverse=True)
    exits = data.breakdowns["EXITS_BY_YEAR"]
    charts = {
        "children": {"kind": "ranking", "title": _("下级单位贫困发生率（%）"),
                     "names": [ch.unit.short_name for ch in ranked],
                     "values": [ch.values["INCIDENCE"] for ch in ranked],
                     "urls": [reverse("dashboard:overview", args=[ch.unit.code]) for ch in ranked]},
        "exits": {"kind": "years", "title": _("各年度脱贫户数"), "series": _("户"),
                  "names": list(exits), "values": [e["households"] for e in exits.values()]},
        "causes": {"kind": "pie", "title": _("主要致贫原因（户）"),
                   "names": list(data.breakdowns["CAUSES"]), "values": list(data.breakdowns["CAUSES"].values())},
        "infrastructure": {"kind": "rates", "title": _("基础设施（%）"),
                           "names": [catalog[k].name for k in INFRASTRUCTURE],
                           "values": [values.get(k) for k in INFRASTRUCTURE]},
    }
    access = access_for(request.user)
    ancestors = [a for a in unit.ancestors() if access.reaches_code(a.code)]
    return render(request, "dashboard/overview.html", {
        "unit": unit, "as_of": data.as_of, "cards": cards, "rows": rows, "ancestors": ancestors,
        "headers": [catalog[k] for k in TABLE_INDICATORS], "has_data": bool(values),
        "charts": {name: json.dumps(chart, ensure_ascii=False) for name, chart in charts.items()},
        "unit_list_url": f"{list_url}?{query}" if query is not None else None,
    })


@login_required
def overview_export(request, code: str):
    data = selectors.overview_get(request.user, code, as_of=timezone.localdate())
    rows = data.children or [data.unit]
    out = io.BytesIO()
    _write_overview_xlsx(out, rows)
    out.seek(0)
    name = f"{code}-{data.as_of:%Y%m%d}-indicators.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


def _write_overview_xlsx(out, rows: list[selectors.UnitFigures]) -> None:
    """Units as rows, every indicator of the catalog as a column headed by its Chinese name and unit."""
    import xlsxwriter

    catalog = indicator_catalog()
    book = xlsxwriter.Workbook(out, {"strings_to_numbers": False, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    sheet = book.add_worksheet(_("指标"))
    bold = book.add_format({"bold": True, "text_wrap": True})
    headers = [_("代码"), _("名称")] + [f"{i.name}（{i.unit}）" for i in catalog.values()]
    for col, title in enumerate(headers):
        sheet.write_string(0, col, title, bold)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 18)
    sheet.set_column(2, len(headers) - 1, 12)
    sheet.freeze_panes(1, 2)
    for r, figures in enumerate(rows, start=1):
        sheet.write_string(r, 0, figures.unit.code)
        sheet.write_string(r, 1, figures.unit.name)
        for col, code in enumerate(catalog, start=2):
            value = figures.values.get(code)
            if value is not None:
                sheet.write_number(r, col, value)
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
    return f"{int(value):,}"
