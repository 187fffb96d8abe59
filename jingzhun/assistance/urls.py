"""The assistance module's pages; each area adds its own list below."""

from django.urls import path  # noqa: F401

from .views import projects

app_name = "assistance"

urlpatterns: list = []

# --- 项目库 and 衔接资金 (projects and funds) ---
urlpatterns += [
    path("projects/", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_new, name="project_new"),
    path("projects/<int:project_id>/", projects.project_detail, name="project_detail"),
    path("projects/<int:project_id>/edit/", projects.project_edit, name="project_edit"),
    path("projects/<int:project_id>/funds/", projects.project_funds, name="project_funds"),
    path("projects/<int:project_id>/advance/", projects.project_advance, name="project_advance"),
    path("projects/<int:project_id>/progress/", projects.project_progress, name="project_progress"),
    path("projects/<int:project_id>/spending/", projects.project_spending, name="project_spending"),
    path("projects/<int:project_id>/notice/<str:kind>/", projects.project_notice, name="project_notice"),
    path("funds/", projects.fund_execution, name="fund_execution"),
]
