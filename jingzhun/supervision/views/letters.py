"""目标责任书 pages: the year's list (who has signed, who has not), one unit's letter (its targets, the
form to register or correct them and upload the signed text) and the document's download.

Reads are for `may_read_appraisals` (others get 403 before any lookup) through
`selectors.appraisal` (a township its own letter, a department its own, the county all; out of reach
is a 404); writes for `may_appraise` through `services.letters`, whose refusals come back on the form.
"""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jingzhun import cells
from jingzhun.accounts.audit import audit, client_ip
from jingzhun.accounts.models import AuditEvent
from jingzhun.assistance.services.measures import EVIDENCE_TYPES
from jingzhun.indicators.catalog import indicator_catalog
from jingzhun.listing import Column, Listing, error_page, form_problems
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_appraise, may_read_appraisals, require
from jingzhun.workflows.common import attempt

from ..models import Letter
from ..selectors import appraisal as selectors
from ..services.items import LedgerError
from ..services.letters import YEAR_MAX, YEAR_MIN, letter_save
from .period import period_of

TARGET_ROWS_EXTRA = 3


def require_reader(request) -> None:
    require(may_read_appraisals(request.user), _("考评情况由县级、乡镇和县直部门查看，您的角色不能查看。"))


# --- the list -----------------------------------------------------------------------------------------

def _columns() -> list[Column]:
    return [Column(_("单位"), "name"), Column(_("类别"), "kind"), Column(_("签订状态"), "signed", ("has_document", "has_letter")),
            Column(_("目标数"), num=True), Column(_("签订日期"), "signed_on", ("letter_signed_on",)), Column(_("签订文本"))]


def _state(row) -> str:
    if row.has_document:
        return _("已签订")
    if row.has_letter:
        return _("已录入目标，未上传签订文本")
    return _("未签订")


@login_required
@require_GET
def letter_list(request):
    require_reader(request)
    period = period_of(request)
    if not period.ok:
        return error_page(request, title=_("筛选条件有误"), problems=form_problems(period.form),
                          back=reverse("supervision:letter_list"))
    county, year = (period.county.code if period.county else ""), period.year
    letters = Letter.objects.filter(agency_id=OuterRef("pk"), year=year)
    units = (selectors.appraised_agencies_for(request.user).filter(county_id=county)
             .annotate(has_letter=Exists(letters), has_document=Exists(letters.exclude(document="")),
                       letter_signed_on=Subquery(letters.values("signed_on")[:1]))
             .filter(Q(active=True) | Q(has_letter=True)))
    listing = Listing(request.GET, units, _columns(), default_sort="kind", tiebreak=("name", "pk"),
                      title=_("%(year)d 年度目标责任书") % {"year": year},
                      unit=period.county.name if period.county else "", exportable=True)
    shown = listing.rows if listing.exporting else listing.page.object_list
    by_unit = {le.agency_id: le for le in Letter.objects.filter(agency__in=[u.pk for u in shown], year=year)}
    for unit in shown:
        unit.letter = by_unit.get(unit.pk)
        unit.state = _state(unit)
    if listing.exporting:
        return listing.export_refusal(request) or _letters_xlsx(request, shown, county, year)
    if listing.printing:
        audit(request, AuditEvent.Action.DOWNLOAD, listing.title, count=len(shown), what="letter_list_print",
              county=county, year=year)
    signed = sum(1 for u in units if u.has_document)
    return render(request, "supervision/letter_list.html", {
        "period": period, "listing": listing, "page": listing.page, "signed": signed, "total": units.count(),
        "can_edit": may_appraise(request.user)})


def _letters_xlsx(request, units, county: str, year: int):
    name = f"{_('目标责任书')}-{county}-{year}.xlsx"
    columns = [cells.SheetColumn(_("单位")), cells.SheetColumn(_("类别")), cells.SheetColumn(_("签订状态")),
               cells.SheetColumn(_("目标数"), cells.INT), cells.SheetColumn(_("签订日期"), cells.DATE),
               cells.SheetColumn(_("文本摘要（SHA-256）"))]
    rows = ((u.name, u.get_kind_display(), u.state, len(u.letter.targets) if u.letter else 0,
             u.letter.signed_on if u.letter else None, u.letter.document_sha256 if u.letter else "") for u in units)
    response, count = cells.xlsx_response(name, _("目标责任书"), columns, rows)
    audit(request, AuditEvent.Action.EXPORT, name, count=count, what="letters", county=county, year=year,
          format="xlsx", source="web")
    return response


