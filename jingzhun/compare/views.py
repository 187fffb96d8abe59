"""Comparison pages: start a comparison, watch it, read results by village, review candidate pairs."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from jingzhun.exchange.import_views import MultipleFileField
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_compare, may_review_pair, require
from jingzhun.orgunits.widgets import IsoDateInput
from jingzhun.runs.reaper import reap_soon

from . import selectors, services
from .kinds import KINDS, RULE_CATEGORY, RULE_NAMES
from .models import Match


class CompareForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类别"), choices=[(k.code, k.label) for k in KINDS.values()])
    files = MultipleFileField(label=_("文件"), help_text=_("该类数据的 .xlsx 工作簿或 .csv 文件，可多选；格式见《部门比对数据格式》。"))
    source = forms.CharField(label=_("数据来源"), max_length=128, required=False,
                             help_text=_("如“县公安局 2024 年 6 月死亡人口”；不填则为该类数据通常的提供部门。"))
    data_date = forms.DateField(label=_("数据日期"), required=False, initial=timezone.localdate,
                                widget=IsoDateInput())


@login_required
@require_http_methods(["GET", "POST"])
def compare_home(request):
    access = access_for(request.user)
    if not access.active:
        raise PermissionDenied
    may = may_compare(request.user)
    form = CompareForm(request.POST or None, request.FILES or None) if may else None
    if request.method == "POST":
        require(may)
        if form.is_valid():
            try:
                run = services.compare_run_start(acting_user=request.user, kind=form.cleaned_data["kind"],
                                                 files=form.cleaned_data["files"], source=form.cleaned_data["source"],
                                                 data_date=form.cleaned_data["data_date"])
            except ValidationError as exc:
                form.add_error("files", exc)
            else:
                return redirect("compare:run", compare_run_id=run.pk)
    runs = selectors.runs_for(request.user).select_related("batch")[:30]
    return render(request, "compare/home.html", {"form": form, "runs": runs, "kinds": KINDS.values(), "may": may,
                                                 "rules": [(code, RULE_NAMES[code], RULE_CATEGORY[code])
                                                           for code in sorted(RULE_NAMES)]})


def _pairs_page(request, qs):
    access = access_for(request.user)
    page = Paginator(qs.order_by("village", "household", "pk"), 100).get_page(request.GET.get("page"))
    for m in page.object_list:
        m.person_shown = access.mask_id(m.person)
        m.record_id_shown = access.mask_id(m.record.id_number)
    return page


@login_required
@require_GET
def compare_run(request, compare_run_id):
    reap_soon()
    run = selectors.run_get(request.user, compare_run_id)
    if request.headers.get("HX-Request"):
        return render(request, "compare/_run_status.html", {"run": run})
    pairs = selectors.matches_for(request.user, run)
    village = request.GET.get("village", "")
    by_village = (pairs.values("village").annotate(
        total=Count("id"), exact=Count("id", filter=Q(method=Match.Method.EXACT)),
        accepted=Count("id", filter=Q(status__in=[Match.Status.AUTO, Match.Status.ACCEPTED])),
        pending=Count("id", filter=Q(status=Match.Status.PENDING))).order_by("village"))
    shown = pairs.filter(village=village) if village else pairs
    return render(request, "compare/run.html", {"run": run, "kind": KINDS[run.kind], "by_village": by_village,
                                                "page": _pairs_page(request, shown), "village": village,
                                                "may": may_review_pair(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def compare_review(request, compare_run_id):
    run = selectors.run_get(request.user, compare_run_id)
    may = may_review_pair(request.user)
    error = ""
    if request.method == "POST":
        require(may)
        try:
            services.review_decide(run=run, match_id=int(request.POST.get("match", "0") or 0),
                                   acting_user=request.user, same_person=request.POST.get("decision") == "same")
        except (ValidationError, ValueError) as exc:
            error = "；".join(getattr(exc, "messages", [str(exc)]))
        else:
            return redirect(request.get_full_path())
    # pending pairs and those a person decided, each with every decision made on it (append-only)
    reviewable = selectors.matches_for(request.user, run).filter(
        status__in=[Match.Status.PENDING, Match.Status.ACCEPTED, Match.Status.REJECTED])
    page = _pairs_page(request, reviewable)
    history = selectors.review_history(run, page.object_list)
    for m in page.object_list:
        m.decisions = history[m.pk]
    return render(request, "compare/review.html", {"run": run, "kind": KINDS[run.kind], "may": may, "error": error,
                                                   "page": page})
