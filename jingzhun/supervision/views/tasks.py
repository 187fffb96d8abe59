"""Pages of 重点工作 and 重点项目: the key tasks by meeting, recording a meeting with its tasks, the key
projects with their investment, progress, milestones and photos, a new project, a project's page (milestones,
photo gallery) and the download of an item's evidence.

Reads go through `selectors` (out of reach is a 404); writes through `services.tasks` (the flow itself —
签收, 进展 with a photo, 办结, 复核 — is the ledger's, services.items). The deadline colour of a project counts
its overdue milestones (selectors.tasks.project_timing).
"""

from __future__ import annotations


from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jingzhun import cells
from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun.assistance.selectors.projects import projects_for as library_projects_for
from jingzhun.listing import Column, Listing, error_page, form_problems
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.orgunits.permissions import may_manage_ledger, may_read_ledger, reach_code, require
from jingzhun.orgunits.selectors import unit_label
from jingzhun.orgunits.widgets import IsoDateInput
from jingzhun.workflows.common import attempt

from ..models import Item
from ..selectors import acts_for, agencies_for, warning_days
from ..selectors import tasks as selectors
from ..services import tasks as services
from ..services.items import LedgerError
from ..vocab import ItemState, Timing

_REFUSED = gettext_lazy("重点工作和重点项目由县级管理员登记。")
#: Rows of the meeting form (and milestone rows of the project form) shown at first; `?rows=` asks for more.
TASK_ROWS, MAX_ROWS, MILESTONE_ROWS = 6, 40, 4


# --- forms ---------------------------------------------------------------------------------------------------

class CountyForm(forms.Form):
    """Which county (for a user above a county: the system administrator)."""

    county = forms.RegexField(label=gettext_lazy("县级代码"), regex=r"^\d{6}$",
                              error_messages={"invalid": gettext_lazy("县级代码应为 6 位数字。")})


class MeetingForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("会议名称"), max_length=128,
                           help_text=gettext_lazy("如“县委常委会第5次会议”，本县内不能重名。"))
    held_on = forms.DateField(label=gettext_lazy("会议日期"), widget=IsoDateInput())
    issued_by = forms.CharField(label=gettext_lazy("交办单位"), max_length=128, required=False,
                                help_text=gettext_lazy("如“县委办公室”。"))


class TaskRowForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("任务"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    agency = forms.TypedChoiceField(label=gettext_lazy("责任单位"), coerce=int, required=False, empty_value=None)
    responsible = forms.CharField(label=gettext_lazy("责任人"), max_length=64, required=False)
    deadline = forms.DateField(label=gettext_lazy("完成时限"), required=False, widget=IsoDateInput())

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("请选择"))] + list(agencies)

    @property
    def blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("title") or "").strip() and data.get("agency") is None and not data.get("deadline") \
            and not (data.get("responsible") or "").strip()


class MilestoneRowForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("节点"), max_length=128, required=False)
    due = forms.DateField(label=gettext_lazy("计划完成日期"), required=False, widget=IsoDateInput())


class ProjectItemForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("项目名称"), max_length=2000)
    investment = forms.DecimalField(label=gettext_lazy("总投资（万元）"), min_value=0, max_digits=12, decimal_places=2)
    agency = forms.TypedChoiceField(label=gettext_lazy("责任单位"), coerce=int)
    lead_agency = forms.TypedChoiceField(label=gettext_lazy("牵头单位"), coerce=int, required=False, empty_value=None)
    responsible = forms.CharField(label=gettext_lazy("责任人"), max_length=64, required=False)
    deadline = forms.DateField(label=gettext_lazy("完成时限"), widget=IsoDateInput(),
                               help_text=gettext_lazy("如“预计在2020年底完工”填 2020-12-31。"))
    project = forms.TypedChoiceField(label=gettext_lazy("项目库项目"), coerce=int, required=False, empty_value=None,
                                     help_text=gettext_lazy("是项目库中的项目时选择，项目库的形象进度显示在旁边。"))
    measures = forms.CharField(label=gettext_lazy("建设内容"), max_length=4000, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, agencies=(), projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("请选择"))] + list(agencies)
        self.fields["lead_agency"].choices = [("", _("（无）"))] + list(agencies)
        self.fields["project"].choices = [("", _("（不是项目库项目）"))] + list(projects)


class MilestoneForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("节点"), max_length=128)
    due = forms.DateField(label=gettext_lazy("计划完成日期"), widget=IsoDateInput())


class TaskFilterForm(forms.Form):
    meeting = forms.TypedChoiceField(label=gettext_lazy("会议"), coerce=int, required=False, empty_value=None)
    state = forms.ChoiceField(label=gettext_lazy("状态"), required=False)

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [("", _("全部"))] + list(meetings)
        self.fields["state"].choices = [("", _("全部"))] + list(ItemState.choices)


# --- helpers -------------------------------------------------------------------------------------------------

def _county_of(request):
    """(county code, None) for the manager's county, or (None, a response) asking which county first."""
    access = access_for(request.user)
    require(may_manage_ledger(access), _REFUSED)
    if len(access.prefix) >= 6:
        return access.prefix[:6], None
    picker = CountyForm(request.GET or None)
    if request.GET and picker.is_valid():
        county = picker.cleaned_data["county"]
        reach_code(access, county)
        if OrgUnit.objects.filter(code=county, level=Level.COUNTY).exists():
            return county, None
        picker.add_error("county", _("没有这个县。"))
    return None, render(request, "supervision/tasks_county.html", {"form": picker})


def _agency_choices(user, county: str) -> list[tuple[int, str]]:
    return list(agencies_for(user).filter(county_id=county, active=True).order_by("kind", "name")
                .values_list("pk", "name"))


def _rows_asked(request, default: int) -> int:
    asked = request.GET.get("rows", "")
    return min(int(asked), MAX_ROWS) if asked.isdigit() and int(asked) > 0 else default


def _decorate(items, today, *, projects: bool = False) -> None:
    """Each item's deadline colour and days left (a project's counting its milestones: selectors)."""
    days = {}
    for item in items:
        if item.county_id not in days:
            days[item.county_id] = warning_days(item.county_id, today.year)
        if projects:
            item.timing_now = selectors.project_timing(item, today, days[item.county_id])
            item.late_milestones = len(selectors.overdue_milestones(item, today))
        else:
            item.timing_now = item.timing(today, days[item.county_id])
        item.timing_label = Timing(item.timing_now).label
        item.days = item.days_left(today)


# --- 重点工作 (key tasks) -----------------------------------------------------------------------------------------

def _task_columns() -> list[Column]:
    return [Column(_("会议"), "meeting", ("batch__received_on", "batch_id", "number")), Column(_("序号"), "number", num=True),
            Column(_("任务")), Column(_("责任单位"), "agency", ("agency__name",)), Column(_("责任人")),
            Column(_("完成时限"), "deadline"), Column(_("状态"), "state"), Column(_("完成进度（%）"), "percent", num=True),
            Column(_("最新进展"))]


