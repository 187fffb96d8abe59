"""随机抽查 pages: the list, a new draw, one draw (its households, seed, frame digest, the redraw and the
workbook of the draw) and the short form of one household, printable and usable on a phone.

Every page is for those who spot-check (`may_spot_check`; others get 403 before any lookup); reads go
through `selectors.spot_checks` (out of reach is a 404), writes through `services.spot_checks`, whose
refusals (SpotCheckError) come back as messages on the form.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jingzhun import cells
from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import OrgUnit
from jingzhun.orgunits.permissions import may_spot_check, require
from jingzhun.workflows.common import attempt

from ..selectors import spot_checks as selectors
from ..services import spot_checks as services
from ..services.spot_checks import FIELDS_BY_KEY, NO, YES, SpotCheckError

PAGE_SIZE = 50


def _require(request) -> None:
    require(may_spot_check(request.user), _("只有乡镇、县级、分析人员和系统管理员可以进行随机抽查。"))


def _unit_names(codes) -> dict[str, str]:
    return dict(OrgUnit.objects.filter(code__in=set(codes)).values_list("code", "name"))


def _state(item) -> str:
    if item.verified_at is None:
        return _("待核对")
    if not item.discrepancies:
        return _("相符")
    return _("%(n)d 项不符") % {"n": item.discrepancies}


@login_required
@require_GET
def spot_list(request):
    _require(request)
    spots = selectors.spot_checks_for(request.user).select_related("drawn_by").order_by("-drawn_at", "-id")
    page = Paginator(spots, PAGE_SIZE).get_page(request.GET.get("page"))
    names = _unit_names(s.unit for s in page.object_list)
    rows = [{"spot": s, "unit": names.get(s.unit, s.unit)} for s in page.object_list]
    return render(request, "assessment/spot_list.html", {"page": page, "rows": rows})


class SpotNewForm(forms.Form):
    unit = forms.CharField(label=gettext_lazy("抽查单位（区划代码）"), max_length=12,
                           help_text=gettext_lazy("默认本人所在单位；可填管辖范围内的乡镇或村的代码。"))
    n = forms.IntegerField(label=gettext_lazy("抽查户数"), min_value=1, max_value=services.MAX_N, initial=2)
    seed = forms.IntegerField(label=gettext_lazy("随机种子（可不填）"), required=False, min_value=0,
                              max_value=services.SEED_LIMIT - 1,
                              help_text=gettext_lazy("不填则随机产生并记录；同一种子在同一抽样框上抽出相同的户。"))
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)


@login_required
@require_http_methods(["GET", "POST"])
def spot_new(request):
    _require(request)
    form = SpotNewForm(request.POST if request.method == "POST" else None, initial={"unit": access_for(request.user).prefix})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, spot = attempt(request, lambda: services.spot_check_draw(
            unit=data["unit"], n=data["n"], seed=data["seed"], note=data["note"], acting_user=request.user),
            lambda spot: _("已抽取 %(n)d 户（随机种子 %(seed)d）。") % {"n": spot.n, "seed": spot.seed},
            form=form, errors=SpotCheckError)
        if ok:
            return redirect("assessment:spot_detail", spot_id=spot.pk)
    return render(request, "assessment/spot_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def spot_detail(request, spot_id: int):
    _require(request)
    spot = selectors.spot_check_get(request.user, spot_id)
    items = list(spot.items.select_related("household", "verified_by").order_by("order"))
    if request.GET.get("format") == "xlsx":
        return _draw_xlsx(request, spot, items)
    names = _unit_names([spot.unit] + [i.household.village_id for i in items])
    rows = [{"item": i, "village": names.get(i.household.village_id, i.household.village_id), "state": _state(i)}
            for i in items]
    redraw = services.spot_check_redraw(spot_check_id=spot.pk, acting_user=request.user) \
        if request.GET.get("redraw") else None
    return render(request, "assessment/spot_detail.html", {
        "spot": spot, "unit_name": names.get(spot.unit, spot.unit), "rows": rows, "redraw": redraw})


def _draw_xlsx(request, spot, items):
    columns = [cells.SheetColumn(title, kind) for title, kind in (
        (_("抽中顺序"), cells.INT), (_("户编号"), cells.TEXT), (_("户主姓名"), cells.TEXT), (_("村代码"), cells.TEXT),
        (_("核对状态"), cells.TEXT), (_("核对人"), cells.TEXT), (_("核对时间"), cells.TEXT))]
    rows = ((i.order, i.household_id, i.household.head_name, i.household.village_id, _state(i),
             str(i.verified_by or ""), timezone.localtime(i.verified_at).strftime("%Y-%m-%d %H:%M") if i.verified_at else "")
            for i in items)
    name = f"{_('随机抽查')}-{spot.unit}-{spot.pk}.xlsx"
    response, count = cells.xlsx_response(name, _("随机抽查"), columns, rows)
    audit(request, AuditEvent.Action.EXPORT, name, count=count, what="spot_check", spot_check=spot.pk, format="xlsx",
          source="web")
    return response


def _form_class(household):
    """The short form for one household: one optional input per fact its registry states."""
    attrs = {}
    for spot_field, _value in services.fields_for(household):
        common = {"label": spot_field.label, "required": False, "help_text": spot_field.help}
        if spot_field.kind == "int":
            attrs[spot_field.key] = forms.IntegerField(min_value=1, max_value=50, **common)
        elif spot_field.kind == "money":
            attrs[spot_field.key] = forms.DecimalField(max_digits=12, decimal_places=2, **common)
        elif spot_field.kind == "bool":
            attrs[spot_field.key] = forms.ChoiceField(choices=[("", _("未核实")), (YES, _("是")), (NO, _("否"))], **common)
        elif spot_field.kind == "choice":
            attrs[spot_field.key] = forms.ChoiceField(choices=[("", _("未核实"))] + list(spot_field.choices()), **common)
        else:
            attrs[spot_field.key] = forms.CharField(max_length=64, **common)
    return type("SpotVerifyForm", (forms.Form,), attrs)


@login_required
@require_http_methods(["GET", "POST"])
def spot_verify(request, item_id: int):
    _require(request)
    item = selectors.spot_item_get(request.user, item_id)
    household = item.household
    form = None
    if item.verified_at is None:
        form = _form_class(household)(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            found = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            ok, done = attempt(request, lambda: services.spot_check_verify(
                item_id=item.pk, acting_user=request.user, found=found),
                lambda done: _("已核对，%(n)d 项不符。") % {"n": done.discrepancies} if done.discrepancies
                else _("已核对，全部相符。"), form=form, errors=SpotCheckError)
            if ok:
                return redirect("assessment:spot_detail", spot_id=item.spot_check_id)
    elif request.method == "POST":
        messages.error(request, _("该户已核对，不能重复核对。"))
        return redirect("assessment:spot_verify", item_id=item.pk)
    registry = [{"label": f.label, "value": f.shown(value), "field": form[f.key] if form is not None else None}
                for f, value in services.fields_for(household)]
    checked = [{"label": FIELDS_BY_KEY[k].label if k in FIELDS_BY_KEY else e.get("label", k),
                "registry": e.get("registry_shown", e.get("registry")), "found": e.get("found_shown", "—")
                if e.get("found") is not None else _("未核实"), "agrees": e.get("agrees")}
               for k, e in (item.checked or {}).items()]
    return render(request, "assessment/spot_verify.html", {
        "item": item, "household": household, "form": form, "registry": registry, "checked": checked,
        "due_days": services.DUE_DAYS}, status=400 if form is not None and form.errors else 200)
