"""考核评估 pages: plans, fieldwork, estimates, disputes and 随机抽查."""

from django.urls import path

from .views import plans

app_name = "assessment"

urlpatterns: list = [
    # plans: the list, a new plan, a plan's page, its draw, staff and teams, the sample and the frame file
    path("", plans.assessment_list, name="list"),
    path("new/", plans.assessment_new, name="new"),
    path("<int:assessment_id>/", plans.assessment_detail, name="detail"),
    path("<int:assessment_id>/draw/", plans.assessment_draw, name="draw"),
    path("<int:assessment_id>/staff/", plans.assessment_staff, name="staff"),
    path("<int:assessment_id>/sample.xlsx", plans.assessment_sample_xlsx, name="sample_xlsx"),
    path("<int:assessment_id>/frame.parquet", plans.assessment_frame, name="frame"),
]
