"""走访 pages: the phone's field page (an installable web app) and its JSON, the visits list and conflicts.

The field page is one shell (template + jingzhun/static/jingzhun/field.js) that reads its households from
`field_data` and keeps what the cadre records in IndexedDB until `field_sync` takes it. The service worker
and the web manifest are served from /assistance/field/ so that the worker's scope covers the page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jingzhun import offline
from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun.listing import Column, Listing
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import (
    OutOfReach,
    get_in_reach,
    may_review_visit_conflicts,
    may_update_from_visit,
    may_visit,
    reach_code,
)
from jingzhun.orgunits.selectors import unit_label

from ..models import EditConflict, VisitPhoto
from ..selectors import visits as selectors
from ..services import visits as services
from ..services.visits import VisitError

#: The page's own script it needs offline (the worker caches it at install, with jingzhun.offline's shared files).
FIELD_STATIC = ("jingzhun/field.js",)
#: Bump when the worker's caching changes: the browser then installs the new worker and drops old caches.
#: (2: the shared offline layer, jingzhun/offline.js, is cached too.)
WORKER_VERSION = "4"  # 3: offline.js syncs through its shared syncer; 4: a sync asked for meanwhile runs after


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _error(message: str, status: int = 400, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status, json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def field(request):
    """走访（手机）: the page shell; everything on it comes from field_data."""
    _refuse_unless(may_visit(request.user))
    return render(request, "assistance/field.html", {
        "urls": {"data": reverse("assistance:field_data"), "sync": reverse("assistance:field_sync"),
                 "worker": reverse("assistance:field_worker"), "scope": reverse("assistance:field"),
                 "photos": reverse("assistance:field_photo", kwargs={"client_id": "00000000-0000-0000-0000-000000000000"}),
                 "resolve": reverse("assistance:field_resolve", kwargs={"conflict_id": 0}),
                 "login": reverse("accounts:login") + "?next=" + reverse("assistance:field")},
        "can_edit": may_update_from_visit(request.user), "words": {k: str(w) for k, w in FIELD_WORDS.items()}})


#: The field page's words for its script (given as JSON data: the page runs no inline script).
FIELD_WORDS = {
    "synced": gettext_lazy("已同步"),
    "pending": gettext_lazy("待同步"),
    "offline": gettext_lazy("离线，恢复网络后自动同步"),
    "syncing": gettext_lazy("正在同步…"),
    "relogin": gettext_lazy("请重新登录后同步"),
    "failed": gettext_lazy("同步失败，稍后重试"),
    "visit": gettext_lazy("登记走访"),
    "edit": gettext_lazy("修改信息"),
    "noDue": gettext_lazy("暂无待办"),
    "lastVisit": gettext_lazy("上次走访："),
    "never": gettext_lazy("从未走访"),
    "queuedVisit": gettext_lazy("走访"),
    "queuedEdit": gettext_lazy("修改"),
    "rejected": gettext_lazy("未被接受："),
    "remove": gettext_lazy("删除"),
    "serverValue": gettext_lazy("系统中的值"),
    "phoneValue": gettext_lazy("手机上的值"),
    "keepServer": gettext_lazy("保留系统中的值"),
    "takePhone": gettext_lazy("采用手机上的值"),
    "changedBy": gettext_lazy("系统中的值由 {by} 于 {at} 修改"),
    "yes": gettext_lazy("是"),
    "no": gettext_lazy("否"),
    "empty": gettext_lazy("（空）"),
    "sep": gettext_lazy("、"),
    "photo": gettext_lazy("走访照片"),
    "noHouseholds": gettext_lazy("没有可走访的农户。"),
    "nothingChanged": gettext_lazy("没有修改任何项目。"),
    "saved": gettext_lazy("已保存到手机，待同步"),
    "noLocation": gettext_lazy("未能取得位置，走访已保存（不含位置）"),
    "photoFailed": gettext_lazy("照片无法读取："),
}


@login_required
@require_GET
def field_data(request):
    """The households in reach with what is due, one's open conflicts and a fresh CSRF token, as JSON."""
    _refuse_unless(may_visit(request.user))
    return JsonResponse({
        "user": request.user.get_username(), "csrf": get_token(request),
        "today": timezone.localdate().isoformat(), "read_at": timezone.now().isoformat(),
        "households": selectors.field_households(request.user), "vocabulary": selectors.field_vocabulary(),
        "conflicts": selectors.open_conflicts(request.user)}, json_dumps_params={"ensure_ascii": False})


