"""考核评估 pages: plans, fieldwork, estimates, disputes and 随机抽查."""

from django.urls import path

from .views import imports

app_name = "assessment"

urlpatterns: list = [
    # survey results from a spreadsheet (import)
    path("<int:assessment_id>/import/", imports.results_import, name="results_import"),
    path("<int:assessment_id>/import/template.xlsx", imports.results_template_download, name="results_template"),
]
