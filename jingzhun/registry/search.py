"""Searching by ID number: who may, the audit row each such search leaves, and a per-user rate limit.

A role that sees ID numbers masked could otherwise recover a full number from its masked form by
trying the candidates one by one (`?q=<candidate>` answers "found" or "not found"): such roles cannot
search by ID number at all, every search that looks like one is audited, and searches are throttled.
"""

from __future__ import annotations

import re
import time

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.translation import gettext as _

from jingzhun.accounts.audit import audit_record, client_ip
from jingzhun.accounts.models import AuditEvent
from jingzhun.orgunits.access import access_for, mask_id_number

#: An 18-character or 15-digit ID number, or a digit run too long to be a 户编号 (16 digits).
_ID_LIKE = re.compile(r"[0-9]{15}|[0-9]{14,}[Xx]|[0-9]{17,}[0-9Xx]?")


def looks_like_id_number(text: str) -> bool:
    return bool(_ID_LIKE.fullmatch(text.strip()))


def search_throttled(user) -> bool:
    """True once the user has searched more than JINGZHUN_SEARCH_PER_MINUTE times in the last 60 seconds.

    A sliding window (the times of the recent searches, as Django REST framework's throttles keep them):
    a fixed per-minute counter would let twice the limit through across a minute's turn, and would
    forget a burst just because the clock turned.
    """
    cache = caches["shared"]  # counted across the server's processes
    key = f"jingzhun:search:{user.pk}"
    now = time.time()
    recent = [moment for moment in cache.get(key, []) if moment > now - 60]
    if len(recent) >= settings.JINGZHUN_SEARCH_PER_MINUTE:
        cache.set(key, recent, timeout=60)
        return True
    cache.set(key, [*recent, now], timeout=60)
    return False


def search_guard(request, text: str, *, what: str) -> HttpResponse | None:
    """For a list view with a search: a 429 answer when the user searches too fast, else None.

    A search that looks like an ID number is audited, and a role that may not make it is told why
    (a message on the page); the selectors never match ID numbers for such a role whatever is typed.
    """
    if not text:
        return None
    if search_throttled(request.user):
        return HttpResponse(_("查询过于频繁，请一分钟后再试。"), status=429, content_type="text/plain; charset=utf-8")
    refusal = id_search_refusal(request, text, what=what)
    if refusal:
        messages.error(request, refusal)
    return None


def id_search_refusal(request, text: str, *, what: str) -> str:
    """Audit a search that looks like an ID number; the message for a role that may not make it ("" if it may).

    The selectors themselves never match ID numbers for such roles: this only tells the person why.
    """
    if not text or not looks_like_id_number(text):
        return ""
    refused = not access_for(request.user).sees_full_ids
    # the client address as the sign-in throttle sees it (behind JINGZHUN_PROXY_COUNT proxies too)
    audit_record(action=AuditEvent.Action.SEARCH, actor=request.user, target=request.path, ip=client_ip(request),
                 detail={"what": what, "query": mask_id_number(text.strip().upper()), "refused": refused})
    return _("您的角色不能按身份证号查询") if refused else ""
