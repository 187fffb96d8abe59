"""Workflow pages: thin views over selectors (reads) and services (writes)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jingzhun import cells
from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent, Role
from jingzhun.listing import Column, Listing
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_act, may_green_channel, may_override_exit, require
from jingzhun.orgunits.models import Level
from jingzhun.policy import PolicyPackError
from jingzhun.registry import vocab
from jingzhun.orgunits.selectors import unit_label
from jingzhun.registry.selectors import household_get, unit_get

from . import evaluation, ledger, selectors, services
from .actions import OPEN_URLS
from .common import attempt, policy_failure
from .comparison import candidate_comparison
from .definitions import ADDING_CHANGES, PUBLIC_TYPES, ChangeType, Kind, next_step, step_of, steps_of
from .forms import (
    CandidateForm,
    CandidateMemberFormSet,
    EvaluationForm,
    GreenChannelForm,
    LedgerFilterForm,
    NewMemberForm,
    OpenForm,
    OverrideForm,
    StepForm,
    default_period,
)
from .member_change import IncomeImpact, income_impact, member_change_rows
from .models import LedgerEvent, Procedure, StepRecord
from .signals import all_answers, exit_assessment, exit_survey_results, first_answer


def _procedure_columns() -> list[Column]:
    return [Column(_("编号"), "id", ("pk",)), Column(_("程序"), "kind"), Column(_("村"), "village", ("village__name",)),
            Column(_("户主姓名"), "head", ("head_name",)), Column(_("年度"), "year"), Column(_("当前步骤")),
            Column(_("状态"), "state"), Column(_("发起人"), "by", ("opened_by__full_name", "opened_by__username")),
            Column(_("发起时间"), "opened", ("opened_at",))]


@login_required
def procedure_list(request):
    access = access_for(request.user)
    procedures = selectors.procedures_for(request.user).select_related("village", "opened_by")
    kind, state = request.GET.get("kind", ""), request.GET.get("state", "open")
    if kind in Kind.values:
        procedures = procedures.filter(kind=kind)
    if state in Procedure.State.values:
        procedures = procedures.filter(state=state)
    listing = Listing(request.GET, procedures, _procedure_columns(), default_sort="-opened", tiebreak=("-pk",),
                      title=_("办理程序清单"), unit=unit_label(request.user))
    if kind in Kind.values:
        listing.add_chip(_("程序"), Kind(kind).label, "kind")
    if state in Procedure.State.values:  # 办理中 is the default: removing it shows every state
        listing.add_chip(_("状态"), Procedure.State(state).label, "state", reset={"state": "all"})
    for p in listing.page.object_list:
        step = p.current_step
        p.mine = bool(step and may_act(access, step))
    return render(request, "workflows/procedure_list.html", {
        "listing": listing, "page": listing.page, "kinds": Kind.choices, "states": Procedure.State.choices,
        "kind": kind, "state": state,
        "can_apply": may_act(access, steps_of(Kind.ENTRY)[0]),
        "can_open": any(may_act(access, steps_of(kind)[0]) for kind in _OPEN_URLS),
        "open_kinds": [(k, Kind(k).label) for k in _OPEN_URLS],
        "awaiting": sum(len(v) for v in selectors.awaiting_publication(request.user).values()),
    })


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request):
    require(may_act(request.user, steps_of(Kind.ENTRY)[0]), _("精准识别申请由村级信息员登记。"))
    form = CandidateForm(request.POST or None, request.FILES or None)
    members = CandidateMemberFormSet(request.POST or None, prefix="members")
    if request.method == "POST" and form.is_valid() and members.is_valid():
        rows = [f.cleaned_data for f in members.forms if f.has_changed() and f.cleaned_data]
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("year", "note", "evidence")}
        ok, procedure = attempt(request, lambda: services.entry_open(
            acting_user=request.user, village_code=request.user.org_unit_id, household=data, members=rows,
            year=form.cleaned_data["year"], note=form.cleaned_data["note"], evidence=form.cleaned_data["evidence"]),
            _("已登记识别申请，下一步：村民小组评议。"), form=form)
        if ok:
            return redirect("workflows:procedure_detail", procedure_id=procedure.pk)
    return render(request, "workflows/entry_form.html", {"form": form, "members": members})


def _open_view(request, code: str, kind: str):
    household = household_get(request.user, code)
    require(may_act(request.user, steps_of(kind)[0]),
            _("“%(kind)s”由%(role)s发起。") % {"kind": Kind(kind).label, "role": Role(steps_of(kind)[0].role).label})
    # The service's own precondition: a form that cannot succeed is not offered (nor taken if posted).
    refusal = services.start_refusal(request.user, household, kind)
    if refusal:
        current = household.procedures.filter(state=Procedure.State.OPEN).first()
        return render(request, "workflows/open_refused.html", {"household": household, "kind_label": Kind(kind).label,
                                                               "refusal": refusal, "current": current})
    normal = list(household.members.filter(status=vocab.MemberStatus.NORMAL).exclude(relation=vocab.Relation.HEAD))
    form = OpenForm(request.POST or None, request.FILES or None, members=normal,
                    initial={"year": services.latest_line_year(household.code[:2])})
    new_member = NewMemberForm(request.POST or None, prefix="new") if kind == Kind.MEMBER_CHANGE else None
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("reason_category", "change", "member_id") if form.cleaned_data.get(k)}
        ok = True
        if kind == Kind.MEMBER_CHANGE and data.get("change") in ADDING_CHANGES:
            ok = new_member.is_valid()
            if ok:
                data["member"] = new_member.cleaned_data
        if ok:
            ok, procedure = attempt(request, lambda: services.procedure_open(
                acting_user=request.user, kind=kind, household_code=household.code, year=form.cleaned_data.get("year"),
                note=form.cleaned_data["note"], data=data, evidence=form.cleaned_data["evidence"]),
                _("已发起“%(kind)s”。") % {"kind": Kind(kind).label}, form=form)
            if ok:
                return redirect("workflows:procedure_detail", procedure_id=procedure.pk)
    impacts = None
    if kind == Kind.MEMBER_CHANGE:
        impacts = {"add": income_impact(household, ChangeType.BIRTH), "remove": income_impact(household, ChangeType.DEATH)}
    return render(request, "workflows/open_form.html", {"form": form, "new_member": new_member, "kind": kind,
                                                        "kind_label": Kind(kind).label, "household": household,
                                                        "impacts": impacts})


_OPEN_URLS = OPEN_URLS


@login_required
def procedure_start(request):
    """From the list page: a 户编号 and a procedure kind → that household's opening form."""
    code, kind = request.GET.get("code", "").strip(), request.GET.get("kind", "")
    if kind not in _OPEN_URLS or not code.isdigit() or len(code) != 16:
        messages.error(request, _("请填写 16 位户编号并选择要办理的程序。"))
        return redirect("workflows:procedure_list")
    return redirect(_OPEN_URLS[kind], code=code)


