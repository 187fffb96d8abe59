"""一户一档 (page and PDF) and 明白卡 (one household, or a village's batch): reads of what the user reaches.

Every read goes through selectors/file.py (a household or village out of reach is a 404, ID numbers and
phones masked as on the household page); each PDF download is audited like the site's other downloads.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun.orgunits.permissions import may_read_household_file, require

from .. import file_pdf
from ..selectors import file as selectors

SIZES = ("a4", "a5")
YEARS = range(2000, 2101)


def _choices(request) -> tuple[int, str] | str:
    """(year, size) of a card request, or the Chinese message for a bad one."""
    raw_year = request.GET.get("year", "").strip()
    size = request.GET.get("size", "").strip().lower() or "a4"
    if size not in SIZES:
        return _("纸张只能是 A4 或 A5（size=a4 或 size=a5）。")
    if not raw_year:
        return timezone.localdate().year, size
    if not raw_year.isdigit() or int(raw_year) not in YEARS:
        return _("年度应为 2000 至 2100 之间的四位数字，例如 year=%(year)s。") % {"year": timezone.localdate().year}
    return int(raw_year), size


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_GET
def household_file(request, code: str):
    hf = selectors.household_file(request.user, code)
    require(may_read_household_file(request.user))
    return render(request, "assistance/household_file.html", {"file": hf, "household": hf.household,
                                                              "year": timezone.localdate().year})


@login_required
@require_GET
def household_file_pdf(request, code: str):
    hf = selectors.household_file(request.user, code)
    require(may_read_household_file(request.user))
    content = file_pdf.household_file_pdf(hf)
    audit(request, AuditEvent.Action.DOWNLOAD, f"household {hf.household.code}", count=1, what="household_file_pdf")
    return _pdf(content, f"household-file-{hf.household.code}.pdf")


@login_required
@require_GET
def household_card_pdf(request, code: str):
    chosen = _choices(request)
    if isinstance(chosen, str):
        return HttpResponseBadRequest(chosen, content_type="text/plain; charset=utf-8")
    year, size = chosen
    card = selectors.household_card(request.user, code, year)
    require(may_read_household_file(request.user))
    content = file_pdf.cards_pdf([card], size=size)
    audit(request, AuditEvent.Action.DOWNLOAD, f"household {card.code}", count=1, what="household_card_pdf",
          year=year, size=size)
    return _pdf(content, f"card-{card.code}-{year}-{size}.pdf")


@login_required
@require_GET
def village_cards_pdf(request, code: str):
    chosen = _choices(request)
    if isinstance(chosen, str):
        return HttpResponseBadRequest(chosen, content_type="text/plain; charset=utf-8")
    year, size = chosen
    village, cards = selectors.village_cards(request.user, code, year)
    require(may_read_household_file(request.user))
    content = file_pdf.cards_pdf(cards, size=size, title=_("%(village)s帮扶明白卡") % {"village": village.name})
    audit(request, AuditEvent.Action.DOWNLOAD, f"village {village.code}", count=len(cards), what="village_cards_pdf",
          year=year, size=size)
    return _pdf(content, f"cards-{village.code}-{year}-{size}.pdf")


def household_actions(sender, *, household, user, **kwargs) -> list[dict]:
    """The household page's buttons to the file, its PDF and the 明白卡 (registry.signals.household_actions)."""
    if not may_read_household_file(user):
        return []
    return [{"label": _("一户一档"), "url": reverse("assistance:household_file", args=[household.code])},
            {"label": _("一户一档（PDF）"), "url": reverse("assistance:household_file_pdf", args=[household.code])},
            {"label": _("明白卡（PDF）"), "url": reverse("assistance:household_card_pdf", args=[household.code])}]