@login_required
def task_list(request):
    """重点工作: the tasks meetings assigned, by meeting, with state, deadline colour, percent and last progress."""
    require(may_read_ledger(request.user), _("督查督办台账不对帮扶人员开放。"))
    tasks = selectors.tasks_for(request.user)
    meetings = selectors.meetings_for(request.user).order_by("-received_on", "-id")
    form = TaskFilterForm(request.GET or None, meetings=[
        (m.pk, f"{m.received_on:%Y-%m-%d} {m.name}") for m in meetings[:500]])
    filtered = bool(set(request.GET) & {"meeting", "state"})
    if filtered and not form.is_valid():
        return error_page(request, title=_("筛选条件有误"), problems=form_problems(form), back="?")
    data = form.cleaned_data if filtered else {}
    if data.get("meeting"):
        tasks = tasks.filter(batch_id=data["meeting"])
    if data.get("state"):
        tasks = tasks.filter(state=data["state"])
    tasks = tasks.select_related("batch", "agency")
    listing = Listing(request.GET, tasks, _task_columns(), default_sort="-meeting",
                      tiebreak=("batch_id", "number", "pk"), title=_("重点工作"), unit=unit_label(request.user),
                      exportable=True)
    if listing.exporting:
        return listing.export_refusal(request) or _tasks_xlsx(request, listing)
    listing.chips_from_form(form)
    rows = list(listing.page.object_list)
    today = timezone.localdate()
    _decorate(rows, today)
    latest = selectors.last_progress(rows)
    for row in rows:
        row.last = latest.get(row.pk)
    if listing.printing:
        audit(request, AuditEvent.Action.DOWNLOAD, listing.title, count=len(rows), what="ledger_tasks_print",
              filter=listing.filter_query)
    return render(request, "supervision/task_list.html", {
        "form": form, "listing": listing, "page": listing.page, "rows": rows,
        "can_manage": may_manage_ledger(request.user)})


def _tasks_xlsx(request, listing: Listing):
    columns = [cells.SheetColumn(title, kind) for title, kind in (
        (_("会议"), cells.TEXT), (_("会议日期"), cells.DATE), (_("序号"), cells.INT), (_("任务"), cells.TEXT),
        (_("责任单位"), cells.TEXT), (_("责任人"), cells.TEXT), (_("完成时限"), cells.DATE), (_("状态"), cells.TEXT),
        (_("完成进度（%）"), cells.INT), (_("时限情况"), cells.TEXT))]
    today = timezone.localdate()
    items = list(listing.rows)
    _decorate(items, today)
    rows = ((i.batch.name if i.batch_id else "", i.batch.received_on if i.batch_id else None, i.number, i.title,
             i.agency.name if i.agency_id else "", i.responsible, i.deadline, i.get_state_display(), i.percent,
             str(i.timing_label)) for i in items)
    name = f"{_('重点工作')}-{access_for(request.user).prefix or _('全国')}-{today:%Y%m%d}.xlsx"
    response, count = cells.xlsx_response(name, _("重点工作"), columns, rows)
    audit(request, AuditEvent.Action.EXPORT, name, count=count, what="ledger_tasks", filter=listing.filter_query,
          format="xlsx", source="web")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    """会议交办: a meeting and its tasks on one page (repeated rows; blank rows are skipped)."""
    county, answer = _county_of(request)
    if answer:
        return answer
    agencies = _agency_choices(request.user, county)
    n_rows = _rows_asked(request, TASK_ROWS)
    if request.method == "POST":
        posted = request.POST.get("rows", "")
        n_rows = min(int(posted), MAX_ROWS) if posted.isdigit() and int(posted) > 0 else n_rows
    data = request.POST if request.method == "POST" else None
    form = MeetingForm(data, initial={"held_on": timezone.localdate()})
    rows = [TaskRowForm(data, prefix=f"t{n}", agencies=agencies) for n in range(n_rows)]
    problems = []
    if request.method == "POST" and form.is_valid() and all(r.is_valid() for r in rows):
        tasks = [{"title": r.cleaned_data["title"], "agency_id": r.cleaned_data["agency"],
                  "responsible": r.cleaned_data["responsible"], "deadline": r.cleaned_data["deadline"]}
                 for r in rows if not r.blank]
        ok, batch = attempt(request, lambda: services.meeting_record(
            acting_user=request.user, county=county, tasks=tasks, **form.cleaned_data),
            lambda b: _("已登记会议“%(name)s”，交办任务 %(n)d 项。") % {"name": b.name, "n": len(tasks)},
            form=form, errors=LedgerError)
        if ok:
            return redirect(f"{reverse('supervision:task_list')}?meeting={batch.pk}")
    elif request.method == "POST":
        problems = [_("第 %(n)d 行：%(what)s") % {"n": n + 1, "what": " ".join(
            str(e) for errs in r.errors.values() for e in errs)} for n, r in enumerate(rows) if r.errors]
    return render(request, "supervision/meeting_form.html", {
        "form": form, "rows": rows, "n_rows": n_rows, "more_rows": min(n_rows + TASK_ROWS, MAX_ROWS),
        "county": OrgUnit.objects.filter(code=county).first(), "row_problems": problems,
        "no_agencies": not agencies}, status=400 if request.method == "POST" else 200)


