"""人工评分 page: for a county and year, the table of appraised units × the scheme's manual items with each
score and its note, the latest changes, and (for the county) the form that gives or changes one score.

Reads are for `may_read_appraisals` (a township and a department see their own row only); writes for
`may_appraise` through `services.manual_scores`, whose refusals come back on the form.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jingzhun.listing import error_page, form_problems
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_appraise, require
from jingzhun.workflows.common import attempt

from ..selectors import appraisal as selectors
from ..services.items import LedgerError
from ..services.manual_scores import NOTE_MAX, manual_items_for, manual_score_set
from .letters import require_reader
from .period import period_of


class ScoreForm(forms.Form):
    agency = forms.TypedChoiceField(label=gettext_lazy("单位"), coerce=int)
    item = forms.ChoiceField(label=gettext_lazy("考评项目"))
    points = forms.DecimalField(label=gettext_lazy("得分"), min_value=0, max_digits=6, decimal_places=2)
    note = forms.CharField(label=gettext_lazy("评分说明"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(u.pk, u.name) for u in units]
        self.fields["item"].choices = [(i.code, i.name) for i in items]


@login_required
@require_http_methods(["GET", "POST"])
def score_page(request):
    require_reader(request)
    period = period_of(request, request.POST if request.method == "POST" else None)
    if not period.ok:
        return error_page(request, title=_("筛选条件有误"), problems=form_problems(period.form),
                          back=reverse("supervision:score_page"))
    county = period.county.code if period.county else ""
    year = period.year
    units = list(selectors.appraised_agencies_for(request.user).filter(county_id=county, active=True)
                 .order_by("kind", "name", "pk"))
    items = manual_items_for(county, year) if county else []
    access = access_for(request.user)
    can_edit = bool(county) and may_appraise(access) and access.reaches_code(county)
    initial = {"agency": request.GET.get("agency", ""), "item": request.GET.get("item", "")}
    scores = selectors.manual_scores_for_year(request.user, county=county, year=year)
    if initial["agency"].isdigit() and (int(initial["agency"]), initial["item"]) in scores:
        chosen = scores[(int(initial["agency"]), initial["item"])]
        initial.update(points=chosen.points, note=chosen.note)
    form = ScoreForm(initial=initial, units=units, items=items)
    if request.method == "POST":
        require(can_edit, _("只有县级管理员可以登记目标责任书、考评办法和人工评分。"))
        form = ScoreForm(request.POST, units=units, items=items)
        if form.is_valid():
            data = form.cleaned_data
            ok, _score = attempt(request, lambda: manual_score_set(
                acting_user=request.user, agency_id=data["agency"], year=year, item=data["item"],
                points=data["points"], note=data["note"]), _("已保存评分。"), form=form, errors=LedgerError)
            if ok:
                return redirect(f"{reverse('supervision:score_page')}?{period.query}")
    rows = [{"agency": u, "cells": [scores.get((u.pk, i.code)) for i in items]} for u in units]
    return render(request, "supervision/score_page.html", {
        "period": period, "items": items, "rows": rows, "form": form, "can_edit": can_edit and units and items,
        "history": selectors.manual_score_history(request.user, county=county, year=year) if county else []},
        status=400 if request.method == "POST" else 200)
