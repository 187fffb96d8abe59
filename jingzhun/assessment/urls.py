"""考核评估 pages: plans, fieldwork, estimates, disputes and 随机抽查."""

from django.urls import path

from .views import cases, field

app_name = "assessment"

urlpatterns: list = []

# --- fieldwork: the enumerator's phone page (web app: manifest and service worker under its scope), its JSON
# and sync; the review pages of the supervisor and headquarters
urlpatterns += [
    path("field/", field.field, name="field"),
    path("field/data/", field.field_data, name="field_data"),
    path("field/sync/", field.field_sync, name="field_sync"),
    path("field/sw.js", field.field_worker, name="field_worker"),
    path("field/manifest.webmanifest", field.field_manifest, name="field_manifest"),
    path("<int:assessment_id>/cases/", cases.case_list, name="cases"),
    path("<int:assessment_id>/cases/<int:case_id>/", cases.case_detail, name="case_detail"),
    path("<int:assessment_id>/cases/<int:case_id>/action/", cases.case_action, name="case_action"),
]