# --- 重点项目 (key projects) ---------------------------------------------------------------------------------------

def _project_columns() -> list[Column]:
    return [Column(_("项目名称"), "name", ("title",)), Column(_("责任单位"), "agency", ("agency__name",)),
            Column(_("总投资（万元）"), "investment", num=True), Column(_("完成进度（%）"), "percent", num=True),
            Column(_("节点")), Column(_("照片"), "photos", num=True), Column(_("完成时限"), "deadline"),
            Column(_("状态"), "state")]


@login_required
def project_list(request):
    """重点项目: investment, % complete (the 项目库's beside), milestones (overdue ones marked), photos and
    the deadline colour, which is 逾期 too when a milestone is overdue (selectors.tasks.project_timing)."""
    require(may_read_ledger(request.user), _("督查督办台账不对帮扶人员开放。"))
    projects = selectors.projects_for(request.user).select_related("agency", "project").prefetch_related("milestones")
    state = request.GET.get("state", "")
    if state and state not in ItemState.values:
        return error_page(request, title=_("筛选条件有误"), problems=[_("状态不在可选范围内。")], back="?")
    if state:
        projects = projects.filter(state=state)
    listing = Listing(request.GET, projects, _project_columns(), default_sort="deadline", tiebreak=("pk",),
                      title=_("重点项目"), unit=unit_label(request.user), exportable=True)
    if state:
        listing.add_chip(_("状态"), ItemState(state).label, "state")
    today = timezone.localdate()
    if listing.exporting:
        return listing.export_refusal(request) or _projects_xlsx(request, listing, today)
    rows = list(listing.page.object_list)
    _decorate(rows, today, projects=True)
    if listing.printing:
        audit(request, AuditEvent.Action.DOWNLOAD, listing.title, count=len(rows), what="ledger_projects_print",
              filter=listing.filter_query)
    return render(request, "supervision/project_list.html", {
        "listing": listing, "page": listing.page, "rows": rows, "today": today, "state": state,
        "states": ItemState.choices, "can_manage": may_manage_ledger(request.user)})


