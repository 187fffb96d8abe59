"""Who is calling: a bearer token (integrations) or the pages' session (a signed-in person trying the docs)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from jingzhun.accounts.tokens import token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer jz_<prefix>_<secret>``: the token's user, with the token as ``request.auth``.

    An unknown, wrong, expired or revoked token, or one of a deactivated account, is refused alike (401),
    so a caller learns nothing about which tokens exist.
    """

    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Authorization 头应为“Bearer 令牌”。"), code="token_invalid")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已被吊销。"), code="token_invalid") from None
        token = token_authenticate(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已被吊销。"), code="token_invalid")
        return token.user, token

    def authenticate_header(self, request) -> str:
        # present, so that an unauthenticated call is answered 401 (not 403) with this challenge
        return 'Bearer realm="jingzhun"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The pages' session, with CSRF enforced on writes as on the pages; a service account has no session."""
