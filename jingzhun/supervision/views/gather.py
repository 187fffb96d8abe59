"""归集 pages: gather data problems (or 监测线索) of a village, township or the county into one ledger item,
with a preview of what would be gathered; and an item's gathered problems, paged.

The gather pages are the county's (may_manage_ledger; others 403 before anything); the problem list of
an item is read by whoever reads the item (supervision.selectors.item_get: out of reach is a 404) and shows
each problem as the checks pages do (ID numbers masked for the roles that must not see them).
`gathered_context` gives an item's detail page what `supervision/_gathered.html` shows.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun.checks.messages import MessageRenderer
from jingzhun.checks.services import problem_kinds
from jingzhun.listing import Column, Listing
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.forms import UnitFilterForm
from jingzhun.orgunits.models import OrgUnit
from jingzhun.orgunits.permissions import may_manage_ledger, require
from jingzhun.orgunits.selectors import filter_units

from ..models import Item
from ..selectors import agencies_for, batches_for, item_get, items_for
from ..selectors.gather import gathered_leads, gathered_problems, reappeared
from ..services import gather as services
from ..services.items import LedgerError, unresolved
from ..vocab import ItemKind, ItemState

#: Rows of the preview table (by village and rule) and of the item page's include.
PREVIEW_ROWS = 30
INCLUDE_ROWS = 10
KIND_CHOICES = [("", gettext_lazy("全部")), ("data_check", gettext_lazy("数据核查")),
                ("comparison", gettext_lazy("部门比对")), ("assessment", gettext_lazy("考核评估"))]


def _require(request) -> None:
    require(may_manage_ledger(request.user), _("只有县级管理员可以把问题数据或监测线索归集为整改任务。"))


def _short(name: str | None) -> str:
    return OrgUnit(name=name).short_name if name else ""


# --- forms ------------------------------------------------------------------------------------------


class _ScopeForm(UnitFilterForm):
    """The county (filled in for a county admin) and, within it, a township or village."""

    county = forms.RegexField(label=gettext_lazy("县（区划代码）"), regex=r"^[0-9]{6}$", max_length=6,
                              error_messages={"invalid": gettext_lazy("县的区划代码是 6 位数字。"),
                                              "required": gettext_lazy("请填写县的区划代码。")})

    def __init__(self, *args, user, **kwargs):
        data = args[0] if args else kwargs.get("data")
        data = data or {}
        super().__init__(*args, units=filter_units(user, data.get("township", ""), data.get("village", "")), **kwargs)
        self.user = user
        self.order_fields(["county", "township", "village"] + [n for n in self.fields
                                                               if n not in ("county", "township", "village")])

    def clean(self):
        cleaned = super().clean()
        county = cleaned.get("county")
        if county and not access_for(self.user).reaches_code(county):
            self.add_error("county", _("该县不在您的管辖范围内。"))
        unit = cleaned.get("village") or cleaned.get("township") or ""
        if county and unit and not unit.startswith(county):
            self.add_error("township" if not cleaned.get("village") else "village", _("所选乡镇或村不属于该县。"))
        return cleaned

    @property
    def chosen(self) -> str:
        return self.cleaned_data.get("village") or self.cleaned_data.get("township") or ""


class ProblemScopeForm(_ScopeForm):
    rule = forms.ChoiceField(label=gettext_lazy("规则"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("问题类别"), required=False, choices=KIND_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("全部"))] + [(code, f"{code} {r.name_shown}")
                                                           for code, r in problem_kinds().items()]

    def which(self) -> services.ProblemFilter:
        data = self.cleaned_data
        return services.ProblemFilter(unit=self.chosen, rule=data.get("rule", ""), kind=data.get("kind", ""))


class LeadScopeForm(_ScopeForm):
    overdue = forms.BooleanField(label=gettext_lazy("只归集已超过核实期限的线索"), required=False)

    def which(self) -> services.LeadFilter:
        return services.LeadFilter(unit=self.chosen, overdue=bool(self.cleaned_data.get("overdue")))


class GatherForm(forms.Form):
    """What the new item takes (or which open item the records join)."""

    into = forms.TypedChoiceField(label=gettext_lazy("归集方式"), required=False, coerce=int, empty_value=None,
                                  help_text=gettext_lazy("默认新建一个整改任务；也可追加到本县尚未报告办结的事项。"))
    title = forms.CharField(label=gettext_lazy("事项名称"), required=False, max_length=200,
                            help_text=gettext_lazy("不填则自动生成，如“下高池村 47 条问题数据整改”。"))
    agency = forms.TypedChoiceField(label=gettext_lazy("责任单位"), required=False, coerce=int, empty_value=None,
                                    help_text=gettext_lazy("不填则为问题所在的村（或乡镇）。"))
    deadline = forms.DateField(label=gettext_lazy("整改时限"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    batch = forms.TypedChoiceField(label=gettext_lazy("交办批次"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, user, county: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = [("", _("新建整改任务"))] + [
            (i.pk, f"{i.pk} · {i.title[:40]}") for i in items_for(user).filter(
                county_id=county, kind=ItemKind.PROBLEM,
                state__in=(ItemState.DRAFT, ItemState.ASSIGNED, ItemState.DOING)).order_by("-pk")[:200]]
        self.fields["agency"].choices = [("", _("（自动）"))] + [
            (a.pk, a.name) for a in agencies_for(user).filter(county_id=county, active=True)]
        self.fields["batch"].choices = [("", _("（无）"))] + [
            (b.pk, b.name) for b in batches_for(user).filter(county_id=county)]

    def clean_deadline(self):
        deadline = self.cleaned_data.get("deadline")
        if deadline and deadline < datetime.date(2000, 1, 1):
            raise forms.ValidationError(_("整改时限应在 2000 年之后。"))
        return deadline


# --- the gather pages -------------------------------------------------------------------------------


def _scope_data(request) -> dict:
    """The scope comes in the query (preview) or the POST (create); a county admin's county is filled in."""
    source = request.POST if request.method == "POST" else request.GET
    data = source.copy()
    prefix = access_for(request.user).prefix
    if not data.get("county") and len(prefix) == 6:
        data["county"] = prefix
    return data


