from django.urls import path  # noqa: F401  (the areas add their pages)

from .views import appraisal

app_name = "supervision"

urlpatterns: list = []

# 考评 (area "scoring")
urlpatterns += [
    path("appraisal/", appraisal.appraisal_index, name="appraisal"),
    path("appraisal/publish/", appraisal.appraisal_publish, name="appraisal_publish"),
    path("appraisal/<int:appraisal_id>/", appraisal.appraisal_detail, name="appraisal_detail"),
    path("appraisal/<int:appraisal_id>/report.docx", appraisal.appraisal_report, name="appraisal_report"),
]
