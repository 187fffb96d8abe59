"""Refused access leaves an audit row (越权访问被拒绝).

A view or service that refuses raises PermissionDenied (403) or, for a record that exists outside the
user's reach, `OutOfReach` (a 404 like any other to the person, so a forged URL learns nothing). This
middleware records both as DENIED with who, when, from where, the method and the path. A plain 404 (a
mistyped or stale URL, a record that does not exist) is not recorded: it reveals no attempt to reach
beyond one's scope, and auditing every 404 would bury the attempts under crawlers and typos.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from jingzhun.orgunits.permissions import OutOfReach, Refused

from .models import AuditEvent
from .services import audit_record


class DeniedAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (PermissionDenied, OutOfReach)):
            return None
        user = getattr(request, "user", None)
        audit_record(action=AuditEvent.Action.DENIED, actor=user if user is not None and user.is_authenticated else None,
                     target=request.path, ip=request.META.get("REMOTE_ADDR"),
                     detail={"method": request.method, "status": 404 if isinstance(exception, OutOfReach) else 403,
                             "reason": str(exception)[:200]})
        if isinstance(exception, Refused) and exception.message:
            # A named check that says why: the person reads it on the 403 page.
            return render(request, "403.html", {"message": exception.message}, status=403)
        return None  # Django's own 403/404 handling answers as before
