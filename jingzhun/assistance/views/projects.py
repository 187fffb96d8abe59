"""Pages of the 项目库 and 衔接资金: the project list, a project's page and its actions, its notices, and the
fund execution table.

Reads go through `selectors.projects` (a project out of reach is a 404); writes go through
`services.projects`, whose `may_manage_projects` decides the buttons too; beneficiaries' ID numbers are
masked for the roles that are not record keepers.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jingzhun import cells
from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun.listing import Column, Listing, error_page, form_problems
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.orgunits.permissions import may_manage_projects, reach_code, require
from jingzhun.orgunits.selectors import unit_label
from jingzhun.workflows.common import attempt

from ..forms.projects import (
    AdvanceForm,
    CountyForm,
    FundFilterForm,
    FundForm,
    ProgressForm,
    ProjectFilterForm,
    ProjectForm,
    SpendingForm,
    codes_of,
)
from ..models import Project
from ..project_notices import KINDS, notices_of, project_notice_pdf
from ..selectors import projects as selectors
from ..services import projects as services
from ..services.projects import EDITABLE, SPENDING_STATES, ProjectError
from ..vocab import FundSource, ProjectState

# --- the list ------------------------------------------------------------------------------------------


def _columns() -> list[Column]:
    return [Column(_("项目编号"), "code"), Column(_("项目名称"), "name"), Column(_("年度"), "year", num=True),
            Column(_("项目类别"), "category"), Column(_("县"), "county", ("county_id",)), Column(_("实施村")),
            Column(_("项目主管单位"), "unit", ("responsible_unit",)), Column(_("项目状态"), "state"),
            Column(_("形象进度（%）"), "progress", ("percent_complete",), num=True)]


def _village_filter_choices(projects) -> list[tuple[str, str]]:
    """The villages the projects in reach touch (a short list, not every village of the unit)."""
    touched = Project.villages.through.objects.filter(project__in=projects.values("pk")).values("orgunit_id")
    return [(u.code, u.short_name) for u in OrgUnit.objects.filter(code__in=touched).order_by("code")]


@login_required
def project_list(request):
    access = access_for(request.user)
    projects = selectors.projects_for(access)
    form = ProjectFilterForm(request.GET or None, villages=_village_filter_choices(projects))
    data = form.cleaned_data if request.GET and form.is_valid() else {}
    if data.get("year"):
        projects = projects.filter(year=data["year"])
    for field in ("state", "category"):
        if data.get(field):
            projects = projects.filter(**{field: data[field]})
    if data.get("village"):
        projects = projects.filter(selectors.unit_q(data["village"]))
    projects = projects.select_related("county").prefetch_related(
        Prefetch("villages", queryset=OrgUnit.objects.order_by("code")))
    listing = Listing(request.GET, projects, _columns(), default_sort="-year", tiebreak=("county_id", "code", "pk"),
                      title=_("项目库"), unit=unit_label(request.user), exportable=True)
    if listing.exporting:
        return listing.export_refusal(request) or _projects_xlsx(request, listing)
    listing.chips_from_form(form)
    if listing.printing:
        audit(request, AuditEvent.Action.DOWNLOAD, listing.title, count=len(listing.page.object_list),
              what="project_list_print", filter=listing.filter_query)
    return render(request, "assistance/project_list.html", {
        "form": form, "listing": listing, "page": listing.page, "can_manage": may_manage_projects(access)})


def _projects_xlsx(request, listing: Listing):
    columns = [cells.SheetColumn(title, kind) for title, kind in (
        (_("项目编号"), cells.TEXT), (_("项目名称"), cells.TEXT), (_("年度"), cells.INT), (_("项目类别"), cells.TEXT),
        (_("县"), cells.TEXT), (_("实施村"), cells.TEXT), (_("计划开工日期"), cells.DATE), (_("计划完工日期"), cells.DATE),
        (_("项目主管单位"), cells.TEXT), (_("项目状态"), cells.TEXT), (_("形象进度（%）"), cells.INT),
        (_("受益户数"), cells.INT), (_("计划资金（元）"), cells.DECIMAL), (_("已支出（元）"), cells.DECIMAL),
        (_("带贫减贫机制"), cells.TEXT))]
    rows_qs = listing.rows.annotate(n_households=Count("beneficiaries", distinct=True))
    planned = dict(Project.objects.filter(pk__in=listing.rows.values("pk")).annotate(t=Sum("funds__amount"))
                   .values_list("pk", "t"))
    spent = dict(Project.objects.filter(pk__in=listing.rows.values("pk")).annotate(t=Sum("spending__amount"))
                 .values_list("pk", "t"))
    rows = ((p.code, p.name, p.year, p.get_category_display(), p.county.name,
             "、".join(v.short_name for v in p.villages.all()), p.planned_start, p.planned_end, p.responsible_unit,
             p.get_state_display(), p.percent_complete, p.n_households, planned.get(p.pk) or 0, spent.get(p.pk) or 0,
             p.mechanism) for p in rows_qs)
    name = f"{_('项目库')}-{access_for(request.user).prefix or _('全国')}-{timezone.localdate():%Y%m%d}.xlsx"
    response, count = cells.xlsx_response(name, _("项目库"), columns, rows)
    audit(request, AuditEvent.Action.EXPORT, name, count=count, what="projects", filter=listing.filter_query,
          format="xlsx", source="web")
    return response


# --- entering and editing --------------------------------------------------------------------------------


def _entry_kwargs(data: dict) -> dict:
    return {"code": data["code"], "name": data["name"], "category": data["category"], "year": data["year"],
            "villages": data["villages"], "planned_start": data["planned_start"], "planned_end": data["planned_end"],
            "responsible_unit": data["responsible_unit"], "contact_phone": data["contact_phone"],
            "output_target": data["output_target"], "benefit_target": data["benefit_target"],
            "mechanism": data["mechanism"], "beneficiaries": codes_of(data["beneficiaries"])}


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request):
    access = access_for(request.user)
    require(may_manage_projects(access), _("项目库由县级管理员录入和管理。"))
    county = access.prefix[:6] if len(access.prefix) >= 6 else ""
    if not county:  # above a county: the county first (its villages fill the form)
        picker = CountyForm(request.GET or None)
        if not (request.GET and picker.is_valid()):
            return render(request, "assistance/project_county.html", {"form": picker})
        county = picker.cleaned_data["county"]
        reach_code(access, county)
        if not OrgUnit.objects.filter(code=county, level=Level.COUNTY).exists():
            picker.add_error("county", _("没有这个县。"))
            return render(request, "assistance/project_county.html", {"form": picker})
    form = ProjectForm(request.POST or None, county=county)
    if request.method == "POST" and form.is_valid():
        ok, project = attempt(request, lambda: services.project_create(
            acting_user=request.user, county_code=county, **_entry_kwargs(form.cleaned_data)),
            _("项目已入库。"), form=form, errors=ProjectError)
        if ok:
            return redirect("assistance:project_detail", project_id=project.pk)
    return render(request, "assistance/project_form.html", {
        "form": form, "county": OrgUnit.objects.filter(code=county).first(), "project": None})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, project_id: int):
    project = selectors.project_get(request.user, project_id)
    require(may_manage_projects(request.user), _("项目库由县级管理员录入和管理。"))
    initial = {"code": project.code, "name": project.name, "category": project.category, "year": project.year,
               "villages": list(project.villages.values_list("code", flat=True)),
               "planned_start": project.planned_start, "planned_end": project.planned_end,
               "responsible_unit": project.responsible_unit, "contact_phone": project.contact_phone,
               "output_target": project.output_target, "benefit_target": project.benefit_target,
               "mechanism": project.mechanism,
               "beneficiaries": "\n".join(selectors.beneficiaries_in_reach(request.user, project)
                                          .values_list("code", flat=True))}
    form = ProjectForm(request.POST or None, county=project.county_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, _saved = attempt(request, lambda: services.project_update(
            acting_user=request.user, project_id=project.pk, **_entry_kwargs(form.cleaned_data)),
            _("已保存。"), form=form, errors=ProjectError)
        if ok:
            return redirect("assistance:project_detail", project_id=project.pk)
    return render(request, "assistance/project_form.html", {"form": form, "county": project.county,
                                                             "project": project})


# --- one project -----------------------------------------------------------------------------------------


def _page(request, project: Project, *, fund_form=None, spending_form=None, progress_form=None, advance_form=None,
          status=200):
    access = access_for(request.user)
    manages = may_manage_projects(access)
    funds = selectors.fund_rows(project)
    households = list(selectors.beneficiaries_in_reach(access, project))
    for household in households:
        household.id_shown = access.mask_id(household.head_id_number)
    moves = [(state, ProjectState(state).label) for state in services.moves_from(project.state)] if manages else []
    return render(request, "assistance/project_detail.html", {
        "project": project, "villages": project.villages.order_by("code"), "funds": funds,
        "planned_total": sum((f["planned"] for f in funds), 0), "spent_total": sum((f["spent"] for f in funds), 0),
        "spending": project.spending.select_related("recorded_by").order_by("paid_on", "pk"),
        "events": project.events.select_related("actor"), "households": households,
        "beneficiary_count": project.beneficiaries.count(), "notices": notices_of(project),
        "moves": moves, "can_edit": manages and project.state in EDITABLE,
        "can_spend": manages and project.state in SPENDING_STATES and bool(funds),
        "can_progress": manages and project.state == ProjectState.UNDERWAY,
        "fund_form": fund_form or FundForm(initial={f["source"]: f["planned"] for f in funds}),
        "spending_form": spending_form or SpendingForm(initial={"paid_on": timezone.localdate()}),
        "progress_form": progress_form or ProgressForm(initial={"percent": project.percent_complete}),
        "advance_form": advance_form,
    }, status=status)


@login_required
def project_detail(request, project_id: int):
    return _page(request, selectors.project_get(request.user, project_id))


def _post_only(request, project: Project):
    """The action pages take POSTs from the project's managers; a manager's GET goes back to the project."""
    require(may_manage_projects(request.user), _("项目库由县级管理员录入和管理。"))
    if request.method != "POST":
        return redirect("assistance:project_detail", project_id=project.pk)
    return None


def _project_action(request, project_id: int, form_class, form_name: str, call, success):
    """One action form of a project's page: validate, call the service (`call(project, data)`), say
    `success(data)` and go back to the project; or show the page again with the form and its errors."""
    project = selectors.project_get(request.user, project_id)
    answer = _post_only(request, project)
    if answer:
        return answer
    form = form_class(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        ok, _saved = attempt(request, lambda: call(project, data), success(data), form=form, errors=ProjectError)
        if ok:
            return redirect("assistance:project_detail", project_id=project.pk)
    return _page(request, selectors.project_get(request.user, project_id), **{form_name: form})


@login_required
@require_http_methods(["GET", "POST"])
def project_funds(request, project_id: int):
    return _project_action(
        request, project_id, FundForm, "fund_form",
        lambda project, data: services.project_fund_set(
            acting_user=request.user, project_id=project.pk,
            amounts={s: data[s] for s in FundSource.values if data.get(s) is not None}),
        lambda data: _("已保存资金计划。"))


@login_required
@require_http_methods(["GET", "POST"])
def project_advance(request, project_id: int):
    return _project_action(
        request, project_id, AdvanceForm, "advance_form",
        lambda project, data: services.project_advance(acting_user=request.user, project_id=project.pk,
                                                       to_state=data["to_state"], note=data["note"]),
        lambda data: _("项目状态已改为“%(state)s”。") % {"state": ProjectState(data["to_state"]).label})


@login_required
@require_http_methods(["GET", "POST"])
def project_progress(request, project_id: int):
    return _project_action(
        request, project_id, ProgressForm, "progress_form",
        lambda project, data: services.project_progress(acting_user=request.user, project_id=project.pk,
                                                        percent=data["percent"]),
        lambda data: _("已更新形象进度。"))


@login_required
@require_http_methods(["GET", "POST"])
def project_spending(request, project_id: int):
    return _project_action(
        request, project_id, SpendingForm, "spending_form",
        lambda project, data: services.spending_record(
            acting_user=request.user, project_id=project.pk, source=data["source"], paid_on=data["paid_on"],
            amount=data["amount"], note=data["note"]),
        lambda data: _("已登记资金支出。"))


@login_required
def project_notice(request, project_id: int, kind: str):
    """项目公示 or 竣工公告 as PDF, once the project has reached the state the notice is for."""
    project = selectors.project_get(request.user, project_id)
    if kind not in KINDS or project.state not in KINDS[kind][2]:
        return error_page(request, title=_("没有这份公告"), back=project_url(project), status=404, problems=[
            _("项目公示在项目公示后生成，竣工公告在项目竣工后生成。")])
    response = HttpResponse(project_notice_pdf(project, kind), content_type="application/pdf")
    audit(request, AuditEvent.Action.DOWNLOAD, f"project {project.pk}", count=1, what=f"project_notice_{kind}",
          project=project.pk)
    response["Content-Disposition"] = f'inline; filename="project-{project.pk}-{kind}.pdf"'
    return response


def project_url(project: Project) -> str:
    return reverse("assistance:project_detail", kwargs={"project_id": project.pk})


# --- 衔接资金执行 ----------------------------------------------------------------------------------------------


@login_required
def fund_execution(request):
    access = access_for(request.user)
    year = timezone.localdate().year
    form = FundFilterForm(request.GET or None, initial={"year": year})
    if request.GET and not form.is_valid():
        return error_page(request, title=_("衔接资金执行"), back="?", problems=form_problems(form))
    data = form.cleaned_data if request.GET else {}
    year = data.get("year") or year
    unit = data.get("unit") or access.prefix
    reach_code(access, unit)
    figures = selectors.fund_execution(access, unit, year)
    title = _("%(year)s年度衔接资金执行") % {"year": year}
    if request.GET.get("format") == "xlsx":
        return _execution_xlsx(request, figures, unit, year)
    return render(request, "assistance/fund_execution.html", {
        "form": form, "figures": figures, "year": year, "title": title, "unit_name": unit_label(request.user, unit),
        "states": ProjectState.choices, "export_query": f"year={year}&unit={unit}&format=xlsx"})


def _execution_xlsx(request, figures: dict, unit: str, year: int):
    columns = [cells.SheetColumn(title, kind) for title, kind in (
        (_("县级代码"), cells.TEXT), (_("县"), cells.TEXT), (_("资金来源"), cells.TEXT), (_("计划金额（元）"), cells.DECIMAL),
        (_("已支出（元）"), cells.DECIMAL), (_("执行率（%）"), cells.DECIMAL))]
    rows = [(r["county"], r["county_name"], str(r["label"]), r["planned"], r["spent"], r["rate"]) for r in figures["rows"]]
    rows += [(c["county"], c["county_name"], _("合计"), c["planned"], c["spent"], c["rate"]) for c in figures["counties"]]
    name = f"{_('衔接资金执行')}-{unit or _('全国')}-{year}.xlsx"
    response, count = cells.xlsx_response(name, _("衔接资金执行"), columns, rows)
    audit(request, AuditEvent.Action.EXPORT, name, count=count, what="fund_execution", unit=unit, year=year,
          format="xlsx", source="web")
    return response


# --- the household page's section ------------------------------------------------------------------------


def household_section(sender, *, household, user, access, **kwargs) -> list[dict]:
    """受益项目 on the household page: the projects the household benefits from that the reader may open."""
    projects = selectors.projects_for(access).filter(beneficiaries=household).order_by("-year", "code")
    return [{"id": "projects", "template": "assistance/_household_projects.html", "order": 60,
             "context": {"projects": list(projects)}}]
