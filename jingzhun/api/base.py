"""What every API view shares: the caller's Access, an audit row per call, and errors in the schema.

Views subclass `ApiView`, `ListApiView` or `ApiViewSet`; each call leaves one audit row (API) naming the
caller, the token (its prefix), the method, the path, the answer's status and the query (with anything
that looks like an ID number masked), written after the answer is decided.
"""

from __future__ import annotations

import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import generics, viewsets
from rest_framework.views import APIView

from jingzhun.accounts.audit import audit_record, client_ip
from jingzhun.accounts.models import ApiToken, AuditEvent
from jingzhun.orgunits.access import Access, access_for, mask_id_number

from .errors import ErrorSerializer

_ID_LIKE = re.compile(r"[0-9]{14,17}[0-9Xx]")
#: Error answers every operation may give (documented, so a client and schemathesis expect them).
_ERRORS = {
    "400": "请求有误（字段错误见 fields）",
    "401": "未登录或令牌无效",
    "403": "角色无权进行此操作",
    "404": "没有找到，或不在管辖范围内",
    "429": "请求过于频繁",
}


class Schema(AutoSchema):
    """drf-spectacular's schema with the error shape on every operation."""

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        for code, description in _ERRORS.items():
            if code not in bodies:
                bodies[code] = self._get_response_for_code(OpenApiResponse(ErrorSerializer, description=description),
                                                           code)
        return bodies


def _masked(text: str) -> str:
    return _ID_LIKE.sub(lambda m: mask_id_number(m.group(0)), text)


class Audited:
    """Leaves one audit row per call (mixed into every API view)."""


    @property
    def access(self) -> Access:
        return access_for(self.request.user)

    def get_serializer_context(self):
        """Serializers mask by the caller's Access (`context["access"]`)."""
        parent = getattr(super(), "get_serializer_context", None)  # generic views have one, plain APIViews not
        return {**(parent() if parent else {"request": self.request, "view": self}), "access": self.access}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        user = getattr(request, "user", None)
        token = getattr(request, "auth", None)
        audit_record(
            action=AuditEvent.Action.API,
            actor=user if user is not None and user.is_authenticated else None,
            username="" if user is not None and user.is_authenticated else "anonymous",
            target=f"{request.method} {request.path}",
            detail={"status": response.status_code, "query": _masked(request.META.get("QUERY_STRING", ""))[:300],
                    "token": token.prefix if isinstance(token, ApiToken) else ""},
            ip=client_ip(request._request))
        return response


class ApiView(Audited, APIView):
    pass


class ListApiView(Audited, generics.ListAPIView):
    """A list: `get_queryset` scoped by the caller's Access, paginated by a cursor."""


class ApiViewSet(Audited, viewsets.GenericViewSet):
    pass
