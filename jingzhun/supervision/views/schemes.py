"""考评办法 page: the county's scheme of a year (its own, or the shipped default) as TOML, a form to upload
or paste a new one — refused with each problem shown and nothing stored — and its download.

Reads are for `may_read_appraisals` (a township and a department read the scheme they are appraised on);
writes for `may_appraise` through `services.schemes`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun.listing import error_page, form_problems
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_appraise, require

from ..models import Scheme
from ..scheme_format import manual_items
from ..services.schemes import SchemeError, scheme_for, scheme_save, scheme_text_of
from ..services.items import LedgerError
from .letters import require_reader
from .period import period_of


class SchemeForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("考评办法（TOML 文本）"), required=False, strip=False,
                           widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code"}))
    file = forms.FileField(label=gettext_lazy("或上传 TOML 文件"), required=False,
                           help_text=gettext_lazy("UTF-8 编码的 .toml 文本文件；选了文件则以文件为准。"))


@login_required
@require_http_methods(["GET", "POST"])
def scheme_page(request):
    require_reader(request)
    period = period_of(request, request.POST if request.method == "POST" else None)
    if not period.ok:
        return error_page(request, title=_("筛选条件有误"), problems=form_problems(period.form),
                          back=reverse("supervision:scheme_page"))
    county = period.county.code if period.county else ""
    current = scheme_for(county, period.year) if county else None
    access = access_for(request.user)
    can_edit = bool(county) and may_appraise(access) and access.reaches_code(county)
    if request.GET.get("format") == "toml" and current is not None:
        name = f"scheme-{county}-{period.year}.toml"
        audit(request, AuditEvent.Action.DOWNLOAD, name, count=1, what="appraisal_scheme", county=county,
              year=period.year, sha256=current.sha256, default=current.default)
        response = HttpResponse(current.text, content_type="application/toml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    form = SchemeForm(initial={"text": current.text if current else ""})
    problems: list[str] = []
    if request.method == "POST":
        require(can_edit, _("只有县级管理员可以登记目标责任书、考评办法和人工评分。"))
        form = SchemeForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                upload = form.cleaned_data.get("file")
                text = scheme_text_of(upload) if upload else form.cleaned_data["text"]
                scheme_save(acting_user=request.user, county=county, year=period.year, text=text)
            except SchemeError as error:
                problems = error.problems
            except LedgerError as error:
                problems = [error.message]
            else:
                messages.success(request, _("已保存 %(year)d 年度考评办法。") % {"year": period.year})
                return redirect(f"{reverse('supervision:scheme_page')}?{period.query}")
    history = (Scheme.history.filter(county_id=county, year=period.year).select_related("created_by")
               .order_by("-history_date")[:20]) if county else []
    return render(request, "supervision/scheme_page.html", {
        "period": period, "current": current, "form": form, "problems": problems, "can_edit": can_edit,
        "manual": manual_items(current.text) if current else [], "history": history},
        status=400 if request.method == "POST" else 200)