@login_required
@require_http_methods(["GET", "POST"])
def procedure_new(request, code: str, kind: str):
    """Open an exit, return, removal or member-change procedure for a household (the kind comes from urls.py)."""
    return _open_view(request, code, kind)


_EFFECT = {Kind.MONITORING_ENTRY: gettext_lazy("该户纳入监测（户类别改为“监测户”）"),
           Kind.RISK_ELIMINATION: gettext_lazy("该户标记为风险已消除"),
           Kind.EXIT: gettext_lazy("该户标记为“已脱贫”"), Kind.RETURN: gettext_lazy("该户标记为“返贫”"),
           Kind.REMOVAL: gettext_lazy("该户被清退（脱贫状态改为“清退”）"), Kind.ENTRY: gettext_lazy("该户纳入建档立卡")}


def _confirmations(procedure: Procedure, step) -> tuple[str, str]:
    """(approve, reject): what each button will do, asked before it is done (app.js, data-confirm)."""
    following = next_step(procedure.kind, step.code)
    if following is not None:
        approve = _("确定“%(step)s”通过？程序将进入下一步“%(next)s”，不能撤回。") % {"step": step.label,
                                                                                  "next": following.label}
    else:
        if procedure.kind == Kind.MEMBER_CHANGE:
            effect = _("办理%(change)s：%(person)s（写入家庭成员和申报年人均纯收入）") % {
                "change": ChangeType(procedure.payload.get("change")).label, "person": procedure.payload.get("person")}
        else:
            effect = str(_EFFECT[procedure.kind])
        approve = _("确定审批通过？通过后%(effect)s，写入建档立卡数据和动态调整台账，不能撤回。") % {"effect": effect}
    if step.type == "consent":
        reject = _("确定农户不认可？该户的户退出程序将终止，不能恢复；如需退出须重新发起。")
    else:
        reject = _("确定不通过？该户的“%(kind)s”程序将终止，不能恢复；理由记入办理记录，如需再办须重新发起。") % {
            "kind": procedure.get_kind_display()}
    return approve, reject


