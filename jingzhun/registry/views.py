"""Registry pages: thin views over selectors (reads) and services (writes)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, ExpressionWrapper, F
from django.db.models.functions import NullIf
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun.listing import CONTROL_VARS, COUNT_CAP, Column, Listing, choice_labels
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_edit_household
from jingzhun.orgunits.models import Level
from jingzhun.orgunits.selectors import filter_units, unit_label

from . import selectors, services, vocab
from .search import search_guard
from .signals import household_actions, household_sections
from .forms import HouseholdFilterForm, HouseholdForm, MemberForm
from .models import Household, VillageProfile

@login_required
def home(request):
    """Every role lands on its to-do page (待办); 区划总览 is the menu's registry:division_root."""
    return redirect("desk:todo")


@login_required
def division(request, code: str | None = None):
    unit = selectors.unit_get(request.user, code) if code else None
    if unit is None and access_for(request.user).prefix:
        return redirect("registry:division", code=selectors.home_unit(request.user).code)
    total, children = selectors.unit_children_counts(request.user, unit)
    chart = {
        "names": [c.unit.short_name for c in children],
        "series": [
            {"name": label, "data": [getattr(c, attr) for c in children]}
            for attr, label in (("poor", _("未脱贫")), ("exited", _("已脱贫")), ("returned", _("返贫")),
                                ("removed", _("清退")))
        ],
    }
    ancestors = unit.ancestors() if unit else []  # the breadcrumb links those the user may open
    return render(request, "registry/division.html", {
        "unit": unit, "total": total, "children": children, "ancestors": ancestors,
        "chart_json": json.dumps(chart, ensure_ascii=False),
        "child_is_village": bool(children) and children[0].unit.level == Level.VILLAGE,
    })


def _household_columns() -> list[Column]:
    return [Column(_("户编号"), "code"), Column(_("户主"), "head", ("head_name",)), Column(_("身份证号")),
            Column(_("村"), "village", ("village__name",)), Column(_("户类别"), "category", ("category", "monitoring_class")),
            Column(_("贫困户属性"), "attribute"),
            Column(_("脱贫状态"), "status"), Column(_("主要致贫原因"), "cause", ("main_cause",)),
            Column(_("人口"), "members", ("member_count",), num=True),
            Column(_("年人均纯收入"), "income", ("per_capita_sort",), num=True)]


#: 年人均纯收入 in SQL, for sorting only (the page shows Household.per_capita_income, rounded as it rounds).
_PER_CAPITA = ExpressionWrapper(
    (F("wage_income") + F("business_income") + F("property_income") + F("transfer_income") - F("business_expense"))
    / NullIf(F("member_count"), 0), output_field=DecimalField(max_digits=14, decimal_places=2))


@login_required
def household_list(request):
    form = HouseholdFilterForm(request.GET or None, units=filter_units(
        request.user, request.GET.get("township", ""), request.GET.get("village", "")))
    households = selectors.household_list(request.user).none()
    filtered = bool(form.data.keys() - CONTROL_VARS)
    if not filtered or form.is_valid():
        data = form.cleaned_data if filtered else {}
        if refused := search_guard(request, data.get("q", ""), what="households"):
            return refused
        households = selectors.household_list(
            request.user, status=data.get("status", ""), attribute=data.get("attribute", ""),
            main_cause=data.get("main_cause", ""), unit=form.unit if filtered else "", text=data.get("q", ""),
            category=data.get("category", ""), monitoring_class=data.get("monitoring_class", ""))
    listing = Listing(request.GET, households.annotate(per_capita_sort=_PER_CAPITA), _household_columns(),
                      default_sort="code", tiebreak=("code",), count_cap=COUNT_CAP, title=_("贫困户名单"),
                      unit=unit_label(request.user, form.unit if filtered else ""))
    listing.chips_from_form(form, depends={"township": ["village"]})
    access = access_for(request.user)
    labels = choice_labels(Household, "category", "monitoring_class", "attribute", "status", "main_cause")
    for household in listing.page.object_list:
        household.head_id_shown = access.mask_id(household.head_id_number)
        household.shown = {name: shown.get(getattr(household, name), getattr(household, name))
                           for name, shown in labels.items()}
        household.per_capita = household.per_capita_income(household.member_count)
    if listing.printing:  # a printed list carries ID numbers (masked as on the page): audited like a download
        audit(request, AuditEvent.Action.DOWNLOAD, listing.title, count=len(listing.page.object_list),
              what="household_list_print", filter=listing.filter_query)
    return render(request, "registry/household_list.html", {
        "form": form, "listing": listing, "page": listing.page, "can_write": may_edit_household(access)})


@login_required
def household_detail(request, code: str):
    household = selectors.household_get(request.user, code)
    access = access_for(request.user)
    members = list(household.members.all())
    for member in members:
        member.id_shown = access.mask_id(member.id_number)
    normal = sum(1 for m in members if m.status == vocab.MemberStatus.NORMAL)
    return render(request, "registry/household_detail.html", {
        "household": household, "members": members, "member_count": normal,
        "per_capita": household.per_capita_income(normal),
        "head_id_shown": access.mask_id(household.head_id_number),
        "phone_shown": access.mask_phone(household.phone),
        "cadre_phone_shown": access.mask_phone(household.cadre.phone) if household.cadre else "",
        "village": household.village, "ancestors": [*household.village.ancestors(), household.village],
        "history": selectors.history_of(household, access=access), "can_write": may_edit_household(access),
        "village_profile": VillageProfile.objects.filter(village_id=household.village_id).first(),
        "actions": [action for _receiver, offered in household_actions.send(sender=Household, household=household,
                                                                            user=request.user)
                    for action in (offered or [])],
        "sections": sorted((section for _receiver, given in household_sections.send(
            sender=Household, household=household, user=request.user, access=access) for section in (given or [])),
            key=lambda section: section.get("order", 0)),
    })


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request, code: str):
    household = selectors.household_get_for_update(request.user, code)
    form = HouseholdForm(request.POST or None, instance=household)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.household_update(code=code, acting_user=request.user, data=form.cleaned_data,
                                                reason=_("网页编辑"))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _saved_message(request, changed)
            return redirect("registry:household_detail", code=code)
    return render(request, "registry/household_form.html", {"form": form, "household": household})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, code: str, member_id: int):
    member = selectors.member_get_for_update(request.user, code, member_id)
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.member_update(household_code=code, member_id=member_id, acting_user=request.user,
                                             data=form.cleaned_data, reason=_("网页编辑"))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _saved_message(request, changed)
            return redirect("registry:household_detail", code=code)
    return render(request, "registry/member_form.html", {"form": form, "household": member.household,
                                                         "member": member})


def _saved_message(request, changed: list[str]) -> None:
    if changed:
        messages.success(request, ngettext("已保存，修改了 %(n)d 项。", "已保存，修改了 %(n)d 项。", len(changed))
                         % {"n": len(changed)})
    else:
        messages.info(request, _("没有修改任何内容。"))


