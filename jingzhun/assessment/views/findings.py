"""Findings pages: an assessment's findings with their deadlines and disputes, the county's dispute form,
the panel's decision, the evidence download and the confirmation that makes findings problem records."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jingzhun.accounts.audit import audit, client_ip
from jingzhun.accounts.models import AuditEvent
from jingzhun.checks.messages import MessageRenderer
from jingzhun.checks.services import problem_kinds
from jingzhun.orgunits.models import OrgUnit
from jingzhun.orgunits.permissions import may_dispute_finding, may_survey, require
from jingzhun.registry.selectors import households_for

from ..models import Case, Staff
from ..selectors import assessment_get, case_get, duty_of
from ..selectors.findings import (
    KINDS,
    dispute_get,
    dispute_last_day,
    dispute_open,
    finding_codes,
    finding_rows,
    findings_for,
)
from ..services import findings as services

EVIDENCE_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png"}


class FindingFilterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("问题类型"), required=False,
                             choices=[("", gettext_lazy("全部"))] + [(value, label) for value, label, _q in KINDS])


class DisputeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("申诉理由"), max_length=services.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": gettext_lazy("请写明申诉理由。")},
                             help_text=gettext_lazy("说明评估结论与实际情况哪里不符，以及佐证材料证明了什么。"))
    evidence = forms.FileField(label=gettext_lazy("佐证材料"),
                               error_messages={"required": gettext_lazy("请上传佐证材料（PDF 文件或照片）。")},
                               help_text=gettext_lazy("PDF 文件或照片（JPG、PNG），不超过 20 MB。"),
                               widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf,image/jpeg,image/png"}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("upheld", gettext_lazy("维持原结论")), ("overturned", gettext_lazy("改判"))],
                                 error_messages={"required": gettext_lazy("请选择“维持原结论”或“改判”。"),
                                                 "invalid_choice": gettext_lazy("请选择“维持原结论”或“改判”。")})
    note = forms.CharField(max_length=services.REASON_MAX, required=False)


def _case(user, assessment_id: int, case_id: int) -> Case:
    """A case of the assessment in reach (404 for another assessment's case, as for one out of reach)."""
    case = case_get(user, case_id)
    if case.assessment_id != assessment_id:
        raise Http404("case of another assessment")
    return case


def _village_names(codes) -> dict[str, str]:
    return {u.code: u.short_name for u in OrgUnit.objects.filter(code__in=set(codes))}


def _rectify_days(assessment) -> int | None:
    """The deadline the confirmation would set (None when the design holds a bad one: the POST says why)."""
    try:
        return services.rectify_days(assessment)
    except ValidationError:
        return None


@login_required
@require_GET
def findings(request, assessment_id: int):
    """评估问题: every finding of an assessment with its reasons, deadline, days left and dispute state."""
    assessment = assessment_get(request.user, assessment_id)
    form = FindingFilterForm(request.GET or None)
    cases = findings_for(request.user, assessment)
    kind = form.cleaned_data["kind"] if form.is_bound and form.is_valid() else ""
    if kind:
        cases = cases.filter(dict((v, q) for v, _l, q in KINDS)[kind])
    rows = finding_rows(cases, assessment=assessment)
    everything = findings_for(request.user, assessment)
    counts = {value: everything.filter(q).count() for value, _l, q in KINDS}
    shown = MessageRenderer.for_user(request.user)  # reasons are generated, but mask any number they hold
    linked = set(households_for(request.user).filter(code__in=[r.case.household_id for r in rows if r.case.household_id])
                 .values_list("code", flat=True))
    names = _village_names(r.case.village for r in rows)
    kinds = problem_kinds()
    for row in rows:
        row.linked = row.case.household_id in linked
        row.village_name = names.get(row.case.village, row.case.village)
        row.kinds = [kinds[code].name_shown for code in row.codes]
        row.reasons = [shown.render(r.get("text", ""), {}) for r in row.case.reasons or [] if isinstance(r, dict)]
        row.can_dispute = False
    can_dispute = may_dispute_finding(request.user)
    if can_dispute:
        today = timezone.localdate()
        for row in rows:
            row.can_dispute = (row.dispute is None and bool(row.codes) and row.last_day is not None
                               and today <= row.last_day)
    headquarters = may_survey(request.user) and duty_of(request.user, assessment) == Staff.Duty.HEADQUARTERS
    return render(request, "assessment/findings.html", {
        "assessment": assessment, "form": form, "rows": rows, "kind": kind,
        "counts": [(value, label, counts.get(value, 0)) for value, label, _q in KINDS], "total": everything.count(),
        "headquarters": headquarters, "can_dispute": can_dispute,
        "rectify_days": _rectify_days(assessment) if headquarters else None,
        "decide_form": DecideForm()})


@login_required
@require_http_methods(["GET", "POST"])
def dispute_new(request, assessment_id: int, case_id: int):
    """县级申诉: the county admin's form, with the evidence upload."""
    case = _case(request.user, assessment_id, case_id)
    require(may_dispute_finding(request.user), _("只有被评估县的县级管理员可以申诉。"))
    form = DisputeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dispute_file(case_id=case.pk, acting_user=request.user, reason=form.cleaned_data["reason"],
                                  evidence=form.cleaned_data["evidence"], ip=client_ip(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已提交申诉，待评估组裁定。"))
            return redirect("assessment:findings", assessment_id=assessment_id)
    kinds = problem_kinds()
    return render(request, "assessment/dispute_new.html", {
        "assessment": case.assessment, "case": case, "form": form, "open": dispute_open(case),
        "last_day": dispute_last_day(case), "kinds": [kinds[c].name_shown for c in finding_codes(case)],
        "village_name": _village_names([case.village]).get(case.village, case.village),
        "reasons": [r.get("text", "") for r in case.reasons or [] if isinstance(r, dict)]})


@login_required
def dispute_decide(request, assessment_id: int, case_id: int):
    """The panel's decision (POST): upheld or overturned, with a note."""
    # POST only, but a case out of reach is 404 whatever the method (it looks exactly like absent)
    _case(request.user, assessment_id, case_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("assessment:findings", assessment_id=assessment_id)
    upheld = form.cleaned_data["decision"] == "upheld"
    try:
        services.dispute_decide(case_id=case_id, acting_user=request.user, upheld=upheld,
                                note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已裁定：维持原结论。") if upheld else _("已裁定：改判，该户的评估问题已撤销。"))
    return redirect("assessment:findings", assessment_id=assessment_id)


@login_required
@require_GET
def dispute_evidence(request, assessment_id: int, case_id: int):
    """A dispute's evidence as a download, as the content type its check found (never sniffed), audited."""
    _case(request.user, assessment_id, case_id)
    dispute = dispute_get(request.user, case_id)
    if not dispute.evidence:
        raise Http404("no file")
    suffix = PurePath(dispute.evidence.name).suffix.lower()
    audit(request, AuditEvent.Action.DOWNLOAD, dispute.evidence_name, count=1, what="dispute_evidence",
          case=case_id, dispute=dispute.pk)
    return FileResponse(dispute.evidence.open("rb"), as_attachment=True, filename=dispute.evidence_name,
                        content_type=EVIDENCE_TYPES.get(suffix, "application/octet-stream"))


@login_required
def findings_confirm(request, assessment_id: int):
    """认定 (POST): headquarters makes the findings that stand problem records of their villages."""
    assessment_get(request.user, assessment_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        done = services.findings_confirm(assessment_id=assessment_id, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        text = _("已认定 %(n)d 个问题，交村整改。") % {"n": done.recorded} if done.recorded else _("没有新的问题需要认定。")
        if done.waiting:
            text += _("另有 %(n)d 户仍在申诉期内或申诉待裁定，期满或裁定后再认定。") % {"n": done.waiting}
        messages.success(request, text)
    return redirect("assessment:findings", assessment_id=assessment_id)
