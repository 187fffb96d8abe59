from django.urls import path

from . import import_views, views

app_name = "exchange"
urlpatterns = [
    path("export/households.xlsx", views.household_export, name="household_export"),
    path("import/", import_views.import_start, name="import_start"),
    path("import/template.xlsx", import_views.template_download, name="template_download"),
    path("import/<uuid:job_id>/", import_views.import_job, name="import_job"),
    path("import/<uuid:job_id>/errors.xlsx", import_views.import_errors, name="import_errors"),
]
