"""考核评估 pages: plans, fieldwork, estimates, disputes and 随机抽查."""

from django.urls import path

from .views import estimates

app_name = "assessment"

urlpatterns: list = [
    # 三率一度 (estimates)
    path("<int:assessment_id>/estimates/", estimates.estimates, name="estimates"),
    path("<int:assessment_id>/report/", estimates.report, name="report"),
    path("<int:assessment_id>/close/", estimates.close, name="close"),
]
