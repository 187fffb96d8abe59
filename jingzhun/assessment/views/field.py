"""入户调查（手机）: the enumerator's phone page, its JSON and its sync, the service worker and the manifest.

The page is one shell (template + jingzhun/static/jingzhun/survey.js on the shared offline layer,
jingzhun/offline.py and offline.js, which the assistance module's 走访 page uses too) that reads the team's
cases and the questionnaire from `field_data` and keeps each filled questionnaire, with its start and end
on the phone (paradata), in IndexedDB until `field_sync` takes it.
"""

from __future__ import annotations

import datetime
import json
import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jingzhun import offline
from jingzhun.orgunits.permissions import may_survey, require

from ..models import Case
from ..selectors import fieldwork as selectors
from ..services import fieldwork as services

#: The page's own script it needs offline (with the shared files of jingzhun.offline).
FIELD_STATIC = ("jingzhun/survey.js",)
#: Bump when the worker's caching changes: the browser then installs the new worker and drops old caches.
WORKER_VERSION = "3"  # 2: offline.js syncs through its shared syncer; 3: a sync asked for meanwhile runs after
#: Questionnaires one sync takes at most (a day's work is a few dozen).
SYNC_MAX = 200

#: The page's words for its script (given as JSON data: the page runs no inline script).
FIELD_WORDS = {
    "synced": gettext_lazy("已同步"),
    "pending": gettext_lazy("待同步"),
    "offline": gettext_lazy("离线，恢复网络后自动同步"),
    "syncing": gettext_lazy("正在同步…"),
    "relogin": gettext_lazy("请重新登录后同步"),
    "failed": gettext_lazy("同步失败，稍后重试"),
    "start": gettext_lazy("开始调查"),
    "redo": gettext_lazy("重新调查"),
    "edit": gettext_lazy("修改问卷"),
    "rejected": gettext_lazy("督导退回："),
    "queued": gettext_lazy("已填写，待同步"),
    "notAccepted": gettext_lazy("未被接受："),
    "noCases": gettext_lazy("没有待调查的样本户。"),
    "saved": gettext_lazy("问卷已保存到手机，待同步"),
    "stored": gettext_lazy("问卷已上传"),
    "yes": gettext_lazy("是"),
    "no": gettext_lazy("否"),
    "choose": gettext_lazy("请选择"),
    "sep": gettext_lazy("、"),
    "remove": gettext_lazy("删除"),
    "required": gettext_lazy("（必答）"),
}


def _urls() -> dict[str, str]:
    page = reverse("assessment:field")
    return {"data": reverse("assessment:field_data"), "sync": reverse("assessment:field_sync"),
            "worker": reverse("assessment:field_worker"), "scope": page,
            "login": reverse("accounts:login") + "?next=" + page}


def _refuse_unless_surveyor(request) -> None:
    require(may_survey(request.user), _("入户调查页面供第三方评估的调查人员使用。"))


@login_required
@require_GET
def field(request):
    """入户调查（手机）: the page shell; everything on it comes from field_data."""
    _refuse_unless_surveyor(request)
    return render(request, "assessment/field.html", {
        "urls": _urls(), "words": {k: str(w) for k, w in FIELD_WORDS.items()}})


@login_required
@require_GET
def field_data(request):
    """The team's cases to interview (with the supervisor's reasons), the questionnaire and a CSRF token."""
    _refuse_unless_surveyor(request)
    return JsonResponse({"user": request.user.get_username(), "csrf": get_token(request),
                         "read_at": timezone.now().isoformat(), "cases": selectors.field_cases(request.user),
                         "sections": selectors.questionnaire_json()}, json_dumps_params={"ensure_ascii": False})


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


def _moment(value, label: str) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    moment = parse_datetime(str(value)) if isinstance(value, str) else None
    if moment is None:
        raise ValidationError(_("%(label)s不是有效的时间。") % {"label": label})
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _submit_one(request, item: dict) -> dict:
    """One questionnaire from the phone: stored (or already stored) or refused with its messages; each is
    its own transaction (case_submit), so a bad one holds back no other and is never half stored."""
    client_id = str(item.get("client_id") or "")
    row: dict = {"client_id": client_id, "case": item.get("case")}
    try:
        try:
            parsed_id = uuid.UUID(client_id)
            case_id = int(item.get("case"))
        except (TypeError, ValueError):
            raise ValidationError(_("问卷缺少样本户或编号，无法保存。")) from None
        answers = item.get("answers")
        if not isinstance(answers, dict):
            raise ValidationError(_("问卷内容格式不正确。"))
        started = _moment(item.get("started_at"), _("开始时间"))
        ended = _moment(item.get("ended_at"), _("结束时间"))
        already = Case.objects.filter(client_id=parsed_id).exists()
        services.case_submit(case_id=case_id, acting_user=request.user, answers=answers, started_at=started,
                             ended_at=ended, client_id=parsed_id)
        row["status"] = "already" if already else "stored"
    except ValidationError as exc:
        row["status"] = "invalid"
        if hasattr(exc, "error_dict"):
            row["errors"] = {key: " ".join(messages) for key, messages in exc.message_dict.items()}
            row["error"] = _("问卷有 %(n)d 处需要修改。") % {"n": len(row["errors"])}
        else:
            row["error"] = " ".join(exc.messages)
    except Http404:
        row["status"] = "refused"
        row["error"] = _("该户不在您的调查任务中，未保存。")
    except PermissionDenied as exc:
        row["status"] = "refused"
        row["error"] = getattr(exc, "message", "") or _("您不能提交该户的问卷。")
    return row


@login_required
@require_POST
def field_sync(request):
    """The phone's questionnaires: {"submissions": [{client_id, case, started_at, ended_at, answers}, …]}.

    Each is stored once (its client_id) or comes back with its Chinese messages (per question where the
    answers fail the questionnaire's checks); the phone keeps those to correct and sends the rest no more.
    """
    _refuse_unless_surveyor(request)
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error(_("同步内容不是有效的 JSON。"))
    items = payload.get("submissions") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        return _error(_("同步内容格式不正确。"))
    if len(items) > SYNC_MAX:
        return _error(_("一次最多同步 %(n)d 份问卷。") % {"n": SYNC_MAX})
    return JsonResponse({"results": [_submit_one(request, item) for item in items]},
                        json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def field_worker(request):
    """The service worker, served under /assessment/field/ so that its scope covers the page."""
    _refuse_unless_surveyor(request)
    return offline.worker_response(request, cache="survey", version=WORKER_VERSION, page=reverse("assessment:field"),
                                   data=reverse("assessment:field_data"), static_files=FIELD_STATIC)


@require_GET
def field_manifest(request):
    """The web manifest: the page installs as an app that opens on the survey page."""
    return offline.manifest_response(name=_("考核评估入户调查"), short_name=_("入户调查"),
                                     page=reverse("assessment:field"))
