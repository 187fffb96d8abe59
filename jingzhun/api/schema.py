"""How the schema describes our two ways in (drf-spectacular extensions, registered when the app loads)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "jingzhun.api.authentication.BearerTokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "接口令牌：jingzhun token create USERNAME [--days N]（只显示一次）"}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "jingzhun.api.authentication.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid",
                "description": "已登录页面的会话（写操作须带 CSRF 令牌）"}