# --- one unit's letter --------------------------------------------------------------------------------

class TargetForm(forms.Form):
    indicator = forms.ChoiceField(label=gettext_lazy("指标"), required=False)
    target = forms.DecimalField(label=gettext_lazy("目标值"), required=False, max_digits=16, decimal_places=4)
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "—")] + [
            (code, i.heading) for code, i in indicator_catalog().items()]


class LetterForm(forms.Form):
    signed_on = forms.DateField(label=gettext_lazy("签订日期"), widget=forms.DateInput(attrs={"type": "date"}))
    document = forms.FileField(label=gettext_lazy("签订文本（PDF 或照片）"), required=False,
                               help_text=gettext_lazy("已签字盖章的目标责任书扫描件（PDF）或照片（JPG、PNG）；不选则保留已上传的文本。"))


def _target_formset(data=None, initial=None):
    factory = forms.formset_factory(TargetForm, extra=TARGET_ROWS_EXTRA, max_num=100, validate_max=True)
    return factory(data, initial=initial, prefix="t")


def _year_of(year: int) -> int:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise Http404("no such year")
    return year


@login_required
@require_http_methods(["GET", "POST"])
def letter_edit(request, agency_id: int, year: int):
    """A unit's letter of a year: readers see it; the county registers or corrects it here."""
    require_reader(request)
    agency = selectors.appraised_agency_get(request.user, agency_id)
    _year_of(year)
    letter = selectors.letters_for(request.user).filter(agency=agency, year=year).first()
    can_edit = may_appraise(request.user) and access_for(request.user).reaches_code(agency.county_id)
    initial = [dict(t) for t in letter.targets] if letter else []
    form = LetterForm(initial={"signed_on": letter.signed_on if letter else None})
    targets = _target_formset(initial=initial)
    if request.method == "POST":
        require(can_edit, _("只有县级管理员可以登记目标责任书、考评办法和人工评分。"))
        form = LetterForm(request.POST, request.FILES)
        targets = _target_formset(request.POST)
        if form.is_valid() and targets.is_valid():
            rows = [{"indicator": f.cleaned_data.get("indicator", ""), "target": f.cleaned_data.get("target"),
                     "note": f.cleaned_data.get("note", "")} for f in targets]
            ok, _saved = attempt(request, lambda: letter_save(
                acting_user=request.user, agency_id=agency.pk, year=year, targets=rows,
                signed_on=form.cleaned_data["signed_on"], document=form.cleaned_data.get("document"),
                ip=client_ip(request)), _("已保存%(unit)s %(year)d 年度目标责任书。") % {"unit": agency.name, "year": year},
                form=form, errors=LedgerError)
            if ok:
                return redirect("supervision:letter_edit", agency_id=agency.pk, year=year)
    catalog = indicator_catalog()
    shown = [{"name": catalog[t["indicator"]].heading if t["indicator"] in catalog else t["indicator"],
              "target": t["target"], "note": t.get("note", "")} for t in (letter.targets if letter else [])]
    invalid = request.method == "POST"
    return render(request, "supervision/letter_edit.html", {
        "agency": agency, "year": year, "letter": letter, "shown": shown, "form": form, "targets": targets,
        "can_edit": can_edit, "list_query": f"county={agency.county_id}&year={year}"}, status=400 if invalid else 200)


@login_required
@require_GET
def letter_document(request, letter_id: int):
    """The signed text as a download, as the content type its check found (never sniffed), audited."""
    require_reader(request)
    letter = selectors.letter_get(request.user, letter_id)
    if not letter.document:
        raise Http404("no document")
    suffix = PurePath(letter.document.name).suffix.lower()
    audit(request, AuditEvent.Action.DOWNLOAD, f"letter {letter.pk}", count=1, what="target_letter",
          letter=letter.pk, agency=letter.agency_id, year=letter.year, sha256=letter.document_sha256)
    return FileResponse(letter.document.open("rb"), as_attachment=True,
                        filename=f"{_('目标责任书')}-{letter.agency.name}-{letter.year}{suffix}",
                        content_type=EVIDENCE_TYPES.get(suffix, "application/octet-stream"))