def _gather_page(request, *, leads: bool):
    _require(request)
    data = _scope_data(request)
    scope_form = (LeadScopeForm if leads else ProblemScopeForm)(data if data.get("county") else None,
                                                                user=request.user)
    preview = gather_form = None
    breakdown: list[dict] = []
    if scope_form.is_bound and scope_form.is_valid():
        county = scope_form.cleaned_data["county"]
        try:
            preview = (services.leads_to_gather(request.user, county=county, which=scope_form.which()) if leads else
                       services.problems_to_gather(request.user, county=county, which=scope_form.which()))
        except LedgerError as error:
            scope_form.add_error(None, error.message)
        else:
            breakdown = _breakdown(preview, leads=leads)
            gather_form = GatherForm(request.POST if request.method == "POST" else None, user=request.user,
                                     county=county)
            if request.method == "POST":
                done = _gather(request, gather_form, county=county, which=scope_form.which(), leads=leads)
                if done is not None:
                    return redirect(done)
    return render(request, "supervision/gather.html", {
        "scope_form": scope_form, "gather_form": gather_form, "preview": preview, "breakdown": breakdown,
        "leads": leads, "scope_hidden": [(name, scope_form.data.get(name)) for name in scope_form.fields
                                         if scope_form.is_bound and scope_form.data.get(name)],
        "title": _("监测线索归集为整改任务") if leads else _("问题数据归集为整改任务")})