def _member_change_context(procedure: Procedure, step, access) -> dict:
    """The change field by field and its effect on the income figures: live while the approval waits,
    as recorded at the approval once it is done."""
    if procedure.kind != Kind.MEMBER_CHANGE:
        return {}
    context = {"change_label": ChangeType(procedure.payload["change"]).label,
               "change_rows": member_change_rows(procedure, access)}
    approval = procedure.records.filter(decision=StepRecord.Decision.APPROVED).order_by("-at", "-pk").first()
    if procedure.state == Procedure.State.OPEN and procedure.household_id:
        context["impact"] = income_impact(procedure.household, procedure.payload["change"])
    elif approval is not None and approval.data.get("income"):
        context["impact"] = IncomeImpact.from_dict(approval.data["income"])
        context["declared_written"] = approval.data.get("declared_after")
    # a declared figure to confirm or correct (a household without one is not given one unasked)
    context["asks_declared"] = bool(step and next_step(procedure.kind, step.code) is None and "impact" in context
                                    and context["impact"].declared is not None)
    return context


def _procedure_page(request, procedure: Procedure, *, form: StepForm | None = None, status: int = 200):
    access = access_for(request.user)
    step = procedure.current_step
    can_act = bool(procedure.state == Procedure.State.OPEN and step and step.type not in PUBLIC_TYPES
                   and may_act(access, step))
    candidate_members = [dict(m, id_shown=access.mask_id(m.get("id_number", "")))
                         for m in procedure.payload.get("members", [])]
    criteria = [evaluation.Criterion(**c) for c in procedure.payload.get("criteria", [])]
    records = list(procedure.records.select_related("actor").order_by("at", "pk"))
    change = _member_change_context(procedure, step, access)
    if form is None:
        initial = {"step": procedure.step}
        if change.get("asks_declared") and change["impact"].per_capita_after is not None:
            initial["declared_per_capita_income"] = change["impact"].per_capita_after
        form = StepForm(initial=initial)
    approve_confirm, reject_confirm = _confirmations(procedure, step) if can_act else ("", "")
    return render(request, "workflows/procedure_detail.html", {
        "procedure": procedure, "steps": steps_of(procedure.kind), "step": step, "records": records,
        "done_steps": {r.step for r in records if r.decision in ("applied", "approved")},
        "can_act": can_act, "form": form, "approve_confirm": approve_confirm, "reject_confirm": reject_confirm,
        "candidate": procedure.payload.get("household", {}), "candidate_members": candidate_members,
        "criteria": criteria, "overridden": set(procedure.override_criteria),
        "can_override": (procedure.kind == Kind.EXIT and procedure.state == Procedure.State.OPEN
                         and may_override_exit(access)),
        "override_form": OverrideForm(),
        "can_green_channel": (procedure.kind == Kind.MONITORING_ENTRY and procedure.state == Procedure.State.OPEN
                              and not procedure.green_channel
                              and procedure.payload.get("monitoring_class") == vocab.MonitoringClass.SUDDEN
                              and may_green_channel(access)),
        "green_form": GreenChannelForm(), "objections": procedure.objections.select_related("batch", "recorded_by"),
        "batches": procedure.batches.all(),
        "comparison": (candidate_comparison(procedure) if step and step.type == "comparison" else None),
        **change,
    }, status=status)