def _items(payload: Any, key: str) -> list[dict]:
    items = payload.get(key, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise VisitError(_("同步内容格式不正确。"))
    return items


def _sync_one(request, kind: str, item: dict) -> dict:
    if kind == "visit":
        visit, created = services.visit_record(
            acting_user=request.user, client_id=item.get("client_id"), household_code=item.get("household"),
            visited_on=item.get("visited_on"), met=item.get("met"), situation=item.get("situation"),
            needs=item.get("needs"), done=item.get("done"), latitude=item.get("latitude"),
            longitude=item.get("longitude"), recorded_at=item.get("recorded_at"))
        return {"client_id": str(visit.client_id), "status": "stored" if created else "already",
                "photos": [p.name.rsplit(".", 1)[0] for p in visit.photos.all()]}
    outcome = services.edit_apply(
        client_id=item.get("client_id"), household_code=item.get("household"), member_id=item.get("member"),
        base=item.get("base"), values=item.get("values"), author=request.user, recorded_at=item.get("recorded_at"))
    row = {"client_id": str(item.get("client_id")), "status": outcome.status, "changed": list(outcome.changed)}
    if outcome.conflict is not None:
        row["conflict"] = selectors.conflict_json(outcome.conflict)
    return row


@login_required
@require_POST
def field_sync(request):
    """The phone's queue: {"visits": [...], "edits": [...]}. Each item is stored once (its client_id); an
    item that cannot be stored answers 400 with its client_id and a Chinese message, and — the whole sync
    being one transaction — nothing of that sync is written (the phone sends the rest again without it)."""
    _refuse_unless(may_visit(request.user))
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error(_("同步内容不是有效的 JSON。"))
    if not isinstance(payload, dict):
        return _error(_("同步内容格式不正确。"))
    result: dict[str, list] = {"visits": [], "edits": []}
    current = None
    try:
        with transaction.atomic():
            for key, kind in (("visits", "visit"), ("edits", "edit")):
                for item in _items(payload, key):
                    current = item.get("client_id")
                    result[key].append(_sync_one(request, kind, item))
    except VisitError as exc:
        return _error(exc.message, item=str(current) if current is not None else None)
    except (OutOfReach, Http404):
        return _error(_("该户不在您的帮扶范围内，未保存。"), status=404, item=str(current) if current else None)
    except PermissionDenied as exc:
        return _error(getattr(exc, "message", "") or _("您的角色不能在走访中修改信息。"), status=403,
                      item=str(current) if current else None)
    return JsonResponse(result, json_dumps_params={"ensure_ascii": False})


@login_required
@require_POST
def field_photo(request, client_id: str):
    """One photo of a visit already synced (multipart: `photo`, `photo_id`)."""
    _refuse_unless(may_visit(request.user))
    upload = request.FILES.get("photo")
    if upload is None:
        return _error(_("请选择照片。"))
    try:
        photo, created = services.visit_photo_add(acting_user=request.user, visit_client_id=client_id,
                                                  upload=upload, photo_id=request.POST.get("photo_id"))
    except VisitError as exc:
        return _error(exc.message)
    return JsonResponse({"photo": photo.name, "status": "stored" if created else "already"})


@login_required
@require_POST
def field_resolve(request, conflict_id: int):
    """The cadre's choice on a conflict ({"choice": "server" | "phone"}, JSON or a form)."""
    _refuse_unless(may_update_from_visit(request.user))
    conflict = get_in_reach(selectors.conflicts_in_reach(request.user), pk=conflict_id)
    choice = request.POST.get("choice")
    if choice is None and request.content_type == "application/json":
        try:
            choice = json.loads(request.body.decode("utf-8")).get("choice")
        except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            return _error(_("同步内容不是有效的 JSON。"))
    try:
        conflict = services.conflict_resolve(conflict=conflict, choice=choice or "", acting_user=request.user)
    except VisitError as exc:
        return _error(exc.message)
    return JsonResponse(selectors.conflict_json(conflict), json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def field_worker(request):
    """The service worker, served under /assistance/field/ so that its scope covers the page."""
    _refuse_unless(may_visit(request.user))
    return offline.worker_response(request, cache="field", version=WORKER_VERSION, page=reverse("assistance:field"),
                                   data=reverse("assistance:field_data"), static_files=FIELD_STATIC)


@require_GET
def field_manifest(request):
    """The web manifest: the page installs as an app that opens on the field page."""
    return offline.manifest_response(name=_("精准扶贫走访"), short_name=_("走访"), page=reverse("assistance:field"))


# --- Office pages ----------------------------------------------------------------------------------

def _visit_columns():
    return [Column(_("走访日期"), "visited_on"), Column(_("户编号"), "household", ("household_id",)),
            Column(_("户主姓名")), Column(_("村")), Column(_("走访人"), "visitor", ("visitor__username",)),
            Column(_("见到的人")), Column(_("困难和诉求")), Column(_("照片"), num=True)]


@login_required
@require_GET
def visit_list(request):
    """走访记录 of the households in reach (a cadre: their own), newest first."""
    visits = selectors.visits_in_reach(request.user)
    unit = request.GET.get("unit", "").strip()
    if unit:  # one unit's visits (a village, a township …) within reach
        if not unit.isdigit():
            raise Http404
        reach_code(request.user, unit)
        visits = visits.filter(household__code__startswith=unit)
    listing = Listing(request.GET, visits, _visit_columns(), default_sort="-visited_on", tiebreak=("-id",),
                      title=_("走访记录"), unit=unit_label(request.user, unit))
    if unit:
        listing.add_chip(_("单位"), listing.unit, "unit")
    return render(request, "assistance/visit_list.html", {"listing": listing, "page": listing.page})


def _conflict_columns():
    return [Column(_("上传时间"), "received_at"), Column(_("户编号"), "household", ("household_id",)),
            Column(_("户主姓名")), Column(_("修改人"), "author", ("author__username",)), Column(_("修改内容")),
            Column(_("处理结果"), "resolution")]


@login_required
@require_GET
def conflict_list(request):
    """修改冲突: the edits from phones that met a change made meanwhile, with all three versions."""
    _refuse_unless(may_review_visit_conflicts(request.user))
    conflicts = selectors.conflicts_in_reach(request.user)
    listing = Listing(request.GET, conflicts, _conflict_columns(), default_sort="-received_at", tiebreak=("-id",),
                      title=_("修改冲突"), unit=unit_label(request.user, ""))
    rows = [(c, selectors.conflict_json(c)) for c in listing.page.object_list]
    return render(request, "assistance/conflict_list.html", {"listing": listing, "page": listing.page, "rows": rows,
                                                             "resolutions": EditConflict.Resolution})


#: The stored suffix (set from the photo's checked format, never from its name) → the type it is served as.
_PHOTO_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


@login_required
@require_GET
def visit_photo(request, photo_id: int):
    """A visit's photo, shown on the household page (as the type its check found, never sniffed)."""
    photo = get_in_reach(VisitPhoto.objects.filter(visit__in=selectors.visits_in_reach(request.user)), pk=photo_id)
    suffix = Path(photo.name).suffix.lower()
    audit(request, AuditEvent.Action.DOWNLOAD, photo.name, count=1, what="visit_photo", photo=photo.pk)
    response = FileResponse(photo.image.open("rb"), content_type=_PHOTO_TYPES.get(suffix, "application/octet-stream"))
    response["Content-Disposition"] = f'inline; filename="visit-{photo.visit_id}-{photo.pk}{suffix}"'
    return response


def household_visits_section(sender, household, user, access, **kwargs):
    """The household page's 走访记录 (registry.signals.household_sections): visits with photos and visitor;
    where the phone was only for the record keepers."""
    return [{"id": "visits", "template": "assistance/_visits_section.html", "order": 20,
             "context": {"visits": selectors.visit_rows(access, household), "household": household}}]
