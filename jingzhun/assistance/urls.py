"""The assistance module's pages; each area adds its own list below."""

from django.urls import path

from .views import measures

app_name = "assistance"

urlpatterns: list = [
    # 帮扶措施 (measures)
    path("measures/", measures.measure_list, name="measure_list"),
    path("measures/import/", measures.measure_import, name="measure_import"),
    path("households/<str:code>/measures/new/", measures.measure_new, name="measure_new"),
    path("measures/<int:measure_id>/", measures.measure_detail, name="measure_detail"),
    path("measures/<int:measure_id>/edit/", measures.measure_edit, name="measure_edit"),
    path("measures/<int:measure_id>/end/", measures.measure_end, name="measure_end"),
    path("measures/<int:measure_id>/evidence/", measures.measure_evidence_new, name="measure_evidence_new"),
    path("measures/evidence/<int:evidence_id>/", measures.measure_evidence, name="measure_evidence"),
]
