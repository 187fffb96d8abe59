"""/api/v1/: the schema and its docs, then each area's resources (docs/api.md).

Each area's view module keeps its own `urlpatterns` (registry: households and members; problems:
problems and procedures; figures: indicators, comparison and alert batches; modules: monitoring,
assistance, assessment and the supervision ledger), so that areas grow without touching this file.
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from .views import docs, figures, modules, problems, registry, units

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.SwaggerDocs.as_view(url_name="api:schema"), name="docs"),
    path("units/", units.UnitList.as_view(), name="unit_list"),
    path("units/<str:code>/", units.UnitDetail.as_view(), name="unit_detail"),
    *registry.urlpatterns,
    *problems.urlpatterns,
    *figures.urlpatterns,
    *modules.urlpatterns,
]
