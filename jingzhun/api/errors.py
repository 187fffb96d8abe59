"""One error shape for every API answer that is not a success.

``{"code": "not_found", "message": "没有找到……", "fields": {"phone": ["……"]}}``: `code` is for programs
(stable, English), `message` for people (Chinese, or English when asked for), `fields` only on
validation errors and naming each field with its messages. An unexpected error is logged and answered
500 in the same shape, with no traceback.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun.orgunits.permissions import OutOfReach, Refused

logger = logging.getLogger("jingzhun.api")


def _messages() -> dict[str, str]:
    """The message of each code (looked up per call, in the active language)."""
    return {
        "not_authenticated": _("未登录或未提供令牌：请在 Authorization 头中写“Bearer 令牌”（令牌由 jingzhun token create 签发）。"),
        "token_invalid": _("令牌无效、已过期或已被吊销。"),
        "authentication_failed": _("身份验证失败。"),
        "permission_denied": _("您的角色不能进行此操作。"),
        "not_found": _("没有找到该记录，或它不在您的管辖范围内。"),
        "method_not_allowed": _("该地址不支持此请求方法。"),
        "not_acceptable": _("无法按请求的格式返回：请接受 application/json。"),
        "unsupported_media_type": _("不支持此请求内容类型：请使用 application/json。"),
        "parse_error": _("请求内容无法解析：请检查 JSON 格式。"),
        "invalid": _("提交的数据有误，请按 fields 中的说明修改。"),
        "throttled": _("请求过于频繁，请稍后再试。"),
        "server_error": _("服务器处理请求时出错，已记录；请稍后再试或联系系统管理员。"),
    }


def error_body(code: str, message: str = "", fields: dict | None = None) -> dict:
    body = {"code": code, "message": message or _messages().get(code, _messages()["invalid"])}
    if fields:
        body["fields"] = fields
    return body


def _as_drf(exc: Exception) -> exceptions.APIException | None:
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, Refused):
        return exceptions.PermissionDenied(exc.message or None)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):  # a service's validation (full_clean, a form rule)
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
        return exceptions.ValidationError({"non_field_errors": [str(m) for m in exc.messages]})
    return None


def _fields(detail) -> dict:
    if isinstance(detail, dict):
        return {str(k): _fields(v) if isinstance(v, dict) else [str(m) for m in (v if isinstance(v, list) else [v])]
                for k, v in detail.items()}
    return {"non_field_errors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]}


def _audit_denied(exc: Exception, context) -> None:
    """A refused action or an out-of-reach record leaves a DENIED row, as on the pages (DeniedAuditMiddleware)."""
    request = context.get("request")
    if request is None or not isinstance(exc, (OutOfReach, DjangoPermissionDenied, exceptions.PermissionDenied)):
        return
    audit(request._request, AuditEvent.Action.DENIED, request.path, method=request.method,
          status=404 if isinstance(exc, OutOfReach) else 403, reason=str(exc)[:200])


def exception_handler(exc: Exception, context) -> Response:
    """REST framework's exception handler, answering every error in the one shape."""
    _audit_denied(exc, context)
    drf = _as_drf(exc)
    if drf is None:
        view = context.get("view")
        logger.exception("API error in %s", type(view).__name__ if view else "?")
        return Response(error_body("server_error"), status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    headers = {}
    if getattr(drf, "auth_header", None):
        headers["WWW-Authenticate"] = drf.auth_header
    if getattr(drf, "wait", None) is not None:
        headers["Retry-After"] = str(int(drf.wait))
    code = drf.get_codes() if not isinstance(drf, exceptions.ValidationError) else "invalid"
    if isinstance(drf, exceptions.ValidationError):
        return Response(error_body("invalid", fields=_fields(drf.detail)), status=drf.status_code, headers=headers)
    if not isinstance(code, str):
        code = drf.default_code
    message = ""
    if isinstance(drf, exceptions.PermissionDenied) and str(drf.detail) != str(exceptions.PermissionDenied.default_detail):
        message = str(drf.detail)  # a named check's reason
    elif isinstance(drf, exceptions.NotFound) and str(drf.detail) != str(exceptions.NotFound.default_detail):
        message = str(drf.detail)  # e.g. the pagination's invalid cursor, which says what to do
    elif isinstance(drf, exceptions.Throttled):
        message = _("请求过于频繁，请 %(seconds)s 秒后再试。") % {"seconds": int(drf.wait or 1)}
    elif isinstance(drf, exceptions.MethodNotAllowed):
        code = "method_not_allowed"
    elif code not in _messages():
        message = str(drf.detail)
    return Response(error_body(code, message), status=drf.status_code, headers=headers)


def page_not_found(request, exception=None):
    """Django's 404 for a URL that no pattern matches (config/urls.py `handler404`): under /api/ in the one
    shape, as JSON (a client asking for `/api/v1/households/a/b/` must not get an HTML page), else the page."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found"), status=404, json_dumps_params={"ensure_ascii": False})
    return defaults.page_not_found(request, exception)


class ErrorSerializer(serializers.Serializer):
    """The schema of every error answer (documented on every operation)."""

    code = serializers.CharField(help_text="not_authenticated, token_invalid, permission_denied, not_found, "
                                           "method_not_allowed, invalid, throttled, server_error, …")
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.JSONField(), required=False,
                                   help_text="字段名 → 错误说明（仅 invalid）")
