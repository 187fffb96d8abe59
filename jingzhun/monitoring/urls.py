from django.urls import path

from . import screening, views

app_name = "monitoring"

urlpatterns = [
    path("report/<str:county>/", views.report, name="report"),
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/new/", views.lead_new, name="lead_new"),
    path("leads/<int:lead_id>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:lead_id>/verify/", views.lead_verify, name="lead_verify"),
    path("leads/<int:lead_id>/route/", views.lead_route, name="lead_route"),
    path("leads/<int:lead_id>/evidence/", views.lead_evidence_new, name="lead_evidence_new"),
    path("evidence/<int:evidence_id>/", views.lead_evidence, name="lead_evidence"),
    path("screening/", screening.screening, name="screening"),
]
