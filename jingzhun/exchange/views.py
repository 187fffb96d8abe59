"""Export pages: the household list's filters, downloaded as a workbook in the exchange template."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jingzhun.accounts.audit import client_ip
from jingzhun.listing import error_page, form_problems
from jingzhun.orgunits.access import access_for
from jingzhun.registry.forms import HouseholdFilterForm
from jingzhun.orgunits.selectors import filter_units
from jingzhun.registry.search import search_guard

from .export import XLSX_CONTENT_TYPE, ExportTooLarge, registry_export


class _TemporaryExport(io.FileIO):
    """The exported file, opened for the response; its folder goes when the response closes it.

    Removing on close rather than unlinking the open file works on Windows too.
    """

    def __init__(self, path: Path, folder: Path):
        super().__init__(path, "rb")
        self._folder = folder

    def close(self) -> None:
        try:
            super().close()
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)


@login_required
@require_GET
def household_export(request):
    form = HouseholdFilterForm(request.GET, units=filter_units(
        request.user, request.GET.get("township", ""), request.GET.get("village", "")))
    back = reverse("registry:household_list") + (f"?{request.GET.urlencode()}" if request.GET else "")
    if not form.is_valid():
        return error_page(request, title=_("筛选条件有误，无法导出"), problems=form_problems(form), back=back)
    data, unit = form.cleaned_data, form.unit
    if refused := search_guard(request, data["q"], what="household export"):
        return refused
    scope = unit or access_for(request.user).prefix or _("全国")
    name = f"{_('贫困户')}-{scope}-{timezone.localdate():%Y%m%d}.xlsx"
    folder = Path(tempfile.mkdtemp(prefix="jingzhun-export-"))
    try:
        registry_export(acting_user=request.user, out=folder / name, org=unit, status=data["status"],
                        attribute=data["attribute"], main_cause=data["main_cause"], text=data["q"], source="web",
                        category=data["category"], monitoring_class=data["monitoring_class"],
                        ip=client_ip(request))
    except ExportTooLarge as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return error_page(request, title=_("无法导出"), problems=[str(exc)], back=back)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(_TemporaryExport(folder / name, folder), as_attachment=True, filename=name,
                        content_type=XLSX_CONTENT_TYPE)
