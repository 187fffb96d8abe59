"""The browsable docs: Swagger UI from npm (frontend/), its script served from our own origin."""

from __future__ import annotations

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView


# Swagger UI (React) sets style attributes as it renders: allowed on this page only, scripts stay our own.
@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class SwaggerDocs(SpectacularSwaggerSplitView):
    pass