@login_required
def procedure_detail(request, procedure_id: int):
    return _procedure_page(request, selectors.procedure_get(request.user, procedure_id))


@login_required
@require_http_methods(["GET", "POST"])
def procedure_act(request, procedure_id: int):
    procedure = selectors.procedure_get(request.user, procedure_id)
    if request.method != "POST":
        return redirect("workflows:procedure_detail", procedure_id=procedure.pk)
    form = StepForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        ok, _record = attempt(request, lambda: services.procedure_act(
            acting_user=request.user, procedure_id=procedure.pk, step=data["step"],
            approve=data["decision"] != "reject", note=data["note"], evidence=data["evidence"],
            data={"food_clothing": data["food_clothing"], "comparison": data["comparison"],
                  "declared_per_capita_income": data["declared_per_capita_income"]}),
            lambda _record: _("已办理“%(step)s”。") % {"step": step_of(procedure.kind, data["step"]).label}, form=form)
        if ok:
            return redirect("workflows:procedure_detail", procedure_id=procedure.pk)
    # The page again, with what was filled in and the errors at the top and at each field.
    procedure.refresh_from_db()
    return _procedure_page(request, procedure, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def procedure_override(request, procedure_id: int):
    procedure = selectors.procedure_get(request.user, procedure_id)
    if request.method != "POST":
        return redirect("workflows:procedure_detail", procedure_id=procedure.pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明特批理由（至少 10 个字）。"))
    else:
        attempt(request, lambda: services.exit_override(acting_user=request.user, procedure_id=procedure.pk,
                                                        reason=form.cleaned_data["reason"]),
                _("已特批未达标的指标，理由已记录。"))
    return redirect("workflows:procedure_detail", procedure_id=procedure.pk)


@login_required
def evidence(request, record_id: int):
    record = selectors.record_get(request.user, record_id)
    if not record.evidence:
        raise Http404("no evidence")
    audit(request, AuditEvent.Action.DOWNLOAD, record.evidence_name or record.evidence.name, count=1, what="evidence")
    return FileResponse(record.evidence.open("rb"), as_attachment=True, filename=record.evidence_name or None)


# --- 动态调整台账 ----------------------------------------------------------------------------------------

def _ledger_filter(request):
    form = LedgerFilterForm(request.GET or None)
    default_start, default_end = default_period()
    org = request.user.org_unit_id or ""
    start, end, type_ = default_start, default_end, ""
    if request.GET and form.is_valid():
        org = form.cleaned_data["org"] or org
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
        type_ = form.cleaned_data["type"]
    if org:
        unit_get(request.user, org)
    elif not access_for(request.user).active:
        raise Http404("no reach")
    return form, org, start, end, type_


@login_required
def ledger_page(request):
    form, org, start, end, _type = _ledger_filter(request)
    total, children = ledger.ledger_counts(selectors.events_for(request.user), org=org, start=start, end=end)
    return render(request, "workflows/ledger.html", {
        "form": form, "total": total, "children": children, "org": org, "start": start, "end": end,
        "text": ledger.ledger_text(total), "types": ledger.TYPES, "level": len(org),
        "child_texts": [(c, ledger.ledger_text(c)) for c in children],
    })


@login_required
def ledger_events(request):
    form, org, start, end, type_ = _ledger_filter(request)
    events = ledger.events_in(selectors.events_for(request.user), org=org, start=start, end=end)
    if type_:
        events = events.filter(type=type_)
    listing = Listing(request.GET, events.select_related("actor"), _event_columns(), default_sort="-effective",
                      tiebreak=("-pk",), title=_("动态调整记录"), unit=unit_label(request.user, org), exportable=True)
    if listing.exporting:
        return listing.export_refusal(request) or _ledger_events_xlsx(request, listing, org=org, start=start, end=end)
    if request.GET.get("org"):
        listing.add_chip(_("区划代码"), org, "org")
    if request.GET.get("start") or request.GET.get("end"):
        listing.add_chip(_("期间"), f"{start:%Y-%m-%d} — {end:%Y-%m-%d}", "start", also=("end",))
    if type_:
        listing.add_chip(_("类型"), LedgerEvent.Type(type_).label, "type")
    return render(request, "workflows/ledger_events.html", {
        "form": form, "listing": listing, "page": listing.page, "org": org, "start": start, "end": end,
        "type_label": LedgerEvent.Type(type_).label if type_ else _("全部")})


def _ledger_events_xlsx(request, listing: Listing, *, org: str, start, end):
    """The events of the list (its filters and order) as a workbook, audited like every export."""
    columns = [cells.SheetColumn(title, kind) for title, kind in (
        (_("生效日期"), cells.DATE), (_("类型"), cells.TEXT), (_("户编号"), cells.TEXT), (_("村代码"), cells.TEXT),
        (_("户主姓名"), cells.TEXT), (_("涉及人数"), cells.INT), (_("说明"), cells.TEXT), (_("办理人"), cells.TEXT),
        (_("来源"), cells.TEXT), (_("程序编号"), cells.INT))]
    rows = ((e.effective, e.get_type_display(), e.household, e.village, e.head_name, e.persons, e.detail,
             str(e.actor) if e.actor else "", e.get_source_display(), e.procedure_id) for e in listing.rows.iterator(2000))
    name = f"{_('动态调整记录')}-{org or _('全国')}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    response, count = cells.xlsx_response(name, _("动态调整记录"), columns, rows)
    audit(request, AuditEvent.Action.EXPORT, name, count=count, what="ledger_events", filter=listing.filter_query,
          format="xlsx", source="web")
    return response


def _event_columns() -> list[Column]:
    return [Column(_("生效日期"), "effective"), Column(_("类型"), "type"), Column(_("户编号"), "household"),
            Column(_("户主姓名"), "head", ("head_name",)), Column(_("涉及人数"), "persons", num=True),
            Column(_("说明")), Column(_("办理人"), "actor", ("actor__full_name", "actor__username")),
            Column(_("来源"), "source")]


# --- 退出评估 -----------------------------------------------------------------------------------------

def _evaluation_year(request) -> int:
    form = EvaluationForm(request.GET or None)
    if request.GET and form.is_valid() and form.cleaned_data.get("year"):
        return form.cleaned_data["year"]
    return timezone.localdate().year


@login_required
def village_exit(request, unit: str):
    return _exit_evaluation(request, unit, level=Level.VILLAGE, criteria=evaluation.village_exit_criteria,
                            title=_("贫困村退出评估"), sections=lambda code, year: all_answers(
                                exit_survey_results, village=code, year=year, user=request.user))


@login_required
def county_exit(request, unit: str):
    def criteria(code, *, year, as_of):
        # the latest third-party assessment's 三率一度, when the assessment module has one (signals.py)
        assessment = first_answer(exit_assessment, county=code, year=year, user=request.user)
        return evaluation.county_exit_criteria(code, year=year, as_of=as_of, assessment=assessment)

    return _exit_evaluation(request, unit, level=Level.COUNTY, criteria=criteria,
                            title=_("贫困县退出评估（三率一度）"))


def _exit_evaluation(request, code: str, *, level: int, criteria, title: str, sections=None):
    """A unit of `level` evaluated criterion by criterion against its pack (`criteria` computes them)."""
    unit = unit_get(request.user, code)
    if unit.level != level:
        raise Http404("not a unit of that level")
    year = _evaluation_year(request)
    try:
        pack, rows = criteria(unit.code, year=year, as_of=timezone.localdate())
    except PolicyPackError as exc:
        messages.error(request, policy_failure(exc).message)
        return redirect("registry:division", code=unit.code)
    return render(request, "workflows/exit_evaluation.html", {
        "unit": unit, "year": year, "pack": pack, "criteria": rows, "overall": evaluation.overall(rows),
        # the packs' titles, never their file names
        "basis": [_(t) for t in pack.titles], "title": title,
        "form": EvaluationForm(initial={"year": year}),
        "survey_sections": sections(unit.code, year) if sections else []})