def _gather(request, form: GatherForm, *, county: str, which, leads: bool) -> str | None:
    """Create (or add to) the item; the URL of its gathered list, or None with the errors on the form."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        if data["into"] is not None:
            add = services.item_add_leads if leads else services.item_add_problems
            item = add(acting_user=request.user, item_id=data["into"], which=which)
        else:
            gather = services.item_gather_leads if leads else services.item_gather_problems
            batch = batches_for(request.user).filter(pk=data["batch"], county_id=county).first() \
                if data["batch"] is not None else None
            item = gather(acting_user=request.user, county=county, which=which, title=data["title"],
                          agency_id=data["agency"], deadline=data["deadline"], batch=batch)
    except LedgerError as error:
        form.add_error(None, error.message)
        return None
    note = item.events.filter(kind="gather").order_by("-pk").values_list("note", flat=True).first() or ""
    messages.success(request, _("已归集到事项“%(title)s”：%(note)s") % {"title": item.title[:60], "note": note})
    return reverse("supervision:item_leads" if leads else "supervision:item_problems", kwargs={"item_id": item.pk})


def _breakdown(preview, *, leads: bool) -> list[dict]:
    """Counts by village (and rule, for problems), the largest first, for the preview table."""
    names = dict(OrgUnit.objects.filter(code__in=preview.villages).values_list("code", "name"))
    if leads:
        rows = preview.rows.order_by().values("village_id").annotate(n=Count("id")).order_by("-n", "village_id")
        return [{"village": _short(names.get(r["village_id"])) or r["village_id"], "rule": "", "n": r["n"]}
                for r in rows[:PREVIEW_ROWS]]
    kinds = problem_kinds()
    rows = preview.rows.order_by().values("village", "rule").annotate(n=Count("id")).order_by("-n", "village", "rule")
    return [{"village": _short(names.get(r["village"])) or r["village"],
             "rule": f"{r['rule']} {kinds[r['rule']].name_shown}" if r["rule"] in kinds else r["rule"], "n": r["n"]}
            for r in rows[:PREVIEW_ROWS]]


@login_required
@require_http_methods(["GET", "POST"])
def gather_problems(request):
    return _gather_page(request, leads=False)


@login_required
@require_http_methods(["GET", "POST"])
def gather_leads(request):
    return _gather_page(request, leads=True)


# --- an item's gathered problems and leads ----------------------------------------------------------


def _problem_rows(user, problems) -> None:
    """Each problem as the checks pages show it to `user` (rule name, member's ID masked, message filled)."""
    access = access_for(user)
    kinds = problem_kinds()
    shown = MessageRenderer.for_user(user)
    shown.prepare((p.message, p.detail) for p in problems)
    for p in problems:
        p.rule_name = kinds[p.rule].name_shown if p.rule in kinds else ""
        p.person_shown = access.mask_id(p.person)
        p.message_shown = shown.render(p.message, p.detail)
        p.village_short = _short(p.village_name)


def gathered_context(user, item: Item, *, limit: int = INCLUDE_ROWS) -> dict:
    """What `supervision/_gathered.html` shows for an item: its first problems and leads in the user's reach,
    the counts (all, in reach, unresolved) and the warning when a closed item's problems came back."""
    problems = gathered_problems(user, item).order_by("village", "household", "rule", "person", "pk")
    rows = list(problems[:limit])
    _problem_rows(user, rows)
    leads = list(gathered_leads(user, item).order_by("village_id", "verify_due", "pk")[:limit])
    total_problems, total_leads = item.problems.count(), item.leads.count()
    open_problems, open_leads = unresolved(item)
    return {"item": item, "problems": rows, "problem_total": total_problems, "problem_shown": problems.count(),
            "leads": leads, "lead_total": total_leads, "lead_shown": gathered_leads(user, item).count(),
            "open_problems": open_problems, "open_leads": open_leads, "reappeared": reappeared(item),
            "limit": limit}


def _columns() -> list[Column]:
    return [Column(_("规则"), "rule"), Column(_("问题名称")), Column(_("户编号"), "household"),
            Column(_("户主"), "head", ("head_name",)), Column(_("涉及成员")), Column(_("村"), "village"),
            Column(_("说明")), Column(_("状态"), "status"), Column(_("最近发现"), "last", ("last_seen",)),
            Column(_("问题清单"))]


@login_required
@require_GET
def item_problems(request, item_id: int):
    item = item_get(request.user, item_id)
    listing = Listing(request.GET, gathered_problems(request.user, item), _columns(), default_sort="village",
                      tiebreak=("household", "rule", "person", "id"),
                      title=_("“%(title)s”归集的问题数据") % {"title": item.title[:60]}, unit=item.title[:60])
    page = listing.page
    _problem_rows(request.user, page.object_list)
    if listing.printing:  # a printed list carries (masked) ID numbers: audited like a download
        audit(request, AuditEvent.Action.DOWNLOAD, listing.title, count=len(page.object_list),
              what="ledger_item_problems_print", item=item.pk)
    gathered = gathered_context(request.user, item, limit=0)
    return render(request, "supervision/item_problems.html", {
        "item": item, "listing": listing, "page": page, "gathered": gathered})


@login_required
@require_GET
def item_leads(request, item_id: int):
    item = item_get(request.user, item_id)
    listing = Listing(request.GET, gathered_leads(request.user, item), [
        Column(_("线索编号"), "id", ("id",)), Column(_("村"), "village", ("village_id",)), Column(_("户编号")),
        Column(_("风险类型"), "risk", ("risk_type",)), Column(_("来源渠道")), Column(_("状态"), "status"),
        Column(_("核实期限"), "due", ("verify_due",))], default_sort="due", tiebreak=("id",),
        title=_("“%(title)s”归集的监测线索") % {"title": item.title[:60]}, unit=item.title[:60])
    page = listing.page
    for lead in page.object_list:
        lead.village_short = lead.village.short_name
    gathered = gathered_context(request.user, item, limit=0)
    return render(request, "supervision/item_leads.html", {
        "item": item, "listing": listing, "page": page, "gathered": gathered})
