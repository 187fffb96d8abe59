"""Rate limits per token (or per signed-in person): JINGZHUN_API_PER_MINUTE calls in any 60 seconds."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from jingzhun.accounts.models import ApiToken


class PerTokenThrottle(SimpleRateThrottle):
    """A sliding window per token: two tokens of one service account are limited each on its own."""

    scope = "token"
    cache = caches["shared"]  # counted across the server's processes (settings.CACHES)

    def get_rate(self) -> str:
        return f"{settings.JINGZHUN_API_PER_MINUTE}/min"

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user is not None and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