def _projects_xlsx(request, listing: Listing, today):
    columns = [cells.SheetColumn(title, kind) for title, kind in (
        (_("项目名称"), cells.TEXT), (_("责任单位"), cells.TEXT), (_("责任人"), cells.TEXT),
        (_("总投资（万元）"), cells.DECIMAL), (_("完成进度（%）"), cells.INT), (_("项目库形象进度（%）"), cells.INT),
        (_("节点数"), cells.INT), (_("逾期节点数"), cells.INT), (_("照片"), cells.INT), (_("完成时限"), cells.DATE),
        (_("状态"), cells.TEXT), (_("时限情况"), cells.TEXT))]
    items = list(listing.rows)
    _decorate(items, today, projects=True)
    rows = ((i.title, i.agency.name if i.agency_id else "", i.responsible, i.investment, i.percent,
             i.project.percent_complete if i.project_id else None, len(i.milestones.all()), i.late_milestones,
             i.photos, i.deadline, i.get_state_display(), str(i.timing_label)) for i in items)
    name = f"{_('重点项目')}-{access_for(request.user).prefix or _('全国')}-{today:%Y%m%d}.xlsx"
    response, count = cells.xlsx_response(name, _("重点项目"), columns, rows)
    audit(request, AuditEvent.Action.EXPORT, name, count=count, what="ledger_projects", filter=listing.filter_query,
          format="xlsx", source="web")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request):
    """A new key project, with its milestones (blank rows skipped)."""
    county, answer = _county_of(request)
    if answer:
        return answer
    agencies = _agency_choices(request.user, county)
    library = [(p.pk, f"{p.code} {p.name}") for p in library_projects_for(request.user)
               .filter(county_id=county).exclude(ledger_items__kind="project").order_by("-year", "code")[:500]]
    data = request.POST if request.method == "POST" else None
    form = ProjectItemForm(data, agencies=agencies, projects=library)
    n_rows = MILESTONE_ROWS
    posted = request.POST.get("rows", "") if data else ""
    n_rows = min(int(posted), MAX_ROWS) if posted.isdigit() and int(posted) > 0 else _rows_asked(request, n_rows)
    rows = [MilestoneRowForm(data, prefix=f"m{n}") for n in range(n_rows)]
    if data is not None and form.is_valid() and all(r.is_valid() for r in rows):
        d = form.cleaned_data
        milestones = [r.cleaned_data for r in rows if (r.cleaned_data.get("name") or "").strip() or r.cleaned_data.get("due")]
        ok, item = attempt(request, lambda: services.project_item_create(
            acting_user=request.user, county=county, name=d["name"], investment=d["investment"],
            agency_id=d["agency"], lead_agency_id=d["lead_agency"], responsible=d["responsible"],
            deadline=d["deadline"], project_id=d["project"], measures=d["measures"], milestones=milestones),
            _("已登记重点项目并交办责任单位。"), form=form, errors=LedgerError)
        if ok:
            return redirect("supervision:project_detail", item_id=item.pk)
    return render(request, "supervision/project_form.html", {
        "form": form, "rows": rows, "n_rows": n_rows, "more_rows": min(n_rows + MILESTONE_ROWS, MAX_ROWS),
        "county": OrgUnit.objects.filter(code=county).first(), "no_agencies": not agencies},
        status=400 if data is not None else 200)


def _project_page(request, item: Item, *, milestone_form=None, status=200):
    today = timezone.localdate()
    item = selectors.projects_for(request.user).select_related("agency", "lead_agency", "project", "batch") \
        .prefetch_related("milestones").get(pk=item.pk)
    _decorate([item], today, projects=True)
    access = access_for(request.user)
    keeps = item.is_open and ((may_manage_ledger(access) and access.reaches_code(item.county_id))
                              or acts_for(request.user, item))
    milestones = list(item.milestones.all())
    for m in milestones:
        m.late = m.done_on is None and m.due < today
    return render(request, "supervision/project_detail.html", {
        "item": item, "milestones": milestones, "photos": selectors.photos_of(item)[:60],
        "events": item.events.select_related("actor").order_by("-at", "-id")[:20], "keeps": keeps,
        "milestone_form": milestone_form or MilestoneForm(), "today": today}, status=status)


@login_required
def project_detail(request, item_id: int):
    """A key project: its figures, milestones (add, done), its photo gallery and latest log entries."""
    return _project_page(request, selectors.project_get(request.user, item_id))


@login_required
@require_http_methods(["GET", "POST"])
def milestone_new(request, item_id: int):
    item = selectors.project_get(request.user, item_id)
    if request.method != "POST":
        return redirect("supervision:project_detail", item_id=item.pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        ok, _made = attempt(request, lambda: services.milestone_add(
            acting_user=request.user, item_id=item.pk, **form.cleaned_data), _("已新增节点。"),
            form=form, errors=LedgerError)
        if ok:
            return redirect("supervision:project_detail", item_id=item.pk)
    return _project_page(request, item, milestone_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_done(request, item_id: int, milestone_id: int):
    item = selectors.project_get(request.user, item_id)
    if request.method == "POST":
        attempt(request, lambda: services.milestone_done(acting_user=request.user, item_id=item.pk,
                                                         milestone_id=milestone_id),
                _("节点已标记为完成。"), errors=LedgerError)
    return redirect("supervision:project_detail", item_id=item.pk)
