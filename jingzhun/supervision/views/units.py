"""单位: a county's units — its townships (made from the divisions with one button), its villages (made as
items name them) and its departments with their staff. The county admin writes (through
`services.agencies`); everyone else who reads the ledger reads the list.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jingzhun.accounts.models import User
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.orgunits.permissions import get_in_reach, may_manage_ledger, may_read_ledger, reach_code, require
from jingzhun.orgunits.roles import Role
from jingzhun.workflows.common import attempt

from ..forms import CountyForm, DepartmentForm, StaffForm
from ..selectors import agencies_for
from ..services import agencies as services
from ..services.items import LedgerError
from ..vocab import AgencyKind

COUNTY_LENGTH = 6


def _county_of(request, access) -> tuple[str, CountyForm | None]:
    """The county the page is about: the user's own, or (above a county) the one asked for."""
    if len(access.prefix) >= COUNTY_LENGTH:
        return access.prefix[:COUNTY_LENGTH], None
    picker = CountyForm(request.GET or None)
    if not (request.GET and picker.is_valid()):
        return "", picker
    county = picker.cleaned_data["county"]
    reach_code(access, county)
    if not OrgUnit.objects.filter(code=county, level=Level.COUNTY).exists():
        picker.add_error("county", _("没有这个县。"))
        return "", picker
    return county, None


def _department_users(county: str):
    return User.objects.filter(role=Role.DEPARTMENT, org_unit_id=county, is_active=True).order_by("username")


@login_required
@require_http_methods(["GET", "POST"])
def unit_list(request):
    access = access_for(request.user)
    require(may_read_ledger(access), _("督查督办台账不对帮扶责任人和驻村工作队开放。"))
    county, picker = _county_of(request, access)
    if not county:
        return render(request, "supervision/county_pick.html", {"form": picker, "title": _("单位")})
    can_manage = may_manage_ledger(access) and access.reaches_code(county)
    department_form = DepartmentForm()
    if request.method == "POST":
        require(can_manage, _("只有县级管理员可以维护本县的单位。"))
        action = request.POST.get("action", "")
        if action == "sync":
            attempt(request, lambda: services.agencies_sync_townships(acting_user=request.user, county=county),
                    lambda n: _("已建立 %(n)d 个乡镇单位。") % {"n": n}, errors=LedgerError)
            return redirect(request.get_full_path())
        if action == "department":
            department_form = DepartmentForm(request.POST)
            if department_form.is_valid():
                ok, _unit = attempt(request, lambda: services.agency_create(
                    acting_user=request.user, county=county, name=department_form.cleaned_data["name"],
                    kind=AgencyKind.DEPARTMENT), _("已添加单位。"), form=department_form, errors=LedgerError)
                if ok:
                    return redirect(request.get_full_path())
        elif action == "staff":
            agency = get_in_reach(agencies_for(access).filter(county_id=county), pk=_int(request.POST.get("agency")))
            form = StaffForm(request.POST, users=_department_users(county))
            if form.is_valid():
                attempt(request, lambda: services.agency_staff_set(acting_user=request.user, agency_id=agency.pk,
                                                                   usernames=form.cleaned_data["staff"]),
                        _("已设置“%(name)s”的经办人员。") % {"name": agency.name}, errors=LedgerError)
            else:
                messages.error(request, _("经办人员只能从本县“县直部门”角色的用户中选择。"))
            return redirect(request.get_full_path())
    units = agencies_for(access).filter(county_id=county).select_related("org").prefetch_related("staff")
    users = list(_department_users(county)) if can_manage else []
    rows = [{"unit": u, "staff": list(u.staff.all()), "names": {s.username for s in u.staff.all()},
             "editable": can_manage and u.org_id is None} for u in units]
    return render(request, "supervision/units.html", {
        "county": OrgUnit.objects.filter(code=county).first(), "rows": rows, "can_manage": can_manage, "users": users,
        "department_form": department_form, "county_query": request.GET.urlencode()},
        status=400 if department_form.errors else 200)


def _int(value) -> int:
    return int(value) if value and str(value).isdigit() else 0
