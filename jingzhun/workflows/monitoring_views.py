"""Pages of 识别纳入 and 风险消除 (防止返贫致贫监测): thin views over monitoring_procedures.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jingzhun.accounts.models import Role
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_act, require
from jingzhun.registry.selectors import household_get

from . import evaluation, selectors
from .common import WorkflowError, attempt
from .definitions import Kind, steps_of
from .forms import GreenChannelForm, IncomeVerificationForm, MonitoringEntryForm
from .models import Procedure
from .monitoring_procedures import (
    evaluate,
    green_channel,
    income_verification_record,
    monitoring_entry_open,
    proposable,
    risk_elimination_open,
    risk_elimination_refusal,
    monitoring_entry_refusal,
)


def _refused(request, household, kind: str, refusal: str):
    current = household.procedures.filter(state=Procedure.State.OPEN).first()
    return render(request, "workflows/open_refused.html", {"household": household, "kind_label": Kind(kind).label,
                                                           "refusal": refusal, "current": current})


def _require_opener(request, kind: str) -> None:
    first = steps_of(kind)[0]
    require(may_act(request.user, first),
            _("“%(kind)s”由%(role)s发起。") % {"kind": Kind(kind).label, "role": Role(first.role).label})


@login_required
@require_http_methods(["GET", "POST"])
def monitoring_entry_new(request, code: str):
    """入户核实: open 识别纳入 on a household (its opening form, or why it cannot be opened)."""
    household = household_get(request.user, code)
    _require_opener(request, Kind.MONITORING_ENTRY)
    refusal = monitoring_entry_refusal(request.user, household)
    if refusal:
        return _refused(request, household, Kind.MONITORING_ENTRY, refusal)
    # from a lead's page: its number and day filled in (only shown; the posted form is validated as typed)
    initial = {"lead_id": request.GET.get("lead", "")[:12], "lead_reported_on": request.GET.get("reported", "")[:10]}
    form = MonitoringEntryForm(request.POST or None, request.FILES or None, classes=proposable(household),
                               initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, procedure = attempt(request, lambda: monitoring_entry_open(
            acting_user=request.user, household_code=household.code, monitoring_class=data["monitoring_class"],
            risk_types=data["risk_types"], income_12m=data["income_12m"],
            compliant_out_of_pocket_12m=data["compliant_out_of_pocket_12m"], evidence=data["evidence"],
            lead_id=data["lead_id"], lead_reported_on=data["lead_reported_on"], note=data["note"]),
            _("已登记入户核实，下一步：信息比对。"), form=form)
        if ok:
            return redirect("workflows:procedure_detail", procedure_id=procedure.pk)
    return render(request, "workflows/monitoring_entry_form.html", {"form": form, "household": household})


@login_required
@require_http_methods(["GET", "POST"])
def risk_elimination_new(request, code: str):
    """风险消除评估: the criteria against the pack, and the opening if every one is met."""
    household = household_get(request.user, code)
    _require_opener(request, Kind.RISK_ELIMINATION)
    refusal = risk_elimination_refusal(request.user, household)
    if refusal:
        return _refused(request, household, Kind.RISK_ELIMINATION, refusal)
    if request.method == "POST":
        ok, procedure = attempt(request, lambda: risk_elimination_open(
            acting_user=request.user, household_code=household.code, note=request.POST.get("note", "")[:2000]),
            _("已发起风险消除，下一步：村民主评议。"))
        if ok:
            return redirect("workflows:procedure_detail", procedure_id=procedure.pk)
    try:
        criteria = [evaluation.Criterion(**c) for c in evaluate(household)]
    except WorkflowError as exc:
        messages.error(request, exc.message)
        criteria = []
    return render(request, "workflows/risk_elimination_form.html", {
        "household": household, "criteria": criteria, "overall": evaluation.overall(criteria) if criteria else "",
        "verifications": household.income_verifications.select_related("recorded_by").order_by("-verified_on", "-pk")})


@login_required
@require_http_methods(["GET", "POST"])
def income_verifications(request, code: str):
    """收入核实: a household's series (newest first) and, for its village clerk, the form to add one."""
    household = household_get(request.user, code)
    access = access_for(request.user)
    can_add = access.can_write and access.role == Role.VILLAGE_CLERK
    form = IncomeVerificationForm(request.POST or None)
    if request.method == "POST":
        require(can_add, _("收入核实由村级信息员登记。"))
        if form.is_valid():
            data = form.cleaned_data
            ok, _row = attempt(request, lambda: income_verification_record(
                acting_user=request.user, household_code=household.code, verified_on=data["verified_on"],
                income_12m=data["income_12m"], compliant_out_of_pocket_12m=data["compliant_out_of_pocket_12m"],
                note=data["note"]), _("已记录收入核实。"), form=form)
            if ok:
                return redirect("workflows:income_verifications", code=household.code)
    return render(request, "workflows/income_verifications.html", {
        "household": household, "form": form, "can_add": can_add,
        "verifications": household.income_verifications.select_related("recorded_by").order_by("-verified_on", "-pk")})


@login_required
@require_http_methods(["GET", "POST"])
def procedure_green_channel(request, procedure_id: int):
    procedure = selectors.procedure_get(request.user, procedure_id)
    if request.method != "POST":
        return redirect("workflows:procedure_detail", procedure_id=procedure.pk)
    form = GreenChannelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明启用绿色通道的理由（至少 10 个字）。"))
    else:
        attempt(request, lambda: green_channel(acting_user=request.user, procedure_id=procedure.pk,
                                               reason=form.cleaned_data["reason"]),
                _("已启用绿色通道：该户已先行纳入监测，其余步骤继续办理。"))
    return redirect("workflows:procedure_detail", procedure_id=procedure.pk)
