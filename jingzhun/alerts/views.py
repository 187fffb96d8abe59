"""部门预警 pages (county roles): upload an alert file, the batches, one batch with its hits."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from jingzhun.exchange.export import XLSX_CONTENT_TYPE
from jingzhun.exchange.import_views import MultipleFileField
from jingzhun.listing import Column, Listing
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_load_alerts
from jingzhun.orgunits.selectors import unit_label
from jingzhun.orgunits.widgets import IsoDateInput
from jingzhun.runs.uploads import uploads_check, uploads_store

from . import selectors, services
from .formats import format_workbook
from .kinds import ALERT_KINDS
from .leads import batch_source, lead_states
from .rules import figures_shown, load_rules


class AlertUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类别"), choices=[(k.code, _(k.label)) for k in ALERT_KINDS.values()])
    files = MultipleFileField(label=_("文件"), help_text=_("该类数据的 .xlsx 工作簿或 .csv 文件，可多选；格式见下方《部门预警数据格式》。"))
    source = forms.CharField(label=_("数据来源"), max_length=128, required=False,
                             help_text=_("如“县医保局 2026 年 11 月住院结算数据”；不填则为该类数据通常的提供部门。"))
    data_date = forms.DateField(label=_("数据日期"), initial=timezone.localdate, widget=IsoDateInput())


def _require_alerts(request) -> None:
    if not may_load_alerts(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def alerts_home(request):
    _require_alerts(request)
    form = AlertUploadForm(request.POST or None, request.FILES or None)
    issues = []
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data["files"]
        try:
            uploads_check(files, wrong_type=gettext("“%(name)s”不是 .xlsx 或 .csv 文件。"))
        except ValidationError as exc:
            form.add_error("files", exc)
        else:
            with tempfile.TemporaryDirectory(prefix="alerts-") as folder:
                uploads_store(files, Path(folder))
                paths = [Path(folder) / f"{i}{Path(f.name).suffix.lower()}" for i, f in enumerate(files)]
                report = services.alert_batch_load(
                    kind=ALERT_KINDS[form.cleaned_data["kind"]], paths=paths, acting_user=request.user,
                    source=form.cleaned_data["source"], data_date=form.cleaned_data["data_date"],
                    display_names={p: Path(f.name).name for p, f in zip(paths, files)}, via=gettext("网页上传"))
            if report.ok:
                return redirect(report.batch.get_absolute_url())
            issues = report.issues
    listing = Listing(request.GET, selectors.batches_for(request.user), [
        Column(_("导入时间"), "loaded", ("loaded_at",)), Column(_("数据类别"), "kind"), Column(_("数据来源"), "source"),
        Column(_("数据日期"), "date", ("data_date",)), Column(_("记录数"), "rows", num=True), Column(_("预警数")),
        Column(_("所属单位"), "org")], default_sort="-loaded", tiebreak=("-pk",), per_page=20,
        title=_("部门预警数据批次"), unit=unit_label(request.user))
    return render(request, "alerts/home.html", {
        "form": form, "issues": issues[:500], "issue_count": len(issues), "listing": listing,
        "batches": listing.page.object_list, "kinds": ALERT_KINDS.values(), "rules": load_rules()})


@login_required
@require_GET
def format_download(request, kind: str):
    """The empty format of one kind of alert file (its sheet with dropdowns, and 填写说明)."""
    alert_kind = ALERT_KINDS.get(kind)
    if alert_kind is None:
        raise Http404("no such kind")
    out = io.BytesIO()
    format_workbook(alert_kind, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, content_type=XLSX_CONTENT_TYPE,
                        filename=f"{gettext('部门预警数据格式')}-{alert_kind.label}.xlsx")


@login_required
@require_GET
def batch_detail(request, batch_id):
    _require_alerts(request)
    batch = selectors.batch_get(request.user, batch_id)
    access = access_for(request.user)
    listing = Listing(request.GET, selectors.hits_for(request.user, batch), [
        Column(_("村代码"), "village"), Column(_("户编号"), "household"), Column(_("姓名"), "name", ("person_name",)),
        Column(_("身份证号")), Column(_("人员类别"), "group"), Column(_("预警规则"), "rule"), Column(_("风险类型"), "risk"),
        Column(_("预警依据")), Column(_("匹配方式")), Column(_("处理情况"))],
        default_sort="village", tiebreak=("household", "pk"), per_page=100,
        title=_("预警：%(kind)s") % {"kind": ALERT_KINDS[batch.kind].label_shown}, unit=unit_label(request.user))
    names = {r.code: r for r in load_rules()}
    hits = list(listing.page.object_list)
    states = lead_states([h.lead_id for h in hits if h.lead_id])
    for h in hits:
        h.person_shown = access.mask_id(h.person)
        h.rule_shown = names[h.rule].name_shown if h.rule in names else h.rule
        h.figures_shown = figures_shown(h.figures)
        h.lead_state = states.get(h.lead_id, "")
    policy = batch.policy.get("alerts", {})
    standards = [policy[batch.kind]] if isinstance(policy.get(batch.kind), dict) else []
    if batch.kind == "medical" and policy.get("medical", {}).get("form") == "income_share":
        standards.append(policy.get("rural_income", {}))
    return render(request, "alerts/batch.html", {
        "batch": batch, "kind": ALERT_KINDS[batch.kind], "listing": listing, "hits": hits, "page": listing.page,
        "standards": standards, "queue_source": batch_source(batch.pk), "titles": [gettext(t) for t in batch.policy.get("titles", [])]})
